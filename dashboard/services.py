"""The console's handles on the service layer (accounts, cases, 质检, 督办, reply scripts, guides
and typical cases, labels).

The console never re-implements their rules: it builds each service once per process and calls
it with the logged-in `User`; permission checks happen inside the services.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from accounts import AccountService, SessionStore, User
from cases import CaseService
from cases.quality import CaseQuality
from dashboard import data
from knowledge import GuideService, TypicalCaseService
from nlp import labels
from rectification import RectificationService
from reply_scripts import ScriptService
from tousu.config import Config


@st.cache_resource
def _accounts(_config: Config, policy: str) -> AccountService:
    # Keyed on the login policy, so an edited `accounts.login` applies at the next login.
    return AccountService(data.get_state(_config), known_cities=data.cities(),
                          login=_config.accounts.login)


def accounts() -> AccountService:
    config = data.config_or_stop()
    return _accounts(config, config.accounts.login.model_dump_json())


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


def quality() -> CaseQuality:
    """工单质检, 无效工单 and 重复派单 (cases.quality.CaseQuality), on the console's case service."""
    return CaseQuality(cases())


@st.cache_resource
def _rectification(_config: Config) -> RectificationService:
    return RectificationService(_config, db=data.get_state(_config), cases=_cases(_config))


def rectification() -> RectificationService:
    """督办 (rectification.RectificationService), on the console's case service."""
    return _rectification(data.config_or_stop())


@st.cache_resource
def _scripts(_config: Config) -> ScriptService:
    return ScriptService(data.get_state(_config))


def scripts() -> ScriptService:
    return _scripts(data.config_or_stop())


@st.cache_resource
def _guides(_config: Config) -> GuideService:
    return GuideService(data.get_state(_config))


def guides() -> GuideService:
    """排障指引 (knowledge.GuideService)."""
    return _guides(data.config_or_stop())


@st.cache_resource
def _typical(_config: Config) -> TypicalCaseService:
    return TypicalCaseService(data.get_state(_config))


def typical() -> TypicalCaseService:
    """典型案例 (knowledge.TypicalCaseService)."""
    return _typical(data.config_or_stop())


def grade_post(post_id: str, user: User, **fields: Any) -> Any:
    """A monitor's grade of a post: a training label, and the stored post's grade at once
    (nlp.labels.grade_post)."""
    return labels.grade_post(data.state(), data.store(), post_id, user.username, **fields)
