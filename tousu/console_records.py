"""What the console keeps in state.db besides the domains' data: who edited config.yaml (信源,
规则) and how, and each user's saved searches.

These tables belong to the app rather than to a domain package: config.yaml is composed here
(tousu.config), and a saved search is a filled-in console search form (any domain's filters),
not a fact of one domain. The console pages hold no SQL and call these functions.
"""

from __future__ import annotations

import json
from typing import Any

from core.db import Schema, StateDB
from core.post import iso, now_cst

TABLES = """
CREATE TABLE IF NOT EXISTS config_audit (
    at TEXT NOT NULL, username TEXT NOT NULL, section TEXT NOT NULL, name TEXT NOT NULL,
    before TEXT NOT NULL, after TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS console_saved_searches (
    username TEXT NOT NULL, name TEXT NOT NULL, spec TEXT NOT NULL, created_at TEXT NOT NULL,
    PRIMARY KEY (username, name));
"""

SCHEMA = Schema("tousu", (TABLES,))


def record_config_edit(db: StateDB, username: str, section: str, name: str, before: str,
                       after: str) -> None:
    """Audit one saved edit of a config.yaml item (its text before and after)."""
    db.ensure(SCHEMA)
    db.execute("INSERT INTO config_audit VALUES (?, ?, ?, ?, ?, ?)",
               (iso(now_cst()), username, section, name, before, after))


def config_edits(db: StateDB, section: str, limit: int = 20) -> list[dict[str, Any]]:
    """The latest edits of a section, newest first: at, username, name."""
    db.ensure(SCHEMA)
    return db.query("SELECT at, username, name FROM config_audit WHERE section = ? "
                    "ORDER BY at DESC, rowid DESC LIMIT ?", (section, limit))


def saved_searches(db: StateDB, username: str) -> dict[str, dict[str, Any]]:
    """A user's saved searches, newest first: name → the search form's values."""
    db.ensure(SCHEMA)
    rows = db.query("SELECT name, spec FROM console_saved_searches WHERE username = ? "
                    "ORDER BY created_at DESC", (username,))
    return {r["name"]: json.loads(r["spec"]) for r in rows}


def save_search(db: StateDB, username: str, name: str, spec: dict[str, Any]) -> None:
    """Save (or replace) a user's search under `name`."""
    db.ensure(SCHEMA)
    db.execute("INSERT OR REPLACE INTO console_saved_searches VALUES (?, ?, ?, ?)",
               (username, name, json.dumps(spec, ensure_ascii=False), iso(now_cst())))


def delete_search(db: StateDB, username: str, name: str) -> None:
    """Forget a user's saved search."""
    db.ensure(SCHEMA)
    db.execute("DELETE FROM console_saved_searches WHERE username = ? AND name = ?",
               (username, name))
