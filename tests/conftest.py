"""Shared fixtures: temporary configs, stores and a running demo site."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from argon2 import PasswordHasher

from accounts import passwords

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_DATA = Path(__file__).resolve().parent / "sample_data"


def sample(*parts: str) -> Path:
    """Path of a saved sample file under tests/sample_data/."""
    return SAMPLE_DATA.joinpath(*parts)


def cheap_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """argon2 with tiny parameters: the tests check behaviour, not the KDF's cost."""
    monkeypatch.setattr(passwords, "_hasher", PasswordHasher(time_cost=1, memory_cost=64, parallelism=1))


@pytest.fixture(autouse=True)
def _cheap_hashing(monkeypatch):
    cheap_hashing(monkeypatch)


def write_config(tmp_path: Path, **sections: object) -> Path:
    """A config.yaml in tmp_path using the real keywords/ and data under tmp_path."""
    data = {"data_dir": str(tmp_path / "data"),
            "store": {"backend": "sqlite", "path": str(tmp_path / "data" / "tousu.db")},
            "nlp": {"keywords_dir": str(ROOT / "keywords"), "model_dir": str(tmp_path / "models")},
            **sections}
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


@pytest.fixture
def store(tmp_path):
    from indexer.sqlite_store import SqliteStore

    s = SqliteStore(tmp_path / "posts.db")
    yield s
    s.close()


@pytest.fixture
def demo_site():
    from demo.site import DemoSite

    site = DemoSite(port=0, initial=40, release_every=0).start()
    yield site
    site.stop()


@pytest.fixture
def demo_config(tmp_path, demo_site):
    """A config whose only source is the demo forum served on a free local port."""
    shipped = yaml.safe_load((ROOT / "config.yaml").read_text(encoding="utf-8"))
    source = next(s for s in shipped["sources"] if s["name"] == "demo-forum")
    source["start_urls"] = [f"{demo_site.url}/forum-2-1.html"]
    notifiers = [{"name": "log", "type": "file", "path": str(tmp_path / "alerts.jsonl")}]
    return write_config(tmp_path, sources=[source],
                        warnings={"evaluate_every": "1m", "notifiers": notifiers,
                                                  "post": {"lookback_hours": 200}})


@pytest.fixture
def keywords_copy(tmp_path):
    """A writable copy of keywords/ for tests that edit the dictionary."""
    target = tmp_path / "keywords"
    shutil.copytree(ROOT / "keywords", target)
    return target
