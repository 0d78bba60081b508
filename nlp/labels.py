"""Labels that monitors set in the console (corrections of a post's grade), kept in the state DB
(table `labels`, the nlp package's only table).

A label does two jobs. It is training data: the nightly retrain learns from the newest label of
each post. And it is the post's grade of record from the moment it is saved: the console writes
it to the stored post at once, and every later grading of that post — a re-crawl, `tousu
reanalyse`, the console's 重新分析 — keeps it. A post a person graded says so in its first
reason (「人工修正…」 or 「人工确认…」), which is how a stored post is known to be human-graded
without another table.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any, Iterable, Iterator, Mapping, Protocol, Sequence

from core.db import Schema, StateDB
from core.post import Post
from core.vocab import TIER_LABELS

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

CORRECTED, CONFIRMED = "人工修正", "人工确认"
# What a label sets on the post: its grade. The other analysis fields (keywords, influence,
# intent, operators) stay the analyser's.
GRADE_FIELDS = ("severity", "relevant", "categories", "city")


class LabelError(ValueError):
    """A label that cannot be saved; the message is Chinese, for the console."""


class GradedStore(Protocol):
    """What grading needs of the post store (indexer.base.Store; nlp sits below the indexer)."""

    def get(self, post_id: str) -> Post | None: ...

    def set_grade(self, post_id: str, *, severity: int | None, relevant: bool | None,
                  categories: Sequence[str], city: str | None,
                  reasons: Sequence[str]) -> Post | None: ...


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


def _row(row: Mapping[str, Any]) -> dict[str, Any]:
    return {"post_id": row["post_id"], "text": row["text"], "severity": row["severity"],
            "relevant": None if row["relevant"] is None else bool(row["relevant"]),
            "categories": None if row["categories"] is None else json.loads(row["categories"]),
            "city": row["city"], "user": row["user"], "created_at": row["created_at"],
            "style": "console", "source": "labels"}


def iter_labels(state: StateDB) -> Iterator[dict[str, Any]]:
    """The newest label of each post, as a training row (text, severity, relevant, categories, city)."""
    state.ensure(SCHEMA)
    rows = state.query(
        "SELECT * FROM labels WHERE label_id IN (SELECT MAX(label_id) FROM labels GROUP BY post_id)"
        " ORDER BY label_id")
    for row in rows:
        yield _row(row)


def newest_labels(state: StateDB, post_ids: Iterable[str]) -> dict[str, dict[str, Any]]:
    """The newest label of each of these posts that has one, by post id (one indexed query)."""
    ids = list(dict.fromkeys(post_ids))
    if not ids:
        return {}
    state.ensure(SCHEMA)
    marks = ", ".join("?" * len(ids))
    rows = state.query(
        f"SELECT * FROM labels WHERE label_id IN (SELECT MAX(label_id) FROM labels "
        f"WHERE post_id IN ({marks}) GROUP BY post_id)", ids)
    return {row["post_id"]: _row(row) for row in rows}


def label_grade(label: Mapping[str, Any]) -> dict[str, Any] | None:
    """The grade a label sets, or None for a label without a tier (training data only)."""
    if label.get("severity") is None:
        return None
    grade = {name: label.get(name) for name in GRADE_FIELDS}
    if grade["categories"] is None:
        grade.pop("categories")
    return grade


def human_graded(post: Post) -> str | None:
    """CORRECTED or CONFIRMED when a person set this post's grade, else None."""
    first = post.reasons[0] if post.reasons else ""
    return next((kind for kind in (CORRECTED, CONFIRMED) if first.startswith(kind)), None)


def _same(grade: Mapping[str, Any], post: Post) -> bool:
    for name, value in grade.items():
        old = getattr(post, name)
        if name == "categories" and sorted(value or []) != sorted(old or []):
            return False
        if name != "categories" and value != old:
            return False
    return True


def grade_reason(grade: Mapping[str, Any], graded: Post, user: str | None) -> str:
    """The reason a human grade puts first: 「人工修正：0级 无关/正面（monitor）」 when it differs
    from the grade `graded` holds (the analyser's), 「人工确认：…」 when it agrees."""
    kind = CONFIRMED if _same(grade, graded) else CORRECTED
    tier = grade["severity"]
    return f"{kind}：{tier}级 {TIER_LABELS.get(tier, '')}（{user or '监控员'}）"


def set_grade(post: Post, grade: Mapping[str, Any], reason: str) -> Post:
    """Give the post a human grade: its fields, and `reason` ahead of the analyser's reasons
    (an earlier human reason is replaced). Returns the post."""
    for name, value in grade.items():
        setattr(post, name, list(value) if name == "categories" else value)
    model_reasons = post.reasons[1:] if human_graded(post) else post.reasons
    post.reasons = [reason, *model_reasons]
    return post


def held_grade(post: Post) -> dict[str, Any] | None:
    """A stored post's human grade and its reason, to put back after re-grading; None if the
    analyser graded it."""
    if not human_graded(post):
        return None
    grade = {name: getattr(post, name) for name in GRADE_FIELDS}
    grade["categories"] = list(grade["categories"])  # the analyser may reuse the list
    return {"grade": grade, "reason": post.reasons[0]}


def keep_human_grades(posts: Iterable[Post], held: Mapping[str, Mapping[str, Any]]) -> None:
    """After re-grading: posts a person graded get that grade back (held_grade's values)."""
    for post in posts:
        kept = held.get(post.id)
        if kept is not None:
            set_grade(post, kept["grade"], kept["reason"])


def apply_labels(state: StateDB, posts: list[Post]) -> int:
    """Freshly analysed posts that a monitor has labelled take the label's grade (a re-crawl of
    a corrected post must not undo the correction); returns how many did."""
    labels = newest_labels(state, (p.id for p in posts))
    applied = 0
    for post in posts:
        grade = label_grade(labels[post.id]) if post.id in labels else None
        if grade is not None:
            set_grade(post, grade, grade_reason(grade, post, labels[post.id]["user"]))
            applied += 1
    return applied


def grade_post(state: StateDB, store: GradedStore, post_id: str, user: str, *, severity: int,
               categories: list[str], city: str | None, relevant: bool | None) -> Post:
    """A monitor's grade of a stored post: saved as a label (training data for the next retrain)
    and written to the stored post at once, marked as a person's; returns the post as stored."""
    post = store.get(post_id)
    if post is None:
        raise LabelError("这条帖子已不在库中（可能已按保留期清理），无法标注")
    grade = {"severity": severity, "relevant": relevant, "categories": list(categories),
             "city": city}
    add_label(state, post_id, post.text, user=user, **grade)
    set_grade(post, grade, grade_reason(grade, post, user))
    stored = store.set_grade(post_id, severity=post.severity, relevant=post.relevant,
                             categories=post.categories, city=post.city, reasons=post.reasons)
    if stored is None:
        raise LabelError("这条帖子已不在库中（可能已按保留期清理），无法标注")
    return stored
