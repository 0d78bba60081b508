"""The `nlp:` section: the keyword dictionary, the model and its retraining."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Protocol

from core.config import Strict

# The dictionary installed with the code (the `keywords` package's folder: the checkout's
# keywords/, or site-packages/keywords/ after `pip install .`), found by import, not from the
# current directory. Its files are read as files, so it must be a folder on disk.
SHIPPED_KEYWORDS_DIR = Path(str(resources.files("keywords")))


class NlpConfig(Strict):
    # None: keywords/ beside the config file when there is one, else SHIPPED_KEYWORDS_DIR
    keywords_dir: Path | None = None
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
