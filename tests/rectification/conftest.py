"""Fixtures for 督办: a config, posts and cases in 衡阳 and 长沙, one user per role, a clock.

Posts and users are made once per session and copied per test (every commit syncs to disk)."""

from __future__ import annotations

import pytest

from tests.cases.helpers import Clock, copied_config, post, seeded_data

USERS = (("mon", "monitor", []), ("cs", "handler", ["长沙"]), ("hy", "handler", ["衡阳"]),
         ("zz", "handler", ["株洲"]), ("rev", "reviewer", []), ("boss", "manager", []),
         ("root", "admin", []))
COVERAGE = ("网络覆盖/信号",)


def world_posts():
    """Six 弱覆盖 posts in 衡阳 (five name 珠晖区), two broadband posts in 长沙, one in 株洲."""
    posts = [post(n, city="衡阳", categories=COVERAGE, title=f"珠晖区信号太差{n}",
                  content=f"衡阳珠晖区家里没信号，第{n}次投诉") for n in range(1, 6)]
    posts.append(post(6, city="衡阳", categories=COVERAGE, title="耒阳信号差",
                      content="耒阳市郊区信号弱"))
    posts += [post(7), post(8), post(9, city="株洲", categories=COVERAGE)]
    return posts


@pytest.fixture(scope="session")
def rect_data(tmp_path_factory):
    from accounts import SYSTEM, AccountService

    def add_users(db):
        accounts = AccountService(db)
        for name, role, cities in USERS:
            accounts.add_user(SYSTEM, name, "passw0rd!", role, cities)

    return seeded_data(tmp_path_factory.mktemp("rectification"), world_posts(), add_users)


@pytest.fixture
def cfg(tmp_path, rect_data):
    return copied_config(tmp_path, rect_data)


class World:
    """The services on one state DB and store, the users, the clock, and the cases by post."""

    def __init__(self, cfg):
        from accounts import AccountService
        from cases.service import CaseService
        from core.db import StateDB
        from indexer import open_store
        from rectification import RectificationService

        self.cfg = cfg
        self.clock = Clock()
        self.store = open_store(cfg)
        self.db = StateDB(cfg.state_path)
        self.db.execute("PRAGMA synchronous=OFF")   # test data: no need to survive a power cut
        accounts = AccountService(self.db)
        self.users = {name: accounts.load_user(name) for name, _, _ in USERS}
        self.cases = CaseService(cfg, self.db, self.store, clock=self.clock)
        self.service = RectificationService(cfg, self.db, self.cases, clock=self.clock)
        self.posts = {int(p.url.rsplit("-", 1)[1].split(".")[0]): p.id for p in self.store.iter_posts()}

    def case(self, n: int):
        """A case for post n, opened by the monitor."""
        return self.cases.create_from_post(self.users["mon"], self.posts[n])

    def close(self) -> None:
        self.store.close()
        self.db.close()


@pytest.fixture
def world(cfg):
    w = World(cfg)
    yield w
    w.close()
