"""Site knowledge as data: one YAML file per adapter (paths, selectors, field paths, labels)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from core.yamlio import load_yaml

HERE = Path(__file__).resolve().parent


@lru_cache(maxsize=None)
def load_preset(name: str) -> dict[str, Any]:
    """The preset `crawler/presets/<name>.yaml` as a dict."""
    return load_yaml((HERE / f"{name}.yaml").read_text(encoding="utf-8"))
