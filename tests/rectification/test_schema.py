"""The 督办 tables on a fresh state.db, applied once; notes and the audit log refuse change."""

from __future__ import annotations

import sqlite3

import pytest

from core.db import StateDB
from rectification.schema import NOTE_KINDS, SCHEMA


def test_fresh_database_gets_every_table_once_and_notes_are_append_only(tmp_path):
    db = StateDB(tmp_path / "state.db")
    db.ensure(SCHEMA)
    db.ensure(SCHEMA)
    tables = {r["name"] for r in db.query("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"rectify_items", "rectify_links", "rectify_notes", "rectify_audit", "rectify_worst",
            "rectify_escalations"} <= tables
    assert db.query("SELECT version FROM schema_versions WHERE owner = 'rectification'") == [{"version": 1}]
    db.execute("INSERT INTO rectify_notes (item_id, at, author, author_role, kind, body) "
               "VALUES (1, '2026-11-20T09:00:00+08:00', 'boss', 'manager', 'remark', '请加快')")
    for sql in ("UPDATE rectify_notes SET body = 'x'", "DELETE FROM rectify_notes"):
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            db.execute(sql)
    assert set(NOTE_KINDS) >= {"progress", "remark", "evidence"}
    db.close()
