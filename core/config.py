"""Config machinery every package's section model uses: strict models, intervals, ${ENV}, and
the problems a config can have, each with its message in Chinese (console) and English (CLI).

The sections themselves live with the package that reads them (crawler/config.py,
alerts/config.py …); tousu/config.py composes them into the whole file and validates it.
"""

from __future__ import annotations

import difflib
import os
import re
import types
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Iterator, Literal, Union, get_args, get_origin

import yaml
from lxml import etree
from parsel.csstranslator import HTMLTranslator
from pydantic import AfterValidator, BaseModel, ConfigDict, ValidationError

from core.secrets import redact, remember
from core.yamlio import load_yaml

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
    from apscheduler.triggers.cron import CronTrigger  # lazy: 0.25 s, only for a cron string

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


class Strict(BaseModel):
    """A config section: unknown keys are errors, not silently ignored."""

    model_config = ConfigDict(extra="forbid")


def _duration(value: str | None) -> str | None:
    """'30s' / '10m' / '2h' / '1d' only (no cron): rule windows and back-offs are lengths."""
    if value is not None and interval_seconds(value) is None:
        raise ValueError(f"{value!r} is not a duration like 30s, 10m, 2h or 1d")
    return value


Duration = Annotated[str, AfterValidator(_duration)]
Level = Literal[1, 2, 3]


Lang = Literal["zh", "en"]

# A problem's message by its kind (pydantic's error type, or env_missing), Chinese for the console
# and English for the CLI; {name} is filled from the problem's ctx, and "+suggestion" is the
# message when ctx holds a known key close to an unknown one. The English follows pydantic's
# wording. Kinds not listed (our own validators' ValueErrors) show the validator's words.
MESSAGES: dict[str, tuple[str, str]] = {
    "missing": ("缺少必填项", "Field required"),
    "extra_forbidden": ("没有这个字段（拼写错误？）", "Extra inputs are not permitted"),
    "extra_forbidden+suggestion": ("没有这个字段，是不是 {suggestion}？",
                                   "Extra inputs are not permitted; did you mean {suggestion!r}?"),
    "greater_than": ("必须大于 {gt}", "Input should be greater than {gt}"),
    "greater_than_equal": ("不能小于 {ge}", "Input should be greater than or equal to {ge}"),
    "less_than": ("必须小于 {lt}", "Input should be less than {lt}"),
    "less_than_equal": ("不能大于 {le}", "Input should be less than or equal to {le}"),
    "int_parsing": ("应为整数", "Input should be a valid integer"),
    "int_type": ("应为整数", "Input should be a valid integer"),
    "int_from_float": ("应为整数", "Input should be a valid integer"),
    "float_parsing": ("应为数字", "Input should be a valid number"),
    "float_type": ("应为数字", "Input should be a valid number"),
    "bool_parsing": ("应为 true 或 false", "Input should be a valid boolean"),
    "bool_type": ("应为 true 或 false", "Input should be a valid boolean"),
    "string_type": ("应为文字", "Input should be a valid string"),
    "string_too_short": ("不能为空", "String should not be empty"),
    "too_short": ("至少要有 {min_length} 项", "List should have at least {min_length} item(s)"),
    "string_pattern_mismatch": ("格式不对（只能用字母、数字、下划线、连字符和点）",
                                "String should only hold letters, digits, '_', '-' and '.'"),
    "literal_error": ("只能是 {expected}", "Input should be {expected}"),
    "list_type": ("应为列表", "Input should be a valid list"),
    "dict_type": ("应为映射（键: 值）", "Input should be a valid dictionary"),
    "model_type": ("应为映射（键: 值）", "Input should be a valid dictionary"),
    "union_tag_invalid": ("type 只能是 {expected_tags}",
                          "type {tag!r} is not one of {expected_tags}"),
    "union_tag_invalid+suggestion": ("type 只能是 {expected_tags}，是不是 {suggestion}？",
                                     "type {tag!r} is not one of {expected_tags}; did you mean "
                                     "{suggestion!r}?"),
    "union_tag_not_found": ("缺少 type", "Unable to extract tag using discriminator {discriminator}"),
    "env_missing": ("环境变量 {variable} 未设置", "environment variable {variable} is not set"),
    # the keyword files' own checks (nlp.dictionary_schema)
    "empty_term": ("不能有空词", "empty term"),
    "unknown_category": ("没有这个分类：{unknown}；可选：{allowed}",
                         "unknown categories {unknown}; allowed: {allowed}"),
    "tier_range": ("等级只能是 0–4，不能是 {bad}", "tiers must be 0-4, got {bad}"),
    "cue_weight": ("{tier}级线索词「{term}」的权重 {weight} 须大于 0、不大于 5",
                   "tier {tier} cue {term!r}: weight {weight} not in (0, 5]"),
    "alias_conflict": ("别名「{alias}」同时属于 {owner} 和 {city}",
                       "alias {alias!r} belongs to both {owner} and {city}"),
    # quiet alerting's time intervals (alerts.config)
    "time_range": ("时段「{value}」格式应为 时:分-时:分，如 08:30-18:00",
                   "{value!r} is not a range like 08:30-18:00"),
    "time_range_order": ("时段「{value}」的结束时间须晚于开始时间", "{value!r} ends before it starts"),
    "unknown_interval": ("没有名为「{name}」的时段；可选：{known}",
                         "send_during names unknown time interval {name!r}; known: {known}"),
    # a time-windowed keyword search (crawler.config.WeiboSearchSource)
    "whole_hours": ("「{value}」应为整小时数，如 1h、6h、1d（微博搜索的时间精度是小时）",
                    "{value!r} is not a whole number of hours like 1h, 6h or 2d"),
    "time_point": ("「{value}」应为整点时间，如 2026-11-20 或 2026-11-20 08:00（北京时间）",
                   "{value!r} is not a time on the hour like 2026-11-20 or 2026-11-20 08:00"),
    "window_or_range": ("window（最近一段时间）与 since/until（固定时段）只能二选一",
                        "set window or since/until, not both"),
    "until_without_since": ("设置了 until 就要同时设置 since", "until needs since"),
    "range_order": ("until 必须晚于 since", "until must be later than since"),
    "since_future": ("since（{since}）还没到：这个时段还没有帖子可搜", "since {since} is in the future"),
    "min_window_too_long": ("min_window（{min_window}）不能长于要搜索的时段",
                            "min_window {min_window} is longer than the range"),
}
_OTHER = ("取值无效：{detail}", "{detail}")


class _Ctx(dict):
    """Message context; a placeholder pydantic gave no value for shows as '?', not a KeyError."""

    def __missing__(self, key: str) -> str:
        return "?"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a config: where (the key path as the user wrote it), what kind, and
    what its message needs (limits, expected values, the known key an unknown one is closest to)."""

    loc: tuple[str | int, ...]
    kind: str
    ctx: dict[str, Any] = field(default_factory=dict)
    detail: str = ""  # the validator's own words (English): the message of kinds not in MESSAGES

    @property
    def path(self) -> str:
        return format_loc(self.loc)

    def message(self, lang: Lang = "en") -> str:
        """The message alone, in Chinese (console) or English (CLI)."""
        which = 0 if lang == "zh" else 1
        ctx = _Ctx(self.ctx, detail=self.detail)
        if lang == "zh":
            ctx.update({k: v.replace(" or ", " 或 ") for k, v in ctx.items()
                        if k.startswith("expected") and isinstance(v, str)})
        kind = f"{self.kind}+suggestion" if "suggestion" in ctx else self.kind
        return MESSAGES.get(kind, _OTHER)[which].format_map(ctx)


class ConfigInvalid(ConfigError):
    """The config, or an item of it, is not what the schema allows; `problems` lists each."""

    def __init__(self, problems: list[Problem], file: Path | str | None = None):
        self.problems = problems
        prefix = f"{file}: " if file else ""
        super().__init__("\n".join(f"{prefix}{p.path or '(top level)'}: {p.message()}"
                                   for p in problems))


def expand_env(value: Any, loc: tuple[str | int, ...] = ()) -> Any:
    """Replace ${VAR} and ${VAR:-default} in every string; a missing VAR is an error. Each value
    taken from the environment is remembered as a secret (core.secrets), never shown again."""
    if isinstance(value, dict):
        return {k: expand_env(v, (*loc, k)) for k, v in value.items()}
    if isinstance(value, list):
        return [expand_env(v, (*loc, i)) for i, v in enumerate(value)]
    if isinstance(value, str):
        def repl(match: re.Match[str]) -> str:
            name, default = match.group(1), match.group(2)
            if name in os.environ:
                remember(name, os.environ[name])
                return os.environ[name]
            if default is not None:
                return default
            raise ConfigInvalid([Problem(loc, "env_missing", {"variable": name})])
        return _ENV_REF.sub(repl, value)
    return value


def format_loc(loc: tuple[Any, ...]) -> str:
    """('sources', 2, 'list', 'links') → 'sources[2].list.links'."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else f".{part}" if out else str(part)
    return out


def _bare(tp: Any) -> Any:
    """Annotated[X, …] and X | None → X: the type whose keys or items a location walks into."""
    while True:
        if get_origin(tp) is Annotated:
            tp = get_args(tp)[0]
        elif get_origin(tp) in (Union, types.UnionType) and type(None) in get_args(tp):
            rest = [a for a in get_args(tp) if a is not type(None)]
            if len(rest) != 1:
                return tp
            tp = rest[0]
        else:
            return tp


def union_members(tp: Any) -> dict[str, type[BaseModel]]:
    """A tagged union's models by their `type` tag; {} for any other type."""
    tp = _bare(tp)
    if get_origin(tp) not in (Union, types.UnionType):
        return {}
    return {get_args(m.model_fields["type"].annotation)[0]: m for m in get_args(tp)
            if _is_model(m) and "type" in m.model_fields}


def _is_model(tp: Any) -> bool:
    return isinstance(tp, type) and issubclass(tp, BaseModel)


def _inside(tp: Any, part: Any) -> Any:
    """The type at key or index `part` of `tp`, None when unknown."""
    if _is_model(tp):
        spec = tp.model_fields.get(part)
        return spec.annotation if spec else None
    args = get_args(tp)
    if get_origin(tp) in (list, tuple, set) and isinstance(part, int) and args:
        return args[0]
    if get_origin(tp) is dict and len(args) == 2:
        return args[1]
    return None


def _as_written(root: Any, loc: tuple[Any, ...]) -> tuple[tuple[Any, ...], Any]:
    """The location as the user wrote it — pydantic names the member of a tagged union it tried
    after the index, a key the user never wrote — and the type its last key belongs to."""
    out: list[Any] = []
    tp, owner = root, None
    for part in loc:
        members = union_members(tp)
        if part in members:
            tp = members[part]
            continue
        owner = _bare(tp)
        out.append(part)
        tp = _inside(owner, part)
    return tuple(out), owner


def schema_problems(exc: ValidationError, root: Any) -> list[Problem]:
    """The problems in a pydantic error raised validating `root` (a model or a tagged union);
    an unknown key gets the closest known key of its model as `suggestion`."""
    out = []
    for err in exc.errors():
        loc, owner = _as_written(root, err["loc"])
        ctx = {k: redact(v) if isinstance(v, str) else v
               for k, v in (err.get("ctx") or {}).items() if k != "error"}
        if err["type"] == "extra_forbidden" and _is_model(owner) and loc:
            known = [name for name, spec in owner.model_fields.items() if not spec.exclude]
            close = difflib.get_close_matches(str(loc[-1]), known, n=1)
            if close:
                ctx["suggestion"] = close[0]
        if err["type"] == "union_tag_invalid":
            tags = [t.strip(" '") for t in str(ctx.get("expected_tags", "")).split(",")]
            close = difflib.get_close_matches(str(ctx.get("tag", "")), tags, n=1)
            if close:
                ctx["suggestion"] = close[0]
        out.append(Problem(loc, err["type"], ctx, _detail(err, loc)))
    return out


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def _detail(err: Any, loc: tuple[Any, ...]) -> str:
    """A validator's words with every secret in them shown as its ${VAR}."""
    detail = err["msg"].removeprefix("Value error, ")
    if loc and isinstance(loc[-1], str) and any(redact(s) != s for s in _strings(err.get("input"))):
        # A field's value holds a secret: a parser's explanation after ': ' (cssselect, lxml,
        # JMESPath, cron) may quote a piece of it that no mask recognises, so only our own words
        # (which quote the whole value, masked below) are kept.
        detail = detail.split(": ", 1)[0]
    return redact(detail)


def read_yaml(path: Path) -> Any:
    """A YAML file's data; ConfigError naming the file (and line:column) when it cannot be read."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{path}: config file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from None
    try:
        return load_yaml(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f":{mark.line + 1}:{mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise ConfigError(f"{path}{where}: invalid YAML: {problem}") from None
