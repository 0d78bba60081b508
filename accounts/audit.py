"""The accounts audit log: every failed login, lockout and unlock, and what admins did to users.

Append-only (SQLite triggers refuse UPDATE and DELETE). A failed login records the user name as
typed and the client address, never the password.
"""

from __future__ import annotations

from typing import Iterable

from core.db import StateDB


ACTION_LABELS = {
    "login_failed": "登录失败", "locked": "锁定", "unlock": "解锁", "add": "新增用户",
    "update": "修改用户", "disable": "停用", "enable": "启用", "password": "修改密码",
}
LOGIN_ACTIONS = ("login_failed", "locked", "unlock")
REASON_LABELS = {
    "wrong_password": "密码错误", "unknown_user": "无此用户", "disabled": "账号已停用",
    "locked": "锁定期间", "throttled": "尝试过于频繁",
}


def record(db: StateDB, at: str, action: str, username: str, *, actor: str = "",
           client: str = "", detail: str = "") -> None:
    """Append one entry."""
    db.execute("INSERT INTO account_audit (at, actor, action, username, client, detail) "
               "VALUES (?, ?, ?, ?, ?, ?)", (at, actor, action, username, client, detail))


def entries(db: StateDB, actions: Iterable[str] | None = None, limit: int = 100) -> list[dict]:
    """The newest entries first, of `actions` only when given."""
    if actions is None:
        return db.query("SELECT * FROM account_audit ORDER BY audit_id DESC LIMIT ?", (limit,))
    actions = list(actions)
    marks = ", ".join("?" * len(actions))
    return db.query(f"SELECT * FROM account_audit WHERE action IN ({marks}) "
                    "ORDER BY audit_id DESC LIMIT ?", (*actions, limit))
