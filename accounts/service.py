"""Accounts: add, list, disable, change passwords, authenticate; admin-only where it matters."""

from __future__ import annotations

import json
import os
import re
from datetime import datetime
from typing import Callable, Iterable

from accounts import audit
from accounts.attempts import Attempt, LoginAttempts, LoginRefusedError, locked_message
from accounts.config import LoginConfig
from accounts.models import ROLE_LABELS, ROLES, SYSTEM, PermissionDenied, User
from accounts.passwords import check_strength, hash_password, needs_rehash, verify_password
from accounts.schema import SCHEMA
from core.db import StateDB
from core.post import iso, now_cst

_USERNAME = re.compile(r"^[A-Za-z0-9_.\-]{2,32}$")
# A failed login records the name as typed, cut to this many characters.
TYPED_NAME_MAX = 64


class AccountError(ValueError):
    """Bad input for an account operation (Chinese message)."""


def _describe(role: str, cities: Iterable[str]) -> str:
    """'分公司处理员（长沙、株洲）' for audit details."""
    cities = "、".join(cities)
    return ROLE_LABELS.get(role, role) + (f"（{cities}）" if cities else "")


def _user(row: dict) -> User:
    return User(username=row["username"], role=row["role"], cities=tuple(json.loads(row["cities"])),
                display_name=row["display_name"], user_id=row["user_id"], active=bool(row["active"]))


class AccountService:
    """Users in the state DB. `known_cities` (optional) validates handler bindings; `login` is
    the throttle and lockout policy of `authenticate` (config `accounts.login`)."""

    def __init__(self, db: StateDB, known_cities: Iterable[str] | None = None,
                 login: LoginConfig = LoginConfig(), clock: Callable[[], datetime] = now_cst):
        self.db = db
        self.known_cities = list(known_cities) if known_cities is not None else None
        self.clock = clock
        db.ensure(SCHEMA)
        self.attempts = LoginAttempts(db, login)

    # --- reading ---------------------------------------------------------------------------
    def load_user(self, username: str) -> User | None:
        """The stored user (active or not), or None; for the console to refresh a session."""
        rows = self.db.query("SELECT * FROM users WHERE username = ?", (username,))
        return _user(rows[0]) if rows else None

    def count(self) -> int:
        """How many users are stored (0 = first start)."""
        return self.db.query("SELECT count(*) AS n FROM users")[0]["n"]

    def list_users(self, actor: User) -> list[User]:
        """Every user; admins and managers only."""
        actor.require("admin", "manager", action="查看用户列表")
        return [_user(r) for r in self.db.query("SELECT * FROM users ORDER BY role, username")]

    def handlers_for(self, city: str) -> list[User]:
        """Active handlers bound to `city` (for dispatch and notifications)."""
        return [_user(r) for r in self.db.query(
            "SELECT * FROM users WHERE role = 'handler' AND active = 1 ORDER BY username")
            if city in json.loads(r["cities"])]

    # --- writing ---------------------------------------------------------------------------
    def _check(self, username: str, role: str, cities: Iterable[str]) -> list[str]:
        if not _USERNAME.match(username):
            raise AccountError("用户名须为 2–32 位字母、数字、下划线、点或连字符")
        if role not in ROLES:
            raise AccountError(f"未知角色 {role!r}；可选：{', '.join(ROLES)}")
        cities = [c.strip() for c in cities if c.strip()]
        if role == "handler" and not cities:
            raise AccountError("分公司处理员必须绑定至少一个负责地市")
        if self.known_cities is not None:
            unknown = [c for c in cities if c not in self.known_cities]
            if unknown:
                raise AccountError(f"未知地市：{'、'.join(unknown)}；可选：{'、'.join(self.known_cities)}")
        return cities

    def add_user(self, actor: User, username: str, password: str, role: str,
                 cities: Iterable[str] = (), display_name: str = "") -> User:
        """Create a user; admin only. Handlers must be bound to at least one city."""
        actor.require("admin", action="添加用户")
        cities = self._check(username, role, cities)
        try:
            check_strength(password)
        except ValueError as exc:
            raise AccountError(str(exc)) from None
        if self.load_user(username):
            raise AccountError(f"用户 {username} 已存在")
        now, password_hash = iso(self.clock()), hash_password(password)
        with self.db.atomic():
            self.db.execute(
                "INSERT INTO users (username, display_name, role, cities, password_hash, created_at, "
                "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (username, display_name, role, json.dumps(cities, ensure_ascii=False),
                 password_hash, now, now))
            audit.record(self.db, now, "add", username, actor=actor.username,
                         detail=_describe(role, cities))
        user = self.load_user(username)
        assert user is not None
        return user

    def _require_user(self, username: str) -> User:
        user = self.load_user(username)
        if user is None:
            raise AccountError(f"用户 {username} 不存在")
        return user

    def set_active(self, actor: User, username: str, active: bool) -> User:
        """Disable (or re-enable) a user; admin only, never yourself."""
        actor.require("admin", action="停用/启用用户")
        self._require_user(username)
        if username == actor.username and not active:
            raise AccountError("不能停用自己的账号")
        now = iso(self.clock())
        with self.db.atomic():
            self.db.execute("UPDATE users SET active = ?, updated_at = ? WHERE username = ?",
                            (int(active), now, username))
            audit.record(self.db, now, "enable" if active else "disable", username,
                         actor=actor.username)
            user = self._require_user(username)
            self._end_sessions(user)
        return user

    def set_password(self, actor: User, username: str, new_password: str,
                     old_password: str | None = None) -> None:
        """Admins set anyone's password; a user changes their own with the old one."""
        if actor.role != "admin" or not actor.active:
            if actor.username != username:
                raise PermissionDenied("只能修改自己的密码")
        target = self._require_user(username)
        if actor.role != "admin" or not actor.active:
            stored = self.db.query("SELECT password_hash FROM users WHERE username = ?",
                                   (username,))[0]["password_hash"]
            if old_password is None or not verify_password(stored, old_password):
                raise PermissionDenied("原密码不正确")
        try:
            check_strength(new_password)
        except ValueError as exc:
            raise AccountError(str(exc)) from None
        now, password_hash = iso(self.clock()), hash_password(new_password)
        with self.db.atomic():
            self.db.execute("UPDATE users SET password_hash = ?, updated_at = ? WHERE user_id = ?",
                            (password_hash, now, target.user_id))
            audit.record(self.db, now, "password", username, actor=actor.username,
                         detail="本人修改" if actor.username == username else "管理员重置")
            self._end_sessions(target)

    def update_user(self, actor: User, username: str, role: str | None = None,
                    cities: Iterable[str] | None = None, display_name: str | None = None) -> User:
        """Change role, city binding or display name; admin only."""
        actor.require("admin", action="修改用户")
        user = self._require_user(username)
        role = role or user.role
        new_cities = self._check(username, role, user.cities if cities is None else cities)
        now = iso(self.clock())
        with self.db.atomic():
            self.db.execute(
                "UPDATE users SET role = ?, cities = ?, display_name = ?, updated_at = ? "
                "WHERE username = ?",
                (role, json.dumps(new_cities, ensure_ascii=False),
                 user.display_name if display_name is None else display_name, now, username))
            updated = self._require_user(username)
            changes = [f"{_describe(user.role, user.cities)} → {_describe(updated.role, updated.cities)}"
                       if (updated.role, updated.cities) != (user.role, user.cities) else "",
                       f"姓名 {user.display_name} → {updated.display_name}"
                       if updated.display_name != user.display_name else ""]
            audit.record(self.db, now, "update", username, actor=actor.username,
                         detail="；".join(c for c in changes if c) or "未改变")
            if (updated.role, updated.cities) != (user.role, user.cities):
                self._end_sessions(updated)
        return updated

    def _end_sessions(self, user: User) -> None:
        """Log the user out everywhere: their rights or their password changed."""
        self.db.execute("DELETE FROM sessions WHERE user_id = ?", (user.user_id,))

    # --- logging in ------------------------------------------------------------------------
    def authenticate(self, username: str, password: str, client: str = "") -> User | None:
        """The user when the password matches and the account is active, else None.

        Raises LoginRefusedError, without looking at the password, while the name is locked or
        the name or the `client` address must wait (accounts.attempts), and when this failure
        locks the name. Every failure goes to the audit log with its reason, never the password.
        """
        name, now = username[:TYPED_NAME_MAX], self.clock()
        try:
            attempt = self.attempts.begin(name, client, now)
        except LoginRefusedError as exc:
            audit.record(self.db, iso(now), "login_failed", name, client=client, detail=exc.reason)
            raise
        rows = self.db.query("SELECT * FROM users WHERE username = ?", (username,))
        if not rows:
            verify_password(hash_password("timing-equaliser"), password)  # same cost either way
            reason = "unknown_user"
        elif not verify_password(rows[0]["password_hash"], password):
            reason = "wrong_password"
        elif not rows[0]["active"]:
            reason = "disabled"
        else:
            return self._logged_in(rows[0], password, attempt)
        with self.db.atomic():
            audit.record(self.db, iso(now), "login_failed", name, client=client, detail=reason)
            if attempt.locked_until:
                audit.record(self.db, iso(now), "locked", name, client=client,
                             detail=f"至 {iso(attempt.locked_until)}")
        if attempt.locked_until:
            raise LoginRefusedError(locked_message(attempt.locked_until, now), "locked")
        return None

    def _logged_in(self, row: dict, password: str, attempt: Attempt) -> User:
        self.attempts.succeeded(attempt)
        updates = {"last_login_at": iso(self.clock())}
        if needs_rehash(row["password_hash"]):
            updates["password_hash"] = hash_password(password)
        sets = ", ".join(f"{k} = ?" for k in updates)
        self.db.execute(f"UPDATE users SET {sets} WHERE user_id = ?", (*updates.values(), row["user_id"]))
        return _user(row)

    def login_restrictions(self, actor: User) -> list[dict]:
        """User names (as typed) that failed in a row or are locked, with whether they exist."""
        actor.require("admin", action="查看登录锁定")
        rows = self.attempts.names(self.clock())
        known = {r["username"] for r in self.db.query("SELECT username FROM users")}
        return [{**r, "exists": r["name"] in known} for r in rows]

    def unlock(self, actor: User, username: str) -> bool:
        """End a name's lock and forget its failures in a row; admin only. True when it was locked."""
        actor.require("admin", action="解锁用户")
        now = self.clock()
        with self.db.atomic():
            had = self.attempts.unlock(username, now)
            if had:
                audit.record(self.db, iso(now), "unlock", username, actor=actor.username,
                             detail="解除锁定" if had == "locked" else "清除连续失败记录")
        return had == "locked"

    def audit_log(self, actor: User, actions: Iterable[str] | None = None,
                  limit: int = 100) -> list[dict]:
        """The accounts audit log, newest first (`audit.LOGIN_ACTIONS` for the logins); admin only."""
        actor.require("admin", action="查看账号审计日志")
        return audit.entries(self.db, actions, limit)

    def ensure_admin(self, environ: dict[str, str] | None = None,
                     prompt: Callable[[], tuple[str, str]] | None = None) -> str | None:
        """First start: create an admin from TOUSU_ADMIN_USER/TOUSU_ADMIN_PASSWORD or `prompt`.

        Returns what happened (for the log), or None when users already exist.
        """
        if self.count():
            return None
        env = os.environ if environ is None else environ
        username, password = env.get("TOUSU_ADMIN_USER", ""), env.get("TOUSU_ADMIN_PASSWORD", "")
        if not password and prompt is not None:
            username, password = prompt()
        if not password:
            return ("尚无任何用户：设置环境变量 TOUSU_ADMIN_USER 与 TOUSU_ADMIN_PASSWORD 后重启，"
                    "或运行 `tousu users add admin --role admin` 创建管理员")
        user = self.add_user(SYSTEM, username or "admin", password, "admin", display_name="管理员")
        return f"已创建管理员账号 {user.username}"
