"""Config machinery every package's section model uses: strict models, intervals, ${ENV}, errors.

The sections themselves live with the package that reads them (crawler/config.py,
alerts/config.py …); tousu/config.py composes them into the whole file.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from lxml import etree
from parsel.csstranslator import HTMLTranslator
from pydantic import AfterValidator, BaseModel, ConfigDict, ValidationError

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
Level = Literal[1, 2, 3]


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


def format_loc(loc: tuple[Any, ...], tags: frozenset[str] = frozenset()) -> str:
    """('sources', 2, 'html', 'list', 'links') → 'sources[2].list.links'.

    `tags` are the discriminator values of tagged unions: pydantic names the member it tried
    after the index, a key the user never wrote.
    """
    out = ""
    previous: Any = None
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif isinstance(previous, int) and part in tags:
            pass
        else:
            out += f".{part}" if out else str(part)
        previous = part
    return out


def validation_errors(exc: ValidationError, file: Path | str,
                      tags: frozenset[str] = frozenset()) -> ConfigError:
    """One line per problem: file, key path, message."""
    lines = []
    for err in exc.errors():
        msg = err["msg"].removeprefix("Value error, ")
        lines.append(f"{file}: {format_loc(err['loc'], tags) or '(top level)'}: {msg}")
    return ConfigError("\n".join(lines))


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
