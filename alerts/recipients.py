"""Recipient groups (收件组): named lists of notifiers that managers keep on the console, so a
warning published by hand or changed in review can be sent to "衡阳分公司" rather than to three
channels picked one by one. Kept in state.db, not in config.yaml: the channels and their secrets
stay in the config; who gets what is the managers' to change. Every change is audited."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, Iterable

from accounts.models import User
from alerts import audit
from alerts.config import AppConfig
from alerts.review import ReviewError, check_recipients
from alerts.schema import SCHEMA
from core.db import StateDB
from core.post import iso, now_cst

EDITORS = ("manager", "admin")


def groups(state: StateDB) -> list[dict[str, Any]]:
    """Every group by name: {name, notifiers, note, updated_by, updated_at}."""
    state.ensure(SCHEMA)
    rows = state.query("SELECT * FROM recipient_groups ORDER BY name")
    for row in rows:
        row["notifiers"] = json.loads(row["notifiers"])
    return rows


def save_group(state: StateDB, config: AppConfig, user: User, name: str, notifiers: Iterable[str],
               note: str = "", now: datetime | None = None) -> dict[str, Any]:
    """Create or replace a group (managers and admins); its notifiers must be configured."""
    user.require(*EDITORS, action="编辑收件组")
    state.ensure(SCHEMA)
    name = name.strip()
    if not name or len(name) > 40:
        raise ReviewError("收件组名称须为 1–40 个字")
    names = check_recipients(config, notifiers)
    stamp = iso(now or now_cst())
    with state.atomic() as conn:
        before = conn.execute("SELECT notifiers FROM recipient_groups WHERE name = ?",
                              (name,)).fetchone()
        conn.execute("INSERT INTO recipient_groups (name, notifiers, note, updated_by, updated_at) "
                     "VALUES (?, ?, ?, ?, ?) ON CONFLICT (name) DO UPDATE SET "
                     "notifiers = excluded.notifiers, note = excluded.note, "
                     "updated_by = excluded.updated_by, updated_at = excluded.updated_at",
                     (name, json.dumps(names, ensure_ascii=False), note.strip(), user.username, stamp))
        audit.record(conn, stamp, user.username, "group_save", None, group=name,
                     before=json.loads(before[0]) if before else None, after=names)
    return next(g for g in groups(state) if g["name"] == name)


def delete_group(state: StateDB, user: User, name: str, now: datetime | None = None) -> bool:
    """Remove a group (managers and admins); False when there was none. Warnings already sent
    to it keep the notifiers they were sent to."""
    user.require(*EDITORS, action="删除收件组")
    state.ensure(SCHEMA)
    stamp = iso(now or now_cst())
    with state.atomic() as conn:
        before = conn.execute("SELECT notifiers FROM recipient_groups WHERE name = ?",
                              (name,)).fetchone()
        if before is None:
            return False
        conn.execute("DELETE FROM recipient_groups WHERE name = ?", (name,))
        audit.record(conn, stamp, user.username, "group_delete", None, group=name,
                     before=json.loads(before[0]))
    return True


def expand(state: StateDB, config: AppConfig, group_names: Iterable[str] = (),
           notifiers: Iterable[str] = ()) -> list[str] | None:
    """The notifiers of the chosen groups and single notifiers, in order, each once; None when
    nothing was chosen (the notifiers' own routing decides)."""
    chosen = list(group_names)
    picked = list(notifiers)
    if not chosen and not picked:
        return None
    by_name = {g["name"]: g["notifiers"] for g in groups(state)}
    missing = [g for g in chosen if g not in by_name]
    if missing:
        raise ReviewError(f"没有名为「{missing[0]}」的收件组")
    return check_recipients(config, [n for g in chosen for n in by_name[g]] + picked)
