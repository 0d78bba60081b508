"""The knowledge tables on a fresh state.db, applied once; a guide's code is unique."""

from __future__ import annotations

import sqlite3

import pytest

from core.db import StateDB
from knowledge.schema import SCHEMA


def test_fresh_database_gets_every_table_once(tmp_path):
    db = StateDB(tmp_path / "state.db")
    db.ensure(SCHEMA)
    db.ensure(SCHEMA)
    names = {r["name"] for r in db.query("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"guides", "guide_versions", "typical_cases", "typical_versions"} <= names
    assert db.query("SELECT version FROM schema_versions WHERE owner = ?", (SCHEMA.owner,)) == [
        {"version": SCHEMA.version}]
    db.execute("INSERT INTO guides (code, created_by, created_at) VALUES ('ZY-BB-01', 'a', 't')")
    with pytest.raises(sqlite3.IntegrityError):
        db.execute("INSERT INTO guides (code, created_by, created_at) VALUES ('ZY-BB-01', 'b', 't')")
    db.close()
