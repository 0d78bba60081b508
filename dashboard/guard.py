"""The error boundary every page runs inside: a Chinese message, never a traceback."""

from __future__ import annotations

import logging
import uuid
from typing import Any, Callable

import streamlit as st
from streamlit.runtime.scriptrunner_utils.exceptions import ScriptControlException

from accounts import PermissionDenied
from core.config import ConfigError
from core.secrets import RedactingFilter
from dashboard import auth
from indexer import StoreError
from indexer.query import QuerySyntaxError

log = logging.getLogger("tousu.console")
log.addFilter(RedactingFilter())  # a traceback may quote a URL with an expanded ${SECRET}
_SERVICES = ("accounts", "cases", "rectification", "reply_scripts", "knowledge", "reports", "alerts", "nlp")


def _friendly(exc: Exception) -> str | None:
    """A Chinese message for the errors we expect from the services, or None."""
    if isinstance(exc, PermissionDenied):
        return f"无权操作：{exc}"
    if isinstance(exc, QuerySyntaxError):
        return f"检索式有误：{exc}"
    if isinstance(exc, StoreError):
        return "数据存储暂时不可用，请稍后重试；如持续出现请联系管理员。"
    if isinstance(exc, ConfigError):
        return "配置文件有误，请运行 `tousu check` 查看详情。"
    for klass in type(exc).__mro__:
        # The services phrase their own errors in Chinese for the user (CaseError, ScriptError,
        # KnowledgeError, AccountError, AlertsError…; CaseNotFound is a CaseError).
        if klass.__name__.endswith("Error") and klass.__module__.split(".")[0] in _SERVICES:
            return str(exc)
    return None


def show_error(exc: Exception) -> None:
    """Show an exception as a Chinese message; unexpected ones get an id and go to the log."""
    message = _friendly(exc)
    if message is not None:
        st.error(message, icon="⚠️")
        return
    ref = uuid.uuid4().hex[:8]
    log.exception("console error %s", ref)
    st.error(f"页面出错了，请刷新重试。如果问题持续，请把错误编号 {ref} 告诉管理员。", icon="⚠️")


def run_page(page: str, render: Callable[[Any], None]) -> None:
    """Check the user may open `page`, then render it inside the error boundary.

    Fragments call it too: a fragment re-runs alone, so it checks the session again.
    """
    user = auth.require_page(page)
    try:
        render(user)
    except ScriptControlException:  # st.stop / st.rerun / st.switch_page are control flow
        raise
    except Exception as exc:  # the boundary: anything else becomes a Chinese message
        show_error(exc)


def action(label: str, fn: Callable[[], Any], success: str | None = None,
           rerun: bool = False) -> Any:
    """Run a button's action; show its result or its error without losing the page.

    With `rerun`, the page is run again at once (so e.g. a labelled post leaves the queue) and
    the success message is shown as a toast after the rerun.
    """
    try:
        result = fn()
    except ScriptControlException:
        raise
    except Exception as exc:
        show_error(exc)
        return None
    if rerun:
        if success:
            st.session_state["tousu_flash"] = success
        st.rerun()
    if success:
        st.toast(success, icon="✅")
    return result


def show_flash() -> None:
    """Show the message an action left before it re-ran the page."""
    message = st.session_state.pop("tousu_flash", None)
    if message:
        st.toast(message, icon="✅")
