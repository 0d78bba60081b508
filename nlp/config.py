"""The `nlp:` section: the keyword dictionary, the model and its retraining."""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from core.config import Strict


class NlpConfig(Strict):
    keywords_dir: Path = Path("keywords")
    model_dir: Path = Path("models")
    train_at_start: bool = True      # `tousu run` trains a model first when none is usable
    retrain: str | None = "30 3 * * *"  # nightly retrain (cron); kept only if it scores no worse


class AppConfig(Protocol):
    """What nlp/ reads of the whole config (tousu.config.Config is one)."""

    nlp: NlpConfig

    @property
    def state_path(self) -> Path: ...

    @property
    def keywords_dir(self) -> Path: ...

    @property
    def model_dir(self) -> Path: ...
