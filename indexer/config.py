"""The `store:` section: which backend holds the posts, and where."""

from __future__ import annotations

from pathlib import Path
from typing import Literal, Protocol

from pydantic import Field

from core.config import Strict


class StoreConfig(Strict):
    backend: Literal["sqlite", "elasticsearch"] = "sqlite"
    path: Path = Path("data/tousu.db")
    hosts: list[str] = ["http://127.0.0.1:9200"]
    index: str = "tousu-posts"  # an alias; the data lives in <index>-v<N>
    shards: int = Field(1, ge=1)
    replicas: int = Field(0, ge=0)  # 0 suits one node; 1+ on a cluster
    api_key: str | None = None  # write ${ES_API_KEY}; never the key itself
    max_post_chars: int = Field(100_000, ge=1_000)  # an imported post's text is capped here


class AppConfig(Protocol):
    """What indexer/ reads of the whole config (tousu.config.Config is one)."""

    store: StoreConfig

    @property
    def store_path(self) -> Path: ...
