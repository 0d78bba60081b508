"""config.yaml as a whole: every package's section composed, loaded from a file, ${ENV} expanded."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from pydantic import Field, TypeAdapter, ValidationError, field_validator

from accounts.config import AccountsConfig
from alerts.config import Rule, WarningsConfig
from briefings.config import BriefingsConfig
from cases.config import CasesConfig
from core.config import ConfigError, ConfigInvalid, Strict, expand_env, read_yaml, schema_problems
from crawler.addresses import parse_entry
from crawler.config import Source
from demo.config import DemoConfig
from indexer.config import StoreConfig
from nlp.config import SHIPPED_KEYWORDS_DIR, NlpConfig
from rectification.config import RectificationConfig
from reports.config import ReportsConfig

DEFAULT_PATH = "config.yaml"


class DashboardConfig(Strict):
    host: str = "127.0.0.1"
    port: int = Field(8501, ge=1, le=65535)
    # 「测试此信源」 reaches public addresses only; these hosts, addresses or networks may be
    # private (host, host:port, IP, IP:port, CIDR; see crawler/addresses.py and docs/console.md)
    probe_allow_private: list[str] = []

    @field_validator("probe_allow_private")
    @classmethod
    def _allow_entries(cls, v: list[str]) -> list[str]:
        for entry in v:
            parse_entry(entry)
        return v


class Config(Strict):
    data_dir: Path = Path("data")
    store: StoreConfig = StoreConfig()
    nlp: NlpConfig = NlpConfig()
    sources: list[Source] = []
    warnings: WarningsConfig = WarningsConfig()
    demo: DemoConfig = DemoConfig()
    dashboard: DashboardConfig = DashboardConfig()
    cases: CasesConfig = CasesConfig()
    rectification: RectificationConfig = RectificationConfig()
    reports: ReportsConfig = ReportsConfig()
    briefings: BriefingsConfig = BriefingsConfig()
    accounts: AccountsConfig = AccountsConfig()
    # set by load(): where the file was, so relative paths resolve against it
    base_dir: Path = Field(Path("."), exclude=True)
    file: Path | None = Field(None, exclude=True)

    @field_validator("sources")
    @classmethod
    def _unique_names(cls, v: list[Any]) -> list[Any]:
        seen: set[str] = set()
        for source in v:
            if source.name in seen:
                raise ValueError(f"duplicate source name {source.name!r}")
            seen.add(source.name)
        return v

    def resolve(self, path: Path) -> Path:
        """A configured path, made absolute against the config file's folder."""
        return path if path.is_absolute() else (self.base_dir / path).resolve()

    @property
    def store_path(self) -> Path:
        return self.resolve(self.store.path)

    @property
    def state_path(self) -> Path:
        """The relational state (source health, crawl fingerprints, alerts, outbox)."""
        return self.resolve(self.data_dir) / "state.db"

    @property
    def console_url(self) -> str:
        """The console as recipients of a warning reach it."""
        return self.warnings.console_url or f"http://{self.dashboard.host}:{self.dashboard.port}"

    @property
    def keywords_dir(self) -> Path:
        """`nlp.keywords_dir`; unset: keywords/ beside the config file, else the shipped one."""
        if self.nlp.keywords_dir is not None:
            return self.resolve(self.nlp.keywords_dir)
        beside = self.base_dir / "keywords"
        return beside.resolve() if self.file is not None and beside.is_dir() else SHIPPED_KEYWORDS_DIR

    @property
    def model_dir(self) -> Path:
        return self.resolve(self.nlp.model_dir)

    def source(self, name: str) -> Any:
        """The source called `name`, or ConfigError."""
        for source in self.sources:
            if source.name == name:
                return source
        raise ConfigError(f"{self.file}: no source named {name!r}; "
                          f"configured: {', '.join(s.name for s in self.sources) or 'none'}")


# The list items the console edits one at a time: where their list sits and the item's type.
ITEMS: dict[str, tuple[tuple[str, ...], Any]] = {"sources": (("sources",), Source),
                                                 "rules": (("warnings", "rules"), Rule)}
_ITEM_ADAPTERS = {name: TypeAdapter(item) for name, (_, item) in ITEMS.items()}


def validate(data: Any, item: str | None = None, expand: bool = True) -> Any:
    """The whole config (`item` None: a Config) or one item of ITEMS, with ${ENV} expanded
    (`expand` False: left as written, as the source tester needs).

    The one check behind `tousu check`, the loader and the console's editors: ConfigInvalid lists
    every problem with its key path, kind and message context (Problem.message gives the text).
    """
    if expand:
        data = expand_env(data)
    try:
        if item is None:
            return Config.model_validate(data)
        return _ITEM_ADAPTERS[item].validate_python(data)
    except ValidationError as exc:
        raise ConfigInvalid(schema_problems(exc, Config if item is None else ITEMS[item][1])) \
            from None


def parse(data: Any, file: Path | str = "<config>") -> Config:
    """Validate already-loaded YAML data; errors name the file and key path."""
    file = Path(file)
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(f"{file}: the top level must be a mapping of sections")
    try:
        config: Config = validate(data)
    except ConfigInvalid as exc:
        raise ConfigInvalid(exc.problems, file) from None
    config.file = file
    config.base_dir = file.parent.resolve() if file.name != "<config>" else Path.cwd()
    return config


def load(path: str | Path | None = None) -> Config:
    """Read and validate config: explicit path, else $TOUSU_CONFIG, else ./config.yaml."""
    path = Path(path or os.environ.get("TOUSU_CONFIG") or DEFAULT_PATH)
    return parse(read_yaml(path), path)


def load_or_defaults(path: str | Path | None = None) -> Config:
    """`load`, or the built-in defaults when no file is named and there is no ./config.yaml.

    A file only overrides the defaults; without one, relative paths resolve against the current
    directory and the keyword dictionary is the one installed with the code.
    """
    if path or os.environ.get("TOUSU_CONFIG") or Path(DEFAULT_PATH).exists():
        return load(path)
    return Config(base_dir=Path.cwd())
