"""The cases tables: the audit log and the notes refuse change."""

from __future__ import annotations

import sqlite3

import pytest

from tests.cases.helpers import post_id


def test_audit_and_notes_are_append_only(world):
    service, users, _, store = world
    case = service.create_from_post(users["mon"], post_id(store, 1))
    service.comment(users["cs"], case.case_id, "已电话联系")
    for table in ("case_audit", "case_notes"):
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            service.db.execute(f"UPDATE {table} SET at = 'x'")
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            service.db.execute(f"DELETE FROM {table}")
    assert [a["action"] for a in service.audit_log(users["mon"], case.case_id)] == ["create", "dispatch", "comment"]
