"""The crawler's tables on a fresh state.db, applied once."""

from __future__ import annotations

from core.db import StateDB
from crawler.schema import SCHEMA


def test_fresh_database_gets_every_table_once(tmp_path):
    db = StateDB(tmp_path / "state.db")
    db.ensure(SCHEMA)
    db.ensure(SCHEMA)
    tables = {r["name"] for r in db.query("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"source_runs", "blind_spots", "crawl_seen", "near_dup", "near_dup_key"} <= tables
    assert db.query("SELECT version FROM schema_versions WHERE owner = 'crawler'") == [{"version": 2}]
    db.close()
