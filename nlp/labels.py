"""Labels that monitors set in the console (corrections of a post's grade), kept in the state DB
(table `labels`, the nlp package's only table)."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any, Iterator

from core.db import Schema, StateDB

TABLES = """
CREATE TABLE IF NOT EXISTS labels (
    label_id INTEGER PRIMARY KEY,
    post_id TEXT NOT NULL,
    text TEXT NOT NULL,
    severity INTEGER CHECK (severity BETWEEN 0 AND 4),
    categories TEXT,
    city TEXT,
    relevant INTEGER,
    user TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS labels_post ON labels (post_id, label_id);
"""

SCHEMA = Schema("nlp", (TABLES,))


def add_label(state: StateDB, post_id: str, text: str, severity: int | None = None,
              categories: list[str] | None = None, city: str | None = None,
              relevant: bool | None = None, user: str | None = None) -> int:
    """Store a monitor's label for a post; the newest label of a post is the one training uses."""
    if severity is not None and severity not in range(5):
        raise ValueError(f"severity must be 0-4, got {severity!r}")
    if not text.strip():
        raise ValueError("a label needs the post text")
    state.ensure(SCHEMA)
    cursor = state.execute(
        "INSERT INTO labels (post_id, text, severity, categories, city, relevant, user, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (post_id, text, severity, None if categories is None else json.dumps(categories, ensure_ascii=False),
         city, None if relevant is None else int(relevant), user,
         datetime.now(timezone.utc).isoformat(timespec="seconds")))
    return int(cursor.lastrowid or 0)


def iter_labels(state: StateDB) -> Iterator[dict[str, Any]]:
    """The newest label of each post, as a training row (text, severity, relevant, categories, city)."""
    state.ensure(SCHEMA)
    rows = state.query(
        "SELECT * FROM labels WHERE label_id IN (SELECT MAX(label_id) FROM labels GROUP BY post_id)"
        " ORDER BY label_id")
    for row in rows:
        yield {"post_id": row["post_id"], "text": row["text"], "severity": row["severity"],
               "relevant": None if row["relevant"] is None else bool(row["relevant"]),
               "categories": None if row["categories"] is None else json.loads(row["categories"]),
               "city": row["city"], "user": row["user"], "created_at": row["created_at"],
               "style": "console", "source": "labels"}
