"""config.yaml: loading, ${ENV} expansion and validation with pydantic."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Annotated, Any, Literal, Union

import yaml
from lxml import etree
from parsel.csstranslator import HTMLTranslator
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

DEFAULT_PATH = "config.yaml"
_ENV_REF = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")
_INTERVAL = re.compile(r"^(\d+(?:\.\d+)?)\s*([smhd])$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_css = HTMLTranslator()


class ConfigError(Exception):
    """A config problem, already phrased for the user: file, key path, what is wrong."""


def interval_seconds(value: str) -> float | None:
    """'30s' / '10m' / '2h' / '1d' → seconds; None for a cron string."""
    match = _INTERVAL.match(value.strip())
    if match:
        return float(match.group(1)) * _UNIT_SECONDS[match.group(2)]
    return None


def check_interval(value: str) -> str:
    """Accept an interval like '10m' or a five-field cron string."""
    if interval_seconds(value) is not None:
        return value
    from apscheduler.triggers.cron import CronTrigger

    try:
        CronTrigger.from_crontab(value)
    except ValueError as exc:
        raise ValueError(f"not an interval like 30s/10m/2h nor a cron string: {exc}") from None
    return value


def check_selector(value: str) -> str:
    """A selector is XPath when it starts with '/' or '(' and CSS otherwise; it must compile."""
    try:
        if value.startswith(("/", "(")):
            etree.XPath(value)
        else:
            _css.css_to_xpath(value)
    except Exception as exc:  # cssselect and lxml raise several unrelated types
        raise ValueError(f"invalid selector {value!r}: {exc}") from None
    return value


Selector = Annotated[str, Field(min_length=1)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ListSpec(_Strict):
    """List pages: links to detail pages, or rows whose fields are read in place."""

    links: str | None = None
    rows: str | None = None
    fields: dict[str, str] = {}
    next: str | None = None
    max_pages: int = Field(5, ge=1, le=1000)

    @field_validator("links", "rows", "next")
    @classmethod
    def _selector(cls, v: str | None) -> str | None:
        return None if v is None else check_selector(v)

    @field_validator("fields")
    @classmethod
    def _field_selectors(cls, v: dict[str, str]) -> dict[str, str]:
        for selector in v.values():
            check_selector(selector)
        return v


POST_FIELDS = {"title", "content", "author", "published_at", "url", "location", "replies",
               "reposts", "likes", "views"}


class SourceBase(_Strict):
    name: str = Field(min_length=1, pattern=r"^[\w\-\.]+$")
    enabled: bool = True
    interval: str = "10m"
    weight: float = Field(1.0, ge=0, le=10)
    city: str | None = None
    about_operator: bool = False
    robots: bool = True
    delay: float = Field(1.0, ge=0)
    timeout: float = Field(30, gt=0)
    revisit_hours: float = Field(6, ge=0)

    @field_validator("interval")
    @classmethod
    def _interval(cls, v: str) -> str:
        return check_interval(v)


class HtmlSource(SourceBase):
    type: Literal["html"]
    start_urls: list[str] = Field(min_length=1)
    list: ListSpec
    detail: dict[str, str] = {}

    @field_validator("detail")
    @classmethod
    def _detail(cls, v: dict[str, str]) -> dict[str, str]:
        for key, selector in v.items():
            if key not in POST_FIELDS:
                raise ValueError(f"unknown field {key!r}; known: {', '.join(sorted(POST_FIELDS))}")
            check_selector(selector)
        return v

    @model_validator(mode="after")
    def _mode(self) -> "HtmlSource":
        if self.list.links and not self.detail:
            raise ValueError("list.links needs a detail: section with field selectors")
        if not self.list.links and not (self.list.rows and self.list.fields):
            raise ValueError("list needs either links (with detail) or rows and fields (list-only)")
        return self


class RssSource(SourceBase):
    type: Literal["rss"]
    url: str


class JsonSource(SourceBase):
    type: Literal["json"]
    url: str
    items: str
    fields: dict[str, str]
    max_pages: int = Field(1, ge=1, le=1000)

    @field_validator("items")
    @classmethod
    def _jmespath(cls, v: str) -> str:
        import jmespath

        try:
            jmespath.compile(v)
        except jmespath.exceptions.ParseError as exc:
            raise ValueError(f"invalid JMESPath {v!r}: {exc}") from None
        return v


Source = Annotated[Union[HtmlSource, RssSource, JsonSource], Field(discriminator="type")]
SOURCE_TYPES = ("html", "rss", "json")


class StoreConfig(_Strict):
    backend: Literal["sqlite", "elasticsearch"] = "sqlite"
    path: Path = Path("data/tousu.db")
    hosts: list[str] = ["http://127.0.0.1:9200"]
    index: str = "tousu-posts"


class NlpConfig(_Strict):
    keywords_dir: Path = Path("keywords")
    model_dir: Path = Path("models")


class PostLevel(_Strict):
    level: Literal[1, 2, 3]
    severity_min: int = Field(ge=0, le=4)
    influence_min: float = Field(0.0, ge=0, le=1)


class PostRule(_Strict):
    enabled: bool = True
    levels: list[PostLevel] = [
        PostLevel(level=1, severity_min=4, influence_min=0.5),
        PostLevel(level=2, severity_min=4),
        PostLevel(level=2, severity_min=3, influence_min=0.6),
        PostLevel(level=3, severity_min=3),
    ]
    lookback_hours: float = Field(24, gt=0)


class Notifier(_Strict):
    name: str
    type: Literal["file", "webhook"]
    path: Path | None = None
    url: str | None = None
    format: Literal["json", "wecom", "dingtalk", "feishu"] = "json"
    min_level: Literal[1, 2, 3] = 3
    cities: list[str] = []

    @model_validator(mode="after")
    def _target(self) -> "Notifier":
        if self.type == "file" and not self.path:
            raise ValueError("a file notifier needs path")
        if self.type == "webhook" and not self.url:
            raise ValueError("a webhook notifier needs url")
        return self


class WarningsConfig(_Strict):
    evaluate_every: str = "1m"
    post: PostRule = PostRule()
    notifiers: list[Notifier] = []

    @field_validator("evaluate_every")
    @classmethod
    def _interval(cls, v: str) -> str:
        return check_interval(v)


class DemoConfig(_Strict):
    enabled: bool = False
    host: str = "127.0.0.1"
    port: int = Field(8600, ge=0, le=65535)
    initial: int = Field(160, ge=0)
    release_every: float = 20.0


class DashboardConfig(_Strict):
    host: str = "127.0.0.1"
    port: int = Field(8501, ge=1, le=65535)


class Config(_Strict):
    data_dir: Path = Path("data")
    store: StoreConfig = StoreConfig()
    nlp: NlpConfig = NlpConfig()
    sources: list[Source] = []
    warnings: WarningsConfig = WarningsConfig()
    demo: DemoConfig = DemoConfig()
    dashboard: DashboardConfig = DashboardConfig()
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
    def keywords_dir(self) -> Path:
        return self.resolve(self.nlp.keywords_dir)

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


def expand_env(value: Any, path: str = "") -> Any:
    """Replace ${VAR} and ${VAR:-default} in every string; a missing VAR is an error."""
    if isinstance(value, dict):
        return {k: expand_env(v, f"{path}.{k}" if path else str(k)) for k, v in value.items()}
    if isinstance(value, list):
        return [expand_env(v, f"{path}[{i}]") for i, v in enumerate(value)]
    if isinstance(value, str):
        def repl(match: re.Match[str]) -> str:
            name, default = match.group(1), match.group(2)
            if name in os.environ:
                return os.environ[name]
            if default is not None:
                return default
            raise ConfigError(f"{path}: environment variable {name} is not set")
        return _ENV_REF.sub(repl, value)
    return value


def format_loc(loc: tuple[Any, ...]) -> str:
    """('sources', 2, 'html', 'list', 'links') → 'sources[2].list.links'."""
    out = ""
    previous: Any = None
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif previous is not None and isinstance(previous, int) and part in SOURCE_TYPES:
            pass  # pydantic names the union member it tried; the user never wrote it
        else:
            out += f".{part}" if out else str(part)
        previous = part
    return out


def parse(data: Any, file: Path | str = "<config>") -> Config:
    """Validate already-loaded YAML data; errors name the file and key path."""
    file = Path(file)
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(f"{file}: the top level must be a mapping of sections")
    try:
        data = expand_env(data)
    except ConfigError as exc:
        raise ConfigError(f"{file}: {exc}") from None
    try:
        config = Config.model_validate(data)
    except ValidationError as exc:
        lines = []
        for err in exc.errors():
            msg = err["msg"].removeprefix("Value error, ")
            lines.append(f"{file}: {format_loc(err['loc']) or '(top level)'}: {msg}")
        raise ConfigError("\n".join(lines)) from None
    config.file = file
    config.base_dir = file.parent.resolve() if file.name != "<config>" else Path.cwd()
    return config


def load(path: str | Path | None = None) -> Config:
    """Read and validate config: explicit path, else $TOUSU_CONFIG, else ./config.yaml."""
    path = Path(path or os.environ.get("TOUSU_CONFIG") or DEFAULT_PATH)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{path}: config file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f":{mark.line + 1}:{mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise ConfigError(f"{path}{where}: invalid YAML: {problem}") from None
    return parse(data, path)
