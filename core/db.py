"""The state database (SQLite, WAL): one connection per thread, one way to write, and the tables
of each package brought up to date by a small schema registry.

Several packages keep tables in the one file (state.db), each owning its own: a package declares
a `Schema` once (its owner name and its migration steps, in order) and calls `StateDB.ensure`
where it opens the database or is handed it. Versions are kept per owner, in `schema_versions`,
not in SQLite's single `user_version`: with one counter for the whole file, a step added by one
package would renumber every other package's steps, and a package could not tell its own
progress from another's.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator

Step = str | Callable[[sqlite3.Connection], None]

_VERSIONS = """CREATE TABLE IF NOT EXISTS schema_versions (
    owner TEXT PRIMARY KEY,          -- the package that owns the tables, e.g. 'alerts'
    version INTEGER NOT NULL,        -- how many of its steps have been applied
    applied_at TEXT NOT NULL
)"""


@dataclass(frozen=True)
class Schema:
    """One owner's tables: step n (from 1) brings the owner's tables from version n-1 to n.

    A step is SQL text (any number of statements) or a function of the connection, for changes
    that depend on what is there. Steps run inside the caller's write transaction, so a step must
    not commit. Only ever append steps: a released step is history that databases have applied.
    """

    owner: str
    steps: tuple[Step, ...]

    @property
    def version(self) -> int:
        return len(self.steps)


def append_only(table: str) -> str:
    """SQL for two triggers that refuse any UPDATE or DELETE of `table`'s rows (audit logs)."""
    return "\n".join(
        f"CREATE TRIGGER IF NOT EXISTS {table}_no_{verb.lower()} BEFORE {verb} ON {table}\n"
        f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END;" for verb in ("UPDATE", "DELETE"))


def _statements(script: str) -> Iterator[str]:
    """The statements of an SQL script one by one (triggers, strings and comments kept whole).

    `executescript` would do this too, but it commits any open transaction first."""
    pending = ""
    pieces = script.split(";")
    for piece in pieces[:-1]:
        pending += piece + ";"
        if sqlite3.complete_statement(pending):
            yield pending
            pending = ""
    rest = pending + pieces[-1]
    if rest.strip():
        yield rest


def run_script(conn: sqlite3.Connection, script: str) -> None:
    """Execute an SQL script inside the current transaction."""
    for statement in _statements(script):
        conn.execute(statement)


def _use_wal(conn: sqlite3.Connection, patience: float = 30.0) -> None:
    """Switch a new database to WAL once, waiting out other processes doing the same.

    Changing the journal mode needs an exclusive lock and SQLite answers "database is locked"
    at once, without its busy handler, when another process holds the file: retry until
    `patience` runs out."""
    deadline = time.monotonic() + patience
    while True:
        try:
            if conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                conn.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.05)


class StateDB:
    """Thread-safe access to the state database (one connection per thread, WAL)."""

    def __init__(self, path: Path | str):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        self._ensured: set[tuple[str, int]] = set()  # (owner, version) known to be applied
        self.conn.execute(_VERSIONS)

    @property
    def conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.path, timeout=30, isolation_level=None)
            conn.row_factory = sqlite3.Row
            _use_wal(conn)
            self._local.conn = conn
        return conn

    def query(self, sql: str, params: tuple[Any, ...] | list[Any] = ()) -> list[dict[str, Any]]:
        """Rows as dicts."""
        return [dict(r) for r in self.conn.execute(sql, params).fetchall()]

    def execute(self, sql: str, params: tuple[Any, ...] | list[Any] = ()) -> sqlite3.Cursor:
        return self.conn.execute(sql, params)

    @contextmanager
    def atomic(self) -> Iterator[sqlite3.Connection]:
        """One write transaction (BEGIN IMMEDIATE … COMMIT, ROLLBACK on an exception).

        Concurrent writers wait for the lock instead of interleaving, and a batch commits (and
        syncs) once instead of per row. Re-entrant: inside an open transaction it joins it, so a
        service call can run within a larger one.
        """
        conn = self.conn
        if conn.in_transaction:
            yield conn
            return
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    def ensure(self, schema: Schema) -> None:
        """Apply the steps of `schema` this database has not had yet, each exactly once.

        Cheap to call at every entry point: after the first call on this StateDB it is a set
        lookup. Safe with concurrent processes: the steps run under the write lock, after the
        version is read again. A database ahead of the code (made by a newer version) is left
        as it is."""
        if (schema.owner, schema.version) in self._ensured:
            return
        if self._version(schema.owner) < schema.version:
            joined = self.conn.in_transaction
            with self.atomic() as conn:
                done = self._version(schema.owner)
                for step in schema.steps[done:]:
                    if callable(step):
                        step(conn)
                    else:
                        run_script(conn, step)
                if done < schema.version:
                    conn.execute(
                        "INSERT INTO schema_versions (owner, version, applied_at) VALUES "
                        "(?, ?, datetime('now')) ON CONFLICT (owner) DO UPDATE SET "
                        "version = excluded.version, applied_at = excluded.applied_at",
                        (schema.owner, schema.version))
            if joined:
                return  # the caller's transaction may still roll the steps back: check again
        self._ensured.add((schema.owner, schema.version))

    def _version(self, owner: str) -> int:
        row = self.conn.execute("SELECT version FROM schema_versions WHERE owner = ?",
                                (owner,)).fetchone()
        return row[0] if row else 0

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None
