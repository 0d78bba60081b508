"""The console's handles on the service layer (accounts, cases, reply scripts, labels).

The console never re-implements their rules: it builds each service once per process and calls
it with the logged-in `User`; permission checks happen inside the services.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from accounts import AccountService, SessionStore, User
from cases import CaseService
from dashboard import data
from nlp import labels
from reply_scripts import ScriptService
from tousu.config import Config


@st.cache_resource
def _accounts(_config: Config) -> AccountService:
    return AccountService(data.get_state(_config), known_cities=data.cities())


def accounts() -> AccountService:
    return _accounts(data.config_or_stop())


@st.cache_resource
def _sessions(_config: Config) -> SessionStore:
    return SessionStore(accounts())


def sessions() -> SessionStore:
    """The login session store (accounts.sessions)."""
    return _sessions(data.config_or_stop())


@st.cache_resource
def _cases(_config: Config) -> CaseService:
    return CaseService(_config, db=data.get_state(_config), store=data.get_store(_config))


def cases() -> CaseService:
    return _cases(data.config_or_stop())


@st.cache_resource
def _scripts(_config: Config) -> ScriptService:
    return ScriptService(data.get_state(_config))


def scripts() -> ScriptService:
    return _scripts(data.config_or_stop())


def grade_post(post_id: str, user: User, **fields: Any) -> Any:
    """A monitor's grade of a post: a training label, and the stored post's grade at once
    (nlp.labels.grade_post)."""
    return labels.grade_post(data.state(), data.store(), post_id, user.username, **fields)
