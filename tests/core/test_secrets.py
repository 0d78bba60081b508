"""Redaction: URLs lose credentials, expanded ${VAR} values show as their placeholder, and log
records go out redacted — message, %-arguments and traceback."""

from __future__ import annotations

import io
import logging
import uuid
from urllib.parse import quote, quote_plus

import pytest

from core.config import expand_env
from core.secrets import RedactingFilter, redact, redact_logs, redact_url, remember


@pytest.mark.parametrize("url,expected", [
    ("http://user:pa55@proxy.test:3128", "http://***@proxy.test:3128"),
    ("https://h/send?key=abc&page=2", "https://h/send?key=***&page=2"),
    ("https://h/robot/send?access_token=t0k&timestamp=1&sign=a%2Bb",
     "https://h/robot/send?access_token=***&timestamp=1&sign=***"),
    ("https://h/api?apiKey=1&X-Api-Key=2&client_secret=3&password=4&sessionid=5",
     "https://h/api?apiKey=***&X-Api-Key=***&client_secret=***&password=***&sessionid=***"),
    ("https://h/s?keywords=湖南移动&containerid=100103&page=3",
     "https://h/s?keywords=湖南移动&containerid=100103&page=3"),
    ("https://h/cb#access_token=abc&state=x", "https://h/cb#access_token=***&state=x"),
    ("https://h/?key=${WECOM_KEY}", "https://h/?key=${WECOM_KEY}"),
    ("https://h/path/only", "https://h/path/only"),
    ("not a url", "not a url"),
])
def test_redact_url(url, expected):
    assert redact_url(url) == expected


def test_urls_inside_text_are_redacted_up_to_their_end():
    text = "Crawled (200) <GET https://h/a?token=zz&page=1> (referer: None); see http://u:p@h/x."
    assert redact(text) == ("Crawled (200) <GET https://h/a?token=***&page=1> (referer: None); "
                            "see http://***@h/x.")


def test_an_expanded_value_shows_as_its_variable_in_every_spelling(monkeypatch):
    secret = f"Sk|{uuid.uuid4().hex} +/"
    monkeypatch.setenv("TOUSU_TEST_SECRET_A", secret)
    monkeypatch.setenv("TOUSU_TEST_SECRET_B", "should-not-count")
    expand_env({"url": "https://h/bot/${TOUSU_TEST_SECRET_A}/send",
                "other": "${TOUSU_TEST_UNSET_X:-a-default-value}"})
    for spelling in (secret, quote(secret, safe=""), quote_plus(secret),
                     quote(secret, safe="/:?=&@+$,;~!*'()%")):
        assert redact(f"GET https://h/bot/{spelling}/send failed") == \
            "GET https://h/bot/${TOUSU_TEST_SECRET_A}/send failed"
    # a variable the config never referred to, and a written default, are not secrets
    assert redact("should-not-count a-default-value") == "should-not-count a-default-value"


def test_short_values_numbers_and_switches_are_not_masked():
    for value in ("abc", "8080", "true", "0.5", "10m"):
        remember("TOUSU_TEST_PLAIN", value)
    assert redact("port 8080 true 0.5 10m abc") == "port 8080 true 0.5 10m abc"


def test_log_records_go_out_redacted(monkeypatch):
    secret = f"Lg-{uuid.uuid4().hex}"
    remember("TOUSU_TEST_LOG", secret)
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    logger = logging.getLogger(f"tests.secrets.{uuid.uuid4().hex}")
    logger.propagate = False
    logger.addHandler(handler)
    redact_logs(logger)
    redact_logs(logger)  # idempotent: one filter per handler
    assert sum(isinstance(f, RedactingFilter) for f in handler.filters) == 1
    logger.warning("Crawled (200) <GET %s> %s", f"http://h/a?k={secret}", {"p": "x:y@z"})
    try:
        raise ValueError(f"Missing scheme in request url: h/api?key={secret}")
    except ValueError:
        logger.exception("request failed")
    out = stream.getvalue()
    assert secret not in out
    assert "<GET http://h/a?k=${TOUSU_TEST_LOG}>" in out
    assert "ValueError: Missing scheme in request url: h/api?key=${TOUSU_TEST_LOG}" in out
