"""Shared builders for the case, script and report tests: a config, posts, users, a clock, and
a data folder made once per session and copied per test."""

from __future__ import annotations

import shutil
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Callable

import pytest

from alerts.api import raise_alert
from core.db import StateDB
from core.post import CST, Post, iso
from indexer import open_store
from tests.conftest import cheap_hashing, write_config
from tousu.config import load

T0 = datetime(2026, 11, 20, 9, 0, tzinfo=CST)
# What closing a case must say besides the offline result (cases.closing), solved at closing.
CLOSING = {"root_cause": "维护不及时", "scenario": "上门更换故障光猫，复测网速正常", "resolved": True}


class Clock:
    """A controllable clock: call it for the time, `advance` to move it."""

    def __init__(self, start: datetime = T0):
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


def make_config(tmp_path: Path, **sections: Any) -> Any:
    """A config under tmp_path with one file notifier (so escalations have somewhere to go)."""
    sections.setdefault("warnings", {"notifiers": [{"name": "log", "type": "file",
                                                    "path": str(tmp_path / "alerts.jsonl")}]})
    return load(write_config(tmp_path, **sections))


def seeded_data(folder: Path, posts: list[Post], add_users: Callable[[StateDB], Any] | None = None) -> Path:
    """A data folder under `folder` with the posts in the store and the users (`users` unless
    given) in the state DB: built once per session, copied per test by `copied_config`."""
    cfg = make_config(folder)
    with open_store(cfg) as store:
        store.upsert_many(posts)
    db = StateDB(cfg.state_path)
    with pytest.MonkeyPatch.context() as mp:
        cheap_hashing(mp)
        (add_users or users)(db)
    db.close()
    return folder / "data"


def copied_config(tmp_path: Path, data: Path) -> Any:
    """A config under tmp_path on a private copy of a `seeded_data` folder."""
    shutil.copytree(data, tmp_path / "data")
    return make_config(tmp_path)


def post(n: int, *, city: str | None = "长沙", severity: int = 3, categories: tuple[str, ...] = ("宽带/家宽",),
         author: str = "", published: datetime = T0, relevant: bool = True, influence: float = 0.1,
         source: str = "demo-forum", title: str = "", content: str = "",
         operators: tuple[str, ...] | None = None, intent: int | None = None) -> Post:
    """An analysed post, as the store would hold it (about 移动 when relevant, unless told)."""
    return Post(source=source, url=f"http://forum.example/thread-{n}.html",
                title=title or f"帖子{n} 宽带断网三天没人修", content=content or f"第{n}帖：家里宽带断网，报修没人来。",
                author=author or f"user{n}", published_at=iso(published), severity=severity,
                relevant=relevant, categories=list(categories), city=city, influence=influence,
                intent=severity if intent is None else intent,
                operators=list(operators if operators is not None else ["移动"] * relevant))


def add_alert(db: Any, config: Any, alert_key: str, level: int, post_ids: list[str],
              city: str | None = "长沙", rule: str = "post", rule_type: str = "post",
              created: datetime = T0) -> int:
    """An open alert, raised through the alerts API."""
    alert_id = raise_alert(db, config, key=alert_key, rule=rule, rule_type=rule_type, level=level,
                           title=f"【预警】{alert_key}", body="正文", city=city, post_ids=post_ids,
                           now=created)
    assert alert_id is not None, f"an alert with key {alert_key} exists already"
    return alert_id


def users(db: Any) -> dict[str, Any]:
    """One user per role (two handlers: 长沙 and 株洲)."""
    from accounts import SYSTEM, AccountService

    svc = AccountService(db)
    made = {}
    for name, role, cities in (("mon", "monitor", []), ("cs", "handler", ["长沙"]),
                               ("zz", "handler", ["株洲"]), ("rev", "reviewer", []),
                               ("rev2", "reviewer", []), ("boss", "manager", []), ("root", "admin", [])):
        made[name] = svc.add_user(SYSTEM, name, "passw0rd!", role, cities)
    return made


def post_id(store, n: int) -> str:
    """The id of the world's post n (its thread-n.html)."""
    return next(p.id for p in store.iter_posts() if p.url.endswith(f"thread-{n}.html"))
