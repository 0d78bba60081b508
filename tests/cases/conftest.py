"""Fixtures for the case tests: config, seeded store, state DB, users, a clock and the service.

The posts and users are built once per session and copied per test: every commit syncs to disk,
and building them afresh for each of the ~100 tests was most of their run time.
"""

from __future__ import annotations

import pytest

from tests.cases.helpers import Clock, copied_config, post, seeded_data

USERNAMES = ("mon", "cs", "zz", "rev", "rev2", "boss", "root")


@pytest.fixture(scope="session")
def world_data(tmp_path_factory):
    """A data folder with posts 1–3 in 长沙 (same author for 1 and 3), 4 in 株洲, 5 without city,
    and one user per role."""
    return seeded_data(tmp_path_factory.mktemp("world"),
                       [post(1, author="老王"), post(2), post(3, author="老王", severity=2),
                        post(4, city="株洲", severity=4), post(5, city=None)])


@pytest.fixture
def cfg(tmp_path, world_data):
    return copied_config(tmp_path, world_data)


@pytest.fixture
def world(cfg):
    """(service, users, clock, store) on a private copy of the session's data."""
    from accounts import AccountService
    from cases.service import CaseService
    from core.db import StateDB
    from indexer import open_store

    store = open_store(cfg)
    db = StateDB(cfg.state_path)
    db.execute("PRAGMA synchronous=OFF")   # test data: no need to survive a power cut
    accounts = AccountService(db)
    people = {name: accounts.load_user(name) for name in USERNAMES}
    clock = Clock()
    service = CaseService(cfg, db, store, clock=clock)
    yield service, people, clock, store
    store.close()
    db.close()
