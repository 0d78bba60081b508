"""The accounts tables on a fresh state.db, applied once, with an audit log that refuses change."""

from __future__ import annotations

import sqlite3

import pytest

from accounts.schema import SCHEMA
from core.db import StateDB


def _tables(db: StateDB) -> set[str]:
    return {r["name"] for r in db.query("SELECT name FROM sqlite_master WHERE type = 'table'")}


def test_fresh_database_gets_every_table_once(tmp_path):
    db = StateDB(tmp_path / "state.db")
    db.ensure(SCHEMA)
    db.ensure(SCHEMA)
    assert {"users", "sessions", "login_attempts", "account_audit"} <= _tables(db)
    assert db.query("SELECT version FROM schema_versions WHERE owner = 'accounts'") == [{"version": 2}]
    db.close()


def test_audit_rows_cannot_be_changed_or_deleted(tmp_path):
    db = StateDB(tmp_path / "state.db")
    db.ensure(SCHEMA)
    db.execute("INSERT INTO account_audit (at, action, username) VALUES ('t', 'add', 'cs01')")
    for sql in ("UPDATE account_audit SET username = 'x'", "DELETE FROM account_audit"):
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            db.execute(sql)
    assert db.query("SELECT username FROM account_audit") == [{"username": "cs01"}]
    db.close()
