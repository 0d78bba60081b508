"""One write transaction over the state DB for the services of accounts, cases and reply_scripts."""

from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

from core.db import StateDB


@contextmanager
def atomic(db: StateDB) -> Iterator[None]:
    """BEGIN IMMEDIATE … COMMIT around a service operation (re-entrant: inner calls join it).

    A case change writes the case, its audit row and its notes together or not at all, and one
    commit instead of several keeps a busy console fast on disks where every commit syncs.
    """
    conn = db.conn
    if conn.in_transaction:
        yield
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
