"""The state DB: one write transaction helper and the schema registry (per-owner versions)."""

from __future__ import annotations

import sqlite3
import time
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context

import pytest

from core.db import Schema, StateDB, append_only, run_script

NOTES = Schema("notes", ("""
    CREATE TABLE IF NOT EXISTS notes (
        note_id INTEGER PRIMARY KEY,
        body TEXT NOT NULL            -- free text; may hold ';' and "quotes"
    );
    CREATE TABLE IF NOT EXISTS note_log (at TEXT NOT NULL);
    CREATE TRIGGER IF NOT EXISTS notes_logged AFTER INSERT ON notes
    BEGIN INSERT INTO note_log VALUES ('a;b'); END;
""",))
# Step 2 is not idempotent on purpose: applied twice, ADD COLUMN fails.
NOTES_V2 = Schema("notes", (*NOTES.steps, "ALTER TABLE notes ADD COLUMN author TEXT"))
TAGS = Schema("tags", ("CREATE TABLE IF NOT EXISTS tags (name TEXT PRIMARY KEY)",))


def _versions(db: StateDB) -> dict[str, int]:
    return {r["owner"]: r["version"] for r in db.query("SELECT owner, version FROM schema_versions")}


def _tables(db: StateDB) -> set[str]:
    return {r["name"] for r in db.query("SELECT name FROM sqlite_master WHERE type = 'table'")}


def test_a_fresh_file_gets_the_tables_and_the_version(tmp_path):
    db = StateDB(tmp_path / "state.db")
    db.ensure(NOTES)
    assert {"notes", "note_log", "schema_versions"} <= _tables(db)
    assert _versions(db) == {"notes": 1}
    db.execute("INSERT INTO notes (body) VALUES ('x;y')")  # the trigger was made whole
    assert db.query("SELECT at FROM note_log") == [{"at": "a;b"}]


def test_a_file_made_before_the_registry_keeps_its_data(tmp_path):
    """Today's DDL is step 1 and says IF NOT EXISTS: an existing file only records version 1."""
    path = tmp_path / "state.db"
    conn = sqlite3.connect(path)
    conn.executescript(NOTES.steps[0] + "INSERT INTO notes (body) VALUES ('kept');")
    conn.close()
    db = StateDB(path)
    db.ensure(NOTES)
    assert db.query("SELECT body FROM notes") == [{"body": "kept"}]
    assert _versions(db) == {"notes": 1}
    db.ensure(NOTES_V2)   # a later step still runs, once
    assert db.query("SELECT body, author FROM notes") == [{"body": "kept", "author": None}]
    assert _versions(db) == {"notes": 2}


def test_ensuring_twice_applies_each_step_once(tmp_path):
    path = tmp_path / "state.db"
    first = StateDB(path)
    first.ensure(NOTES_V2)
    first.ensure(NOTES_V2)
    first.close()
    second = StateDB(path)  # another process opening the same file
    second.ensure(NOTES_V2)
    assert _versions(second) == {"notes": 2}
    assert [r["name"] for r in second.query("PRAGMA table_info(notes)")] == ["note_id", "body", "author"]


def test_two_owners_in_one_file_keep_their_own_versions(tmp_path):
    db = StateDB(tmp_path / "state.db")
    db.ensure(NOTES)
    db.ensure(TAGS)
    assert _versions(db) == {"notes": 1, "tags": 1}
    db.ensure(NOTES_V2)   # a step of one owner neither renumbers nor reruns the other's
    assert _versions(db) == {"notes": 2, "tags": 1}
    assert {"notes", "tags"} <= _tables(db)


def test_a_failing_step_leaves_the_owner_as_it_was(tmp_path):
    def broken(conn: sqlite3.Connection) -> None:
        conn.execute("INSERT INTO notes (body) VALUES ('half')")
        raise RuntimeError("step failed")

    db = StateDB(tmp_path / "state.db")
    with pytest.raises(RuntimeError):
        db.ensure(Schema("notes", (*NOTES.steps, broken)))
    assert "notes" not in _tables(db) and _versions(db) == {}
    db.ensure(NOTES_V2)
    assert _versions(db) == {"notes": 2}


def test_a_schema_ensured_inside_a_rolled_back_transaction_is_applied_again(tmp_path):
    db = StateDB(tmp_path / "state.db")
    with pytest.raises(RuntimeError):
        with db.atomic():
            db.ensure(TAGS)  # joins the transaction
            raise RuntimeError("the caller gives up")
    assert "tags" not in _tables(db)
    db.ensure(TAGS)
    assert "tags" in _tables(db) and _versions(db) == {"tags": 1}


def _slow_step(conn: sqlite3.Connection) -> None:
    time.sleep(0.2)  # widen the window in which a second process could apply it too
    conn.execute("INSERT INTO note_log VALUES ('migrated')")


def _ensure_in(path: str) -> None:
    StateDB(path).ensure(Schema("notes", (*NOTES_V2.steps, _slow_step)))


def test_concurrent_processes_apply_each_step_once(tmp_path):
    path = str(tmp_path / "state.db")
    with ProcessPoolExecutor(4, mp_context=get_context("spawn")) as pool:
        for done in [pool.submit(_ensure_in, path) for _ in range(4)]:
            done.result()
    db = StateDB(path)
    assert _versions(db) == {"notes": 3}
    assert db.query("SELECT at FROM note_log") == [{"at": "migrated"}]


def test_atomic_commits_rolls_back_and_nests(tmp_path):
    db = StateDB(tmp_path / "state.db")
    db.ensure(TAGS)
    with db.atomic() as conn:
        conn.execute("INSERT INTO tags VALUES ('a')")
        with db.atomic():  # joins: nothing is committed until the outer block ends
            db.execute("INSERT INTO tags VALUES ('b')")
        assert conn.in_transaction
    with pytest.raises(sqlite3.IntegrityError):
        with db.atomic():
            db.execute("INSERT INTO tags VALUES ('c')")
            db.execute("INSERT INTO tags VALUES ('a')")
    assert [r["name"] for r in db.query("SELECT name FROM tags ORDER BY name")] == ["a", "b"]
    assert not db.conn.in_transaction


def test_run_script_stays_inside_the_transaction(tmp_path):
    db = StateDB(tmp_path / "state.db")
    with pytest.raises(RuntimeError):
        with db.atomic() as conn:
            run_script(conn, "CREATE TABLE a (x); -- one; two\nCREATE TABLE b (y);")
            raise RuntimeError
    assert not {"a", "b"} & _tables(db)



def test_append_only_refuses_update_and_delete(tmp_path):
    db = StateDB(tmp_path / "state.db")
    db.execute("CREATE TABLE log (n INTEGER)")
    run_script(db.conn, append_only("log"))
    db.execute("INSERT INTO log VALUES (1)")
    for sql in ("UPDATE log SET n = 2", "DELETE FROM log"):
        with pytest.raises(sqlite3.IntegrityError, match="log is append-only"):
            db.execute(sql)
    assert db.query("SELECT n FROM log") == [{"n": 1}]
    db.close()
