"""The accounts package's tables in state.db: users, login sessions, login attempts, the audit log."""

from __future__ import annotations

from core.db import Schema

TABLES = """
CREATE TABLE IF NOT EXISTS users (
    user_id INTEGER PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL DEFAULT '',
    role TEXT NOT NULL,
    cities TEXT NOT NULL DEFAULT '[]',
    password_hash TEXT NOT NULL,
    active INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    last_login_at TEXT
);
-- login sessions (accounts.sessions): only the token's hash is stored
CREATE TABLE IF NOT EXISTS sessions (
    token_hash TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS sessions_user ON sessions (user_id);
"""

# Login throttling and lockout (accounts/attempts.py) and the append-only audit log
# (accounts/audit.py): a failed login records the name as typed and the address, never the password.
LOGIN_AND_AUDIT = """
CREATE TABLE IF NOT EXISTS login_attempts (
    kind TEXT NOT NULL,                -- 'name' (as typed) | 'address' (the client's)
    key TEXT NOT NULL,
    failures INTEGER NOT NULL,         -- name: wrong in a row since the last success or lock;
                                       -- address: within forget_after of each other
    locks INTEGER NOT NULL DEFAULT 0,  -- name: locks in a row; each lasts twice the one before
    last_failure_at TEXT NOT NULL,
    wait_until TEXT,                   -- no attempt before this
    locked_until TEXT,                 -- name: refused until then, even with the right password
    PRIMARY KEY (kind, key)
);
CREATE TABLE IF NOT EXISTS account_audit (
    audit_id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    actor TEXT NOT NULL DEFAULT '',   -- the admin who acted, 'system' for the command line, '' for a login
    action TEXT NOT NULL,             -- a key of ACTION_LABELS
    username TEXT NOT NULL,           -- the account concerned; for a login, the name as typed
    client TEXT NOT NULL DEFAULT '',  -- the client address of a login attempt
    detail TEXT NOT NULL DEFAULT ''   -- a failed login's reason (REASON_LABELS) or what changed
);
CREATE INDEX IF NOT EXISTS account_audit_action ON account_audit (action, audit_id);
CREATE TRIGGER IF NOT EXISTS account_audit_no_update BEFORE UPDATE ON account_audit
BEGIN SELECT RAISE(ABORT, 'account_audit is append-only'); END;
CREATE TRIGGER IF NOT EXISTS account_audit_no_delete BEFORE DELETE ON account_audit
BEGIN SELECT RAISE(ABORT, 'account_audit is append-only'); END;
"""

SCHEMA = Schema("accounts", (TABLES, LOGIN_AND_AUDIT))
