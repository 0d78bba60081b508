"""Console fixtures: a store filled with the demo forum's posts, users of every role, AppTest."""

from __future__ import annotations

import shutil
from datetime import timedelta
from pathlib import Path

import pytest
import yaml

from tests.conftest import ROOT, write_config

PASSWORD = "Radar-2026!"
USERS = {  # username → (role, cities)
    "admin": ("admin", ()),
    "monitor": ("monitor", ()),
    "cs_handler": ("handler", ("长沙",)),
    "hy_handler": ("handler", ("衡阳",)),
    "reviewer": ("reviewer", ()),
    "manager": ("manager", ()),
}
# one of the users above for each role
ROLE_USER = {"admin": "admin", "monitor": "monitor", "handler": "cs_handler",
             "reviewer": "reviewer", "manager": "manager"}


def demo_posts(url: str = "http://127.0.0.1:8600", outage: bool = True):
    """The demo forum's posts as analysed Post records, published relative to now; a repost
    replies to the thread it quotes, as the crawled demo-forum source reads it. Without
    `outage`, the forum's own posts only (demo/posts.jsonl)."""
    from core.post import Post, iso, now_cst
    from demo.site import DEFAULT_OUTAGE, demo_timeline
    from nlp.analyzer import Analyzer

    analyzer = Analyzer(ROOT / "keywords")
    now = now_cst()
    out = []
    for p in demo_timeline(outage_path=DEFAULT_OUTAGE if outage else None):
        post = Post(source="demo-forum", url=f"{url}/thread-{p['tid']}-1-1.html",
                    title=p["title"], content=p["content"], author=p["author"],
                    published_at=iso(now - timedelta(hours=float(p.get("hours_ago", 0)))),
                    engagement={"replies": p.get("replies", 0), "views": p.get("views", 0)},
                    location=f"IP属地：湖南{p.get('city') or ''}",
                    reply_to=f"{url}/thread-{p['quote']}-1-1.html" if p.get("quote") else None)
        out.append(analyzer.analyse(post, about_operator=True))
    return out


def build_console_data(target: Path, url: str = "http://127.0.0.1:8600", posts: bool = True) -> Path:
    """A config under `target` with the demo posts stored and one user per role."""
    from accounts import SYSTEM, AccountService
    from core.db import StateDB
    from indexer.sqlite_store import SqliteStore
    from nlp.dictionary import get_dictionary

    target.mkdir(parents=True, exist_ok=True)
    shipped = yaml.safe_load((ROOT / "config.yaml").read_text(encoding="utf-8"))
    source = next(s for s in shipped["sources"] if s["name"] == "demo-forum")
    source["start_urls"] = [f"{url}/forum-2-1.html"]
    # 「测试此信源」 may reach the local demo forum
    path = write_config(target, sources=[source],
                        dashboard={"probe_allow_private": [url.removeprefix("http://")]})
    if posts:
        with SqliteStore(target / "data" / "tousu.db") as store:
            store.upsert_many(demo_posts(url))
        from alerts.cycle import run_cycle
        from tousu.config import load

        run_cycle(load(path))  # the warnings of those posts
    state = StateDB(target / "data" / "state.db")
    accounts = AccountService(state, known_cities=get_dictionary(ROOT / "keywords").cities)
    for username, (role, cities) in USERS.items():
        accounts.add_user(SYSTEM, username, PASSWORD, role, cities, display_name=username)
    state.close()
    return path


@pytest.fixture(scope="session")
def console_template(tmp_path_factory):
    return build_console_data(tmp_path_factory.mktemp("console"))


@pytest.fixture(scope="session")
def empty_template(tmp_path_factory):
    return build_console_data(tmp_path_factory.mktemp("empty"), posts=False)


def _private_copy(template: Path, target: Path, monkeypatch) -> Path:
    """A copy of a template's config and data under `target`; TOUSU_CONFIG points at it."""
    shutil.copytree(template.parent, target)
    config = yaml.safe_load((target / "config.yaml").read_text(encoding="utf-8"))
    config["data_dir"] = str(target / "data")
    config["store"]["path"] = str(target / "data" / "tousu.db")
    (target / "config.yaml").write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    monkeypatch.setenv("TOUSU_CONFIG", str(target / "config.yaml"))
    _clear_caches()
    return target / "config.yaml"


@pytest.fixture
def console_config(console_template, tmp_path, monkeypatch):
    """A private copy of the filled console data (demo posts, one user per role)."""
    yield _private_copy(console_template, tmp_path / "console", monkeypatch)
    _clear_caches()


@pytest.fixture
def empty_config(empty_template, tmp_path, monkeypatch):
    """Users but no posts: the empty states."""
    yield _private_copy(empty_template, tmp_path / "empty", monkeypatch)
    _clear_caches()


def _clear_caches() -> None:
    import streamlit as st

    st.cache_data.clear()
    st.cache_resource.clear()


def user(username: str):
    """The stored accounts.User for a test username."""
    from accounts import User

    role, cities = USERS[username]
    return User(username=username, role=role, cities=tuple(cities), display_name=username)


def app_as(username: str | None, page: str | None = None, **query: str):
    """An AppTest of the console, logged in as `username`, opened on `page`, already run."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "dashboard" / "app.py"), default_timeout=60)
    if username:
        at.session_state["tousu_user"] = user(username)
    for key, value in query.items():
        at.query_params[key] = value
    if page:
        at.switch_page(f"views/{page}.py")
    return at.run()


def texts(at) -> str:
    """Everything the page shows as text (markdown, captions, alerts, html bodies, titles)."""
    parts = []
    for kind in ("title", "subheader", "markdown", "caption", "info", "warning", "error",
                 "success", "code"):
        parts.extend(str(e.value) for e in getattr(at, kind))
    parts.extend(e.proto.body for e in at.get("html"))
    return "\n".join(parts)


def no_crash(at) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert "Traceback" not in texts(at)


def state_db(config):
    """The console's state DB, opened afresh (what a page wrote is there)."""
    from core.db import StateDB
    from tousu.config import load

    return StateDB(load(config).state_path)


def with_rule(config):
    """The config with the post rule and a city volume rule (what the 规则 page edits)."""
    data = yaml.safe_load(config.read_text(encoding="utf-8"))
    data["warnings"] = {"rules": [{"name": "post", "type": "post"},
                                  {"name": "city-daily-volume", "type": "volume",
                                   "coefficient": 3, "protection": 10}]}
    config.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
