"""The `demo:` section: the bundled demo forum the monitor can start."""

from __future__ import annotations

from pydantic import Field

from core.config import Strict


class DemoConfig(Strict):
    enabled: bool = False
    host: str = "127.0.0.1"
    port: int = Field(8600, ge=0, le=65535)
    initial: int = Field(160, ge=0)
    release_every: float = 20.0
