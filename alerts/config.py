"""The `warnings:` section: rules and notifiers, one model per type each, told apart by `type`."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Annotated, Any, Literal, Protocol, Union

from pydantic import Field, field_validator, model_validator
from pydantic_core import PydanticCustomError

from core.config import Duration, Level, Strict, check_interval


class PostLevel(Strict):
    level: Literal[1, 2, 3]
    severity_min: int = Field(ge=0, le=4)
    influence_min: float = Field(0.0, ge=0, le=1)


SliceField = Literal["category", "city", "source"]


class RuleBase(Strict):
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


class SliceFilters(Strict):
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


class EventLevel(Strict):
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


class CoverageRule(RuleBase):
    """A source whose crawls keep running into walls (crawler.blind_spots): part of what it
    should see is missing."""

    type: Literal["coverage"]
    sources: list[str] = []  # default: every enabled source
    timeframe: Duration = "6h"
    kinds: list[Literal["page_cap", "blocked", "captcha", "login_wall", "robots"]] = [
        "page_cap", "blocked", "captcha", "login_wall"]
    min_runs: int = Field(2, ge=1)  # one run's wall can be a blip; two in a row is a pattern
    level: Level = 3
    realert: Duration | None = "6h"


Rule = Annotated[Union[PostRule, VolumeRule, SpikeRule, EventRule, FlatlineRule, CoverageRule],
                 Field(discriminator="type")]


class NotifierBase(Strict):
    """What every channel has: its name and routing (which alerts it receives, and when)."""

    name: str = Field(min_length=1)
    # routing; empty lists mean 'all'
    min_level: Level = 3
    levels: list[Level] = []
    cities: list[str] = []
    categories: list[str] = []
    rules: list[str] = []
    # 'review': the review requests of held warnings (alerts.review), which go to the notifiers
    # of `reviewers` whatever their routing; `kinds: [review]` keeps a reviewers' channel to them.
    kinds: list[Literal["new", "update", "escalated", "reminder", "resolved", "review"]] = []
    # low levels as a digest: messages of these levels are held and sent together every digest_every
    digest_levels: list[Level] = []
    digest_every: Duration = "1h"
    # per level, over the defaults of `warnings.quiet` (alerts/quiet.py): a grouping window, and
    # the named time interval (or 'always') in which the level is sent
    group_wait: dict[Level, Duration] = {}
    send_during: dict[Level, str] = {}
    timeout: float = Field(10, gt=0)

    def receives(self, alert: dict[str, Any], kind: str) -> bool:
        """Whether this notifier is routed a notice about an alert (a row of `alerts`): by
        level, city, category, rule and kind."""
        levels = self.levels or [lv for lv in (1, 2, 3) if lv <= self.min_level]
        if alert["level"] not in levels:
            return False
        if self.cities and alert["city"] not in self.cities:
            return False
        if self.categories and not set(self.categories) & set(json.loads(alert["categories"] or "[]")):
            return False
        if self.rules and alert["rule"] not in self.rules:
            return False
        return not self.kinds or kind in self.kinds


class FileNotifierConfig(NotifierBase):
    """One JSON line per message appended to `path`."""

    type: Literal["file"]
    path: Path


class WebhookNotifierConfig(NotifierBase):
    """A JSON POST: plain, or a 企业微信 / 钉钉 / 飞书 robot's format."""

    type: Literal["webhook"]
    url: str = Field(min_length=1)
    format: Literal["json", "wecom", "dingtalk", "feishu"] = "json"
    secret: str | None = None  # DingTalk/Feishu signing secret
    headers: dict[str, str] = {}


class SmtpNotifierConfig(NotifierBase):
    """E-mail; the password comes from ${ENV}."""

    type: Literal["smtp"]
    host: str = Field(min_length=1)
    port: int = Field(465, ge=1, le=65535)
    security: Literal["ssl", "starttls", "none"] = "ssl"
    username: str | None = None
    password: str | None = None
    sender: str = Field(min_length=1)
    to: list[str] = Field(min_length=1)


class SmsNotifierConfig(NotifierBase):
    """An HTTP SMS gateway: one request per phone; every string value of `body`/`params` may hold
    {phone} and {text}."""

    type: Literal["sms"]
    url: str = Field(min_length=1)
    method: Literal["POST", "GET"] = "POST"
    encoding: Literal["json", "form"] = "json"
    headers: dict[str, str] = {}
    phones: list[str] = Field(min_length=1)
    body: dict[str, Any] = {}
    params: dict[str, str] = {}
    max_chars: int = Field(120, ge=20)


Notifier = Annotated[Union[FileNotifierConfig, WebhookNotifierConfig, SmtpNotifierConfig,
                           SmsNotifierConfig], Field(discriminator="type")]


# The rule name of warnings a monitor publishes by hand (人工发布); no configured rule may take it.
MANUAL = "manual"


class ReviewStage(Strict):
    """One step of the review chain: the role asked to review (审核) a held warning, and the
    notifiers that reach that role. The next step is asked when `review_timeout` passes."""

    role: Literal["monitor", "manager", "admin"]
    notifiers: list[str] = []


_CLOCK = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)-(([01]\d|2[0-3]):([0-5]\d)|24:00)$")
ALWAYS = "always"


def clock_range(text: str) -> tuple[int, int]:
    """'08:30-18:00' → (510, 1080), minutes of the day; the end may be 24:00."""
    match = _CLOCK.match(text.strip())
    if not match:
        raise PydanticCustomError("time_range", "{value!r} is not a range like 08:30-18:00",
                                  {"value": text})
    start, end = (int(h) * 60 + int(m) for h, m in (p.split(":") for p in text.strip().split("-")))
    if end <= start:
        raise PydanticCustomError("time_range_order", "{value!r} ends before it starts",
                                  {"value": text})
    return start, end


class TimeInterval(Strict):
    """When messages may go out: days of the week (1 Monday … 7 Sunday) and clock ranges in
    China time."""

    weekdays: list[Annotated[int, Field(ge=1, le=7)]] = Field([1, 2, 3, 4, 5, 6, 7], min_length=1)
    times: list[str] = Field(["00:00-24:00"], min_length=1)

    @field_validator("times")
    @classmethod
    def _times(cls, v: list[str]) -> list[str]:
        for text in v:
            clock_range(text)
        return [t.strip() for t in v]


class QuietConfig(Strict):
    """Quiet alerting (alerts/quiet.py): per-post warnings inside an open event fold into it,
    a level's messages can be collected for a window and sent as one, and a level can be kept
    to a time interval (静默时段 outside it). A notifier's own `group_wait` / `send_during`
    override these per level."""

    inhibit: bool = True
    group_wait: dict[Level, Duration] = {}
    send_during: dict[Level, str] = {}
    time_intervals: dict[str, TimeInterval] = {
        "office": TimeInterval(weekdays=[1, 2, 3, 4, 5], times=["08:30-18:00"])}


class ManualConfig(Strict):
    """The choices the 人工发布 form offers."""

    types: list[str] = Field(["单帖曝光", "热点事件", "投诉量异常", "网络/业务故障", "其他"], min_length=1)
    departments: list[str] = Field(["省客服中心互联网投诉监控室"], min_length=1)


class WarningsConfig(Strict):
    evaluate_every: str = "1m"
    console_url: str | None = None  # the console as recipients reach it (default: dashboard host:port)
    post: PostRule | None = None    # legacy single post rule; prefer a `type: post` entry in rules
    rules: list[Rule] = []
    notifiers: list[Notifier] = []
    # Per level: publish at once (the default) or hold for review (审核) before anything is sent.
    review: dict[Level, Literal["publish", "hold"]] = {}
    review_timeout: Duration = "30m"
    reviewers: list[ReviewStage] = [ReviewStage(role="manager"), ReviewStage(role="admin")]
    manual: ManualConfig = ManualConfig()
    quiet: QuietConfig = QuietConfig()

    def holds(self, level: int) -> bool:
        """Whether a new warning of this level waits for review before it is sent."""
        return self.review.get(level, "publish") == "hold"

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
        if MANUAL in names:
            raise ValueError(f"rule name {MANUAL!r} is reserved for warnings published by hand")
        notifier_names = [n.name for n in self.notifiers]
        dupes = sorted({n for n in notifier_names if notifier_names.count(n) > 1})
        if dupes:
            raise ValueError(f"duplicate notifier name {dupes[0]!r}")
        for notifier in self.notifiers:
            unknown = [r for r in notifier.rules if r not in names and r != MANUAL]
            if unknown:
                raise ValueError(f"notifier {notifier.name!r} routes unknown rule {unknown[0]!r}")
        self._check_reviewers(notifier_names)
        self._check_intervals()
        return self

    def _check_intervals(self) -> None:
        known = [ALWAYS, *self.quiet.time_intervals]
        choices = [self.quiet.send_during, *(n.send_during for n in self.notifiers)]
        for chosen in choices:
            for name in chosen.values():
                if name not in known:
                    raise PydanticCustomError(
                        "unknown_interval", "send_during names unknown time interval {name!r}; "
                        "known: {known}", {"name": name, "known": "、".join(known)})

    def _check_reviewers(self, notifier_names: list[str]) -> None:
        roles = [stage.role for stage in self.reviewers]
        if len(set(roles)) != len(roles):
            raise ValueError("reviewers: each role may appear once in the review chain")
        for i, stage in enumerate(self.reviewers):
            unknown = [n for n in stage.notifiers if n not in notifier_names]
            if unknown:
                raise ValueError(f"reviewers[{i}] names unknown notifier {unknown[0]!r}")
        if "hold" in self.review.values():
            if not self.reviewers:
                raise ValueError("review: a level is held for review, so reviewers must name at "
                                 "least one role")
            silent = [i for i, stage in enumerate(self.reviewers) if not stage.notifiers]
            if silent:
                # A held warning nobody hears of would wait unseen: every step must reach someone.
                raise ValueError(f"reviewers[{silent[0]}].notifiers: a level is held for review, "
                                 "so each reviewer step must name the notifiers that reach it")


class AppConfig(Protocol):
    """What alerts/ reads of the whole config (tousu.config.Config is one)."""

    warnings: WarningsConfig
    sources: list[Any]

    @property
    def state_path(self) -> Path: ...

    @property
    def console_url(self) -> str: ...

    @property
    def keywords_dir(self) -> Path: ...

    def resolve(self, path: Path) -> Path: ...
