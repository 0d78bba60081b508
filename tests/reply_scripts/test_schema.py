"""The reply-script tables: a library from before scripts had tiers gets the column."""

from __future__ import annotations

import sqlite3

from core.db import StateDB
from reply_scripts.schema import SCHEMA, TABLES


def test_a_library_without_tiers_is_carried_forward(tmp_path):
    path = tmp_path / "state.db"
    conn = sqlite3.connect(path)
    conn.executescript(TABLES.replace("    tiers TEXT NOT NULL DEFAULT '[]',\n", ""))
    conn.execute("INSERT INTO script_versions (script_id, version, title, categories, scenario, "
                 "body, status, author, created_at) VALUES (1, 1, 't', '[]', 's', 'b', 'draft', "
                 "'mon', '2026-11-20T09:00:00+08:00')")
    conn.commit()
    conn.close()
    db = StateDB(path)
    db.ensure(SCHEMA)
    assert db.query("SELECT title, tiers FROM script_versions") == [{"title": "t", "tiers": "[]"}]
    assert db.query("SELECT version FROM schema_versions WHERE owner = 'reply_scripts'") == [
        {"version": 2}]
