"""The console's handles on the service layer (accounts, cases, reply scripts, reports, labels).

The console never re-implements their rules: it builds each service once per process and calls
it with the logged-in `User`; permission checks happen inside the services. A service whose
package is not installed yet is reported as missing, and the page shows a notice instead.
"""

from __future__ import annotations

import importlib
from typing import Any

import streamlit as st

from dashboard import data


def available(module: str) -> bool:
    """Whether a service package (e.g. 'cases.service') can be imported."""
    try:
        importlib.import_module(module)
    except ImportError:
        return False
    return True


def missing(what: str) -> None:
    """A Chinese notice for a page whose service is not installed yet, then stop."""
    st.info(f"{what}服务尚未安装，此页面暂不可用。", icon="🛠️")
    st.stop()


@st.cache_resource
def _accounts(_config: Any) -> Any:
    from accounts import AccountService

    return AccountService(data.get_state(_config), known_cities=data.cities())


def accounts() -> Any:
    return _accounts(data.config_or_stop())


@st.cache_resource
def _sessions(_config: Any) -> Any:
    from accounts import SessionStore

    return SessionStore(accounts())


def sessions() -> Any:
    """The login session store (accounts.sessions)."""
    return _sessions(data.config_or_stop())


@st.cache_resource
def _cases(_config: Any) -> Any:
    from cases import CaseService

    return CaseService(_config, db=data.get_state(_config), store=data.get_store(_config))


def cases() -> Any:
    return _cases(data.config_or_stop())


@st.cache_resource
def _scripts(_config: Any) -> Any:
    from reply_scripts import ScriptService

    return ScriptService(data.get_state(_config))


def scripts() -> Any:
    return _scripts(data.config_or_stop())


def add_label(post_id: str, text: str, user: Any, **fields: Any) -> Any:
    """Store a triage correction as a training label (nlp.labels, when installed)."""
    from nlp.labels import add_label as _add

    return _add(data.state(), post_id, text, user=user.username, **fields)
