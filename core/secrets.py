"""Secrets are shown and logged nowhere: one redaction for every error, log line and display.

Two things are masked. Every value an environment variable gave a `${VAR}` in the config (or a
source's cookie) is replaced by its `${VAR}` wherever it appears — in a URL's path or query, a
header echoed back, a library's error text — because the loader knows exactly what it expanded
(core.config.expand_env remembers it here). And every URL in a text loses its `user:password@`
and the values of query keys that look like credentials (`key`, `access_token`, `sign`,
`password` …), which catches a secret pasted literally into the config. Other query values stay:
`page=3` or `keywords=湖南移动` is what tells an operator which request failed.

The registry is per process: the crawl process, the monitor, the console and the CLI each load
the config, and each masks what its own load expanded. Values shorter than four characters and
plain numbers or switches (a port, `true`, `10m`) are not masked: they are not secrets, and
masking them would garble every log line that holds the same digits.
"""

from __future__ import annotations

import json
import logging
import re
import threading
from urllib.parse import quote, quote_plus, unquote_plus

MASK = "***"
_PLAIN = re.compile(r"(?i)(true|false|null|none|[+-]?\d{1,7}(\.\d*)?[smhd]?)")
_URL = re.compile(r"(?i)\b[a-z][a-z0-9+.\-]*://[^\s<>\"'`]*[^\s<>\"'`.,;:!?)\]]")
_URL_PARTS = re.compile(r"(?is)([a-z][a-z0-9+.\-]*://)([^/?#]*@)?(.*)")
_PLACEHOLDER = re.compile(r"\$\{[A-Za-z_][A-Za-z0-9_]*\}")
# A query key is a credential when, lower-cased without separators, it holds or ends with one of
# these (api_key, apiKey, X-Api-Key, access_token, client_secret, sign, signature, sessionid …).
_SECRET_WORDS = ("secret", "token", "passw", "credential")
_SECRET_ENDINGS = ("key", "pwd", "sign", "sig", "signature", "auth", "authorization", "session",
                   "sessionid", "sid", "ticket", "cookie")
_SECRET_KEYS = {"ak", "sk"}

_lock = threading.Lock()
_forms: dict[str, str] = {}          # a spelling of a secret value → its "${VAR}"
_pattern: re.Pattern[str] | None = None


def remember(variable: str, value: str) -> None:
    """Record that `value` came from environment variable `variable`: from now on this process
    shows it as ${variable}, in the forms a URL or JSON would spell it too."""
    global _pattern
    if len(value) < 4 or _PLAIN.fullmatch(value.strip()):
        return
    label = "${" + variable + "}"
    spellings = {value, quote(value, safe="/:?=&@+$,;~!*'()%"), quote(value, safe=""),
                 quote_plus(value), json.dumps(value, ensure_ascii=False)[1:-1]}
    with _lock:
        new = {s: label for s in spellings if s not in _forms}
        if not new:
            return
        _forms.update(new)
        _pattern = re.compile("|".join(re.escape(s) for s in sorted(_forms, key=len, reverse=True)))


def secret_key(name: str) -> bool:
    """Whether a query or header key names a credential."""
    key = re.sub(r"[^a-z0-9]", "", unquote_plus(name).lower())
    return (key in _SECRET_KEYS or any(w in key for w in _SECRET_WORDS)
            or key.endswith(_SECRET_ENDINGS))


def _mask_pairs(text: str) -> str:
    out = []
    for pair in text.split("&"):
        key, eq, value = pair.partition("=")
        if eq and value and secret_key(key) and not _PLACEHOLDER.fullmatch(value):
            value = MASK
        out.append(key + eq + value)
    return "&".join(out)


def redact_url(url: str) -> str:
    """The URL without its user:password and with the values of credential-like query (and
    fragment) keys replaced by ***; everything else as written."""
    match = _URL_PARTS.fullmatch(url)
    if match is None:
        return url
    scheme, userinfo, rest = match.groups()
    rest, hash_, fragment = rest.partition("#")
    path, question, query = rest.partition("?")
    return (scheme + (MASK + "@" if userinfo else "") + path + question + _mask_pairs(query)
            + hash_ + _mask_pairs(fragment))


def redact(text: str) -> str:
    """The text with every remembered secret shown as its ${VAR} and every URL in it redacted."""
    pattern = _pattern
    if pattern is not None:
        text = pattern.sub(lambda m: _forms[m.group(0)], text)
    return _URL.sub(lambda m: redact_url(m.group(0)), text)


class RedactingFilter(logging.Filter):
    """On a log handler: the record's message, traceback and stack go out redacted (the record is
    formatted here, once, so a lazy %-argument cannot bring a secret back)."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a bad %-format: the handler reports it, as without this filter
            return True
        record.msg = redact(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


def redact_logs(logger: logging.Logger | None = None) -> None:
    """Redact every record the handlers of `logger` (default: the root logger) emit."""
    for handler in (logger or logging.getLogger()).handlers:
        if not any(isinstance(f, RedactingFilter) for f in handler.filters):
            handler.addFilter(RedactingFilter())
