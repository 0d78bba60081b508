"""config.yaml: loading, ${ENV} expansion and validation with pydantic."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Annotated, Any, Literal, Union

import yaml
from lxml import etree
from parsel.csstranslator import HTMLTranslator
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from tousu.yamlio import load_yaml

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


def check_detail(v: dict[str, str]) -> dict[str, str]:
    """Detail selectors: known post fields, each a valid selector."""
    for key, selector in v.items():
        if key not in POST_FIELDS:
            raise ValueError(f"unknown field {key!r}; known: {', '.join(sorted(POST_FIELDS))}")
        check_selector(selector)
    return v


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
    # politeness and robustness (see docs/crawler.md)
    concurrency: int = Field(2, ge=1, le=64)        # parallel requests to the source's host
    max_page_kb: int = Field(5120, ge=16)           # larger responses are dropped
    proxy: str | None = None                        # http://user:pass@host:port, may be ${ENV}
    # keyword search: {keyword} in a URL is filled from these terms (default: the dictionary's
    # operator names, at most max_keywords of them)
    keywords: list[str] = []
    max_keywords: int = Field(5, ge=1, le=100)

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
        return check_detail(v)

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


class _AdapterSource(SourceBase):
    """A site adapter: the platform's real paths requested under `base_url`."""

    base_url: str
    max_pages: int = Field(3, ge=1, le=100)
    cookie_env: str | None = None       # name of the environment variable holding a Cookie header

    @field_validator("base_url")
    @classmethod
    def _base(cls, v: str) -> str:
        if not v.startswith(("http://", "https://")):
            raise ValueError(f"base_url must start with http:// or https://, got {v!r}")
        return v.rstrip("/")


def _one_of(source: BaseModel, *names: str) -> None:
    given = [n for n in names if getattr(source, n)]
    if len(given) != 1:
        raise ValueError(f"set exactly one of {', '.join(names)}")


class TiebaSource(_AdapterSource):
    """百度贴吧: a forum's thread list (`forum`) or keyword search results (`keyword`)."""

    type: Literal["tieba"]
    base_url: str = "https://tieba.baidu.com"
    forum: str | None = None
    keyword: str | None = None
    comments: bool = True               # fetch replies-to-replies (楼中楼)
    cookie_env: str | None = "TIEBA_COOKIE"

    @model_validator(mode="after")
    def _target(self) -> "TiebaSource":
        _one_of(self, "forum", "keyword")
        return self


class WeiboSource(_AdapterSource):
    """微博 (m.weibo.cn): search results (`query`) or one user's timeline (`uid`)."""

    type: Literal["weibo"]
    base_url: str = "https://m.weibo.cn"
    query: str | None = None
    uid: str | None = None
    long_text: bool = True              # fetch the full text of long posts (statuses/extend)
    comments: bool = True               # fetch hot comments (comments/hotflow)
    cookie_env: str | None = "WEIBO_COOKIE"

    @model_validator(mode="after")
    def _target(self) -> "WeiboSource":
        _one_of(self, "query", "uid")
        return self


class HeimaoSource(_AdapterSource):
    """黑猫投诉 (tousu.sina.com.cn): complaint search by `keyword`."""

    type: Literal["heimao"]
    base_url: str = "https://tousu.sina.com.cn"
    keyword: str | None = None          # default: each of `keywords` (or the dictionary's terms)
    page_size: int = Field(10, ge=1, le=50)
    cookie_env: str | None = "HEIMAO_COOKIE"
    about_operator: bool = True


class DiscuzSource(_AdapterSource):
    """A Discuz! X forum board: the html type with the standard Discuz! selectors preset."""

    type: Literal["discuz"]
    forum_url: str                      # the board's first list page, e.g. …/forum-12-1.html
    base_url: str = ""                  # unused: forum_url is absolute
    list: dict[str, Any] = {}           # overrides of the preset's list selectors
    detail: dict[str, str] = {}         # overrides of the preset's detail selectors

    @field_validator("base_url")
    @classmethod
    def _base(cls, v: str) -> str:
        return v.rstrip("/")

    @field_validator("detail")
    @classmethod
    def _detail(cls, v: dict[str, str]) -> dict[str, str]:
        return check_detail(v)


Source = Annotated[Union[HtmlSource, RssSource, JsonSource, TiebaSource, WeiboSource, HeimaoSource,
                         DiscuzSource], Field(discriminator="type")]
SOURCE_TYPES = ("html", "rss", "json", "tieba", "weibo", "heimao", "discuz")


class StoreConfig(_Strict):
    backend: Literal["sqlite", "elasticsearch"] = "sqlite"
    path: Path = Path("data/tousu.db")
    hosts: list[str] = ["http://127.0.0.1:9200"]
    index: str = "tousu-posts"  # an alias; the data lives in <index>-v<N>
    shards: int = Field(1, ge=1)
    replicas: int = Field(0, ge=0)  # 0 suits one node; 1+ on a cluster
    api_key: str | None = None  # write ${ES_API_KEY}; never the key itself
    max_post_chars: int = Field(100_000, ge=1_000)  # an imported post's text is capped here


class NlpConfig(_Strict):
    keywords_dir: Path = Path("keywords")
    model_dir: Path = Path("models")
    train_at_start: bool = True      # `tousu run` trains a model first when none is usable
    retrain: str | None = "30 3 * * *"  # nightly retrain (cron); kept only if it scores no worse


class PostLevel(_Strict):
    level: Literal[1, 2, 3]
    severity_min: int = Field(ge=0, le=4)
    influence_min: float = Field(0.0, ge=0, le=1)


def _duration(value: str | None) -> str | None:
    """'30s' / '10m' / '2h' / '1d' only (no cron): rule windows and back-offs are lengths."""
    if value is not None and interval_seconds(value) is None:
        raise ValueError(f"{value!r} is not a duration like 30s, 10m, 2h or 1d")
    return value


Duration = Annotated[str, AfterValidator(_duration)]
Level = Literal[1, 2, 3]
SliceField = Literal["category", "city", "source"]


class RuleBase(_Strict):
    """Options every rule has: identity, level, suppression (realert) and resolve notices."""

    name: str = Field(min_length=1, pattern=r"^[\w\-\.]+$")
    enabled: bool = True
    level: Level = 2
    # While an alert is open its key is not re-notified before `realert`; each reminder waits
    # `realert_backoff` times longer than the last, up to `realert_max`. None: no reminders.
    realert: Duration | None = "1h"
    realert_backoff: float = Field(2.0, ge=1.0, le=10.0)
    realert_max: Duration = "1d"
    notify_resolved: bool = True


class SliceFilters(_Strict):
    """Which posts a rule counts."""

    severity_min: int = Field(1, ge=0, le=4)
    relevant: bool | None = True
    cities: list[str] = []
    categories: list[str] = []
    sources: list[str] = []
    include_duplicates: bool = True


class PostRule(RuleBase):
    """A single post whose severity and influence reach a level's thresholds."""

    type: Literal["post"] = "post"
    name: str = Field("post", min_length=1, pattern=r"^[\w\-\.]+$")
    levels: list[PostLevel] = [
        PostLevel(level=1, severity_min=4, influence_min=0.5),
        PostLevel(level=2, severity_min=4),
        PostLevel(level=2, severity_min=3, influence_min=0.6),
        PostLevel(level=3, severity_min=3),
    ]
    lookback_hours: float = Field(24, gt=0)
    realert: Duration | None = None
    notify_resolved: bool = False


class VolumeRule(RuleBase, SliceFilters):
    """count(slice, window) > max(base × coefficient, protection); base = mean of past windows."""

    type: Literal["volume"]
    group_by: list[SliceField] = ["city"]
    window: Literal["hour", "day"] = "day"
    reference_days: int = Field(180, ge=1, le=3650)
    coefficient: float = Field(3.0, gt=0)
    protection: int = Field(10, ge=0)
    base_refresh: Duration = "1h"   # how often the last days are recounted into the base


class SpikeRule(RuleBase, SliceFilters):
    """The current window against the previous one: up (×ratio) or down (÷ratio)."""

    type: Literal["spike"]
    group_by: list[SliceField] = ["city"]
    window: Duration = "1h"
    direction: Literal["up", "down", "both"] = "up"
    ratio: float = Field(3.0, gt=1)
    min_current: int = Field(10, ge=0)   # up: at least this many now
    min_previous: int = Field(10, ge=0)  # down: at least this many before


class EventLevel(_Strict):
    level: Level
    min_posts: int = Field(ge=2)


class EventRule(RuleBase, SliceFilters):
    """Many near-duplicate or similar posts in a window → one hot event (事件)."""

    type: Literal["event"]
    window: Duration = "6h"
    similarity: float = Field(0.4, gt=0, le=1)  # Jaccard of character n-grams
    ngram: int = Field(2, ge=1, le=5)
    min_posts: int = Field(3, ge=2)
    levels: list[EventLevel] = [EventLevel(level=2, min_posts=10), EventLevel(level=1, min_posts=30)]
    level: Level = 3
    update_growth: float = Field(2.0, gt=1)  # notify again when the event is this many times bigger
    quiet_for: Duration | None = None         # resolved after no new post for this long (default: window)
    severity_min: int = Field(2, ge=0, le=4)
    realert: Duration | None = "30m"


class FlatlineRule(RuleBase):
    """A source that yields fewer than `threshold` posts in `timeframe`: the crawler is likely broken."""

    type: Literal["flatline"]
    sources: list[str] = []  # default: every enabled source
    timeframe: Duration = "6h"
    threshold: int = Field(1, ge=1)
    level: Level = 2
    realert: Duration | None = "6h"


Rule = Annotated[Union[PostRule, VolumeRule, SpikeRule, EventRule, FlatlineRule],
                 Field(discriminator="type")]


class Notifier(_Strict):
    """A channel and its routing: which alerts (levels, cities, categories, rules) it receives."""

    name: str = Field(min_length=1)
    type: Literal["file", "webhook", "smtp", "sms"]
    # routing; empty lists mean 'all'
    min_level: Level = 3
    levels: list[Level] = []
    cities: list[str] = []
    categories: list[str] = []
    rules: list[str] = []
    kinds: list[Literal["new", "update", "escalated", "reminder", "resolved"]] = []
    # low levels as a digest: messages of these levels are held and sent together every digest_every
    digest_levels: list[Level] = []
    digest_every: Duration = "1h"
    timeout: float = Field(10, gt=0)
    # file
    path: Path | None = None
    # webhook (and the SMS gateway)
    url: str | None = None
    format: Literal["json", "wecom", "dingtalk", "feishu"] = "json"
    secret: str | None = None  # DingTalk/Feishu signing secret
    headers: dict[str, str] = {}
    # smtp
    host: str | None = None
    port: int = Field(465, ge=1, le=65535)
    security: Literal["ssl", "starttls", "none"] = "ssl"
    username: str | None = None
    password: str | None = None
    sender: str | None = None
    to: list[str] = []
    # sms: one request per phone; every string value of `body`/`params` has {phone} and {text}
    method: Literal["POST", "GET"] = "POST"
    encoding: Literal["json", "form"] = "json"
    phones: list[str] = []
    body: dict[str, Any] = {}
    params: dict[str, str] = {}
    max_chars: int = Field(120, ge=20)

    @model_validator(mode="after")
    def _target(self) -> "Notifier":
        needs = {"file": ("path",), "webhook": ("url",), "smtp": ("host", "sender", "to"),
                 "sms": ("url", "phones")}
        missing = [f for f in needs[self.type] if not getattr(self, f)]
        if missing:
            raise ValueError(f"a {self.type} notifier needs {', '.join(missing)}")
        return self


class WarningsConfig(_Strict):
    evaluate_every: str = "1m"
    console_url: str | None = None  # the console as recipients reach it (default: dashboard host:port)
    post: PostRule | None = None    # legacy single post rule; prefer a `type: post` entry in rules
    rules: list[Rule] = []
    notifiers: list[Notifier] = []

    @field_validator("evaluate_every")
    @classmethod
    def _interval(cls, v: str) -> str:
        return check_interval(v)

    @model_validator(mode="after")
    def _rules(self) -> "WarningsConfig":
        if self.post is not None and not any(r.type == "post" for r in self.rules):
            self.rules = [self.post, *self.rules]
        elif self.post is None and not self.rules:
            self.rules = [PostRule()]
        names = [r.name for r in self.rules]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"duplicate rule name {dupes[0]!r}")
        notifier_names = [n.name for n in self.notifiers]
        dupes = sorted({n for n in notifier_names if notifier_names.count(n) > 1})
        if dupes:
            raise ValueError(f"duplicate notifier name {dupes[0]!r}")
        for notifier in self.notifiers:
            unknown = [r for r in notifier.rules if r not in names]
            if unknown:
                raise ValueError(f"notifier {notifier.name!r} routes unknown rule {unknown[0]!r}")
        return self


class DemoConfig(_Strict):
    enabled: bool = False
    host: str = "127.0.0.1"
    port: int = Field(8600, ge=0, le=65535)
    initial: int = Field(160, ge=0)
    release_every: float = 20.0


class DashboardConfig(_Strict):
    host: str = "127.0.0.1"
    port: int = Field(8501, ge=1, le=65535)


# --- cases (工单), reports (分析通报): owned by cases/ and reports/ -----------------------------
DEFAULT_DEPARTMENTS = {
    "网络覆盖/信号": "网络部", "上网速度/移动数据": "网络部", "宽带/家宽": "家庭业务部",
    "资费计费/乱扣费": "计费账务中心", "套餐/合约": "市场部", "增值业务/SP定制": "增值业务管理室",
    "业务办理/销户携号转网": "渠道管理部", "服务态度/营业厅": "渠道管理部",
    "10086热线": "客户服务中心", "营销宣传": "市场部", "终端/卡": "终端公司", "其他": "客户服务中心",
}


class SlaSpec(_Strict):
    first_response: str
    closure: str

    @field_validator("first_response", "closure")
    @classmethod
    def _duration(cls, v: str) -> str:
        if interval_seconds(v) is None:
            raise ValueError(f"not a duration like 30m/4h/2d: {v!r}")
        return v


class CasesConfig(_Strict):
    auto_create_levels: list[Literal[1, 2, 3]] = [1, 2]
    auto_dispatch: bool = True             # a case with a known city goes straight to its branch
    provincial_team: str = "省公司互联网投诉组"
    branch_suffix: str = "分公司"
    branches: dict[str, str] = {}          # city → branch name; default "{city}{branch_suffix}"
    departments: dict[str, str] = DEFAULT_DEPARTMENTS   # category → department
    sla: dict[int, SlaSpec] = {
        4: SlaSpec(first_response="1h", closure="24h"),
        3: SlaSpec(first_response="4h", closure="48h"),
        2: SlaSpec(first_response="24h", closure="72h"),
        1: SlaSpec(first_response="24h", closure="72h"),
        0: SlaSpec(first_response="24h", closure="72h"),
    }
    escalate_every: str = "5m"
    related_author_days: float = Field(30, ge=0)
    hotline: str = "10086"

    @field_validator("escalate_every")
    @classmethod
    def _interval(cls, v: str) -> str:
        return check_interval(v)

    def branch_of(self, city: str | None) -> str:
        """The branch that handles `city`; the provincial team when the city is unknown."""
        if not city:
            return self.provincial_team
        return self.branches.get(city, f"{city}{self.branch_suffix}")

    def sla_for(self, tier: int | None) -> SlaSpec:
        """The SLA of a severity tier (the nearest configured tier at or below it)."""
        tier = tier or 0
        for t in sorted(self.sla, reverse=True):
            if t <= tier:
                return self.sla[t]
        return self.sla[min(self.sla)]


class ReportSchedule(_Strict):
    daily: str | None = "0 8 * * *"        # cron (Asia/Shanghai); null switches it off
    weekly: str | None = "30 8 * * mon"   # APScheduler counts weekdays from Monday = 0: use names
    monthly: str | None = "0 9 1 * *"

    @field_validator("daily", "weekly", "monthly")
    @classmethod
    def _cron(cls, v: str | None) -> str | None:
        return None if v is None else check_interval(v)


class ReportsConfig(_Strict):
    output_dir: Path = Path("data/reports")
    schedule: ReportSchedule = ReportSchedule()
    notify_level: Literal[1, 2, 3] = 3     # sent to notifiers whose min_level admits this level
    complaint_min_tier: int = Field(2, ge=0, le=4)   # what counts as a complaint for 万投比
    subscribers: dict[str, float] = {}    # city → subscribers in 10,000s, overrides keywords/regions.yaml
    top_events: int = Field(10, ge=1, le=100)


class Config(_Strict):
    data_dir: Path = Path("data")
    store: StoreConfig = StoreConfig()
    nlp: NlpConfig = NlpConfig()
    sources: list[Source] = []
    warnings: WarningsConfig = WarningsConfig()
    demo: DemoConfig = DemoConfig()
    dashboard: DashboardConfig = DashboardConfig()
    cases: CasesConfig = CasesConfig()
    reports: ReportsConfig = ReportsConfig()
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
        data = load_yaml(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f":{mark.line + 1}:{mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise ConfigError(f"{path}{where}: invalid YAML: {problem}") from None
    return parse(data, path)
