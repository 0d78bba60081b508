"""Login sessions that outlive a browser reload: a random token, stored only as its hash.

The console hands the token to the browser as a cookie and looks it up here on every run. A
session ends on logout, after `idle` without use, after `lifetime` in any case, and whenever the
user's password, role, cities or active flag change (AccountService revokes them).
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from accounts.models import User
from accounts.service import AccountService
from core.post import iso, now_cst

IDLE = timedelta(hours=8)       # a working day without a click logs the user out
LIFETIME = timedelta(days=7)    # and a week in any case
# last_seen_at is written at most this often: a page run must not cost a write each time.
TOUCH_EVERY = timedelta(minutes=1)


def _hash(token: str) -> str:
    # The token is 256 random bits, so a plain SHA-256 suffices: a stolen table reveals no token.
    return hashlib.sha256(token.encode("ascii", "replace")).hexdigest()


class SessionStore:
    """Sessions in the state DB (table `sessions`, made with `users` by AccountService)."""

    def __init__(self, accounts: AccountService, idle: timedelta = IDLE,
                 lifetime: timedelta = LIFETIME):
        self.accounts = accounts
        self.db = accounts.db
        self.idle = idle
        self.lifetime = lifetime

    def create(self, user: User) -> str:
        """Start a session for an authenticated user; returns the token (shown to no one else)."""
        token = secrets.token_urlsafe(32)
        now = now_cst()
        self.db.execute("DELETE FROM sessions WHERE expires_at < ?", (iso(now),))
        self.db.execute("INSERT INTO sessions VALUES (?, ?, ?, ?, ?)",
                        (_hash(token), user.user_id, iso(now), iso(now), iso(now + self.lifetime)))
        return token

    def resolve(self, token: str) -> User | None:
        """The session's user, freshly loaded, or None when the session is gone, expired or idle."""
        if not token:
            return None
        rows = self.db.query("SELECT s.*, u.username FROM sessions s JOIN users u "
                             "ON u.user_id = s.user_id WHERE s.token_hash = ?", (_hash(token),))
        if not rows:
            return None
        row, now = rows[0], now_cst()
        last_seen = datetime.fromisoformat(row["last_seen_at"])
        if now >= datetime.fromisoformat(row["expires_at"]) or now - last_seen >= self.idle:
            self.revoke(token)
            return None
        user = self.accounts.load_user(row["username"])
        if user is None or not user.active:
            self.revoke(token)
            return None
        if now - last_seen >= TOUCH_EVERY:
            self.db.execute("UPDATE sessions SET last_seen_at = ? WHERE token_hash = ?",
                            (iso(now), row["token_hash"]))
        return user

    def revoke(self, token: str) -> None:
        """End one session (logout)."""
        self.db.execute("DELETE FROM sessions WHERE token_hash = ?", (_hash(token),))
