"""Back-off helpers (the middleware itself is tested against a local 429 server in
test_replay_crawl.py)."""

from datetime import datetime, timezone
from email.utils import format_datetime

import pytest

from crawler.backoff import retry_after_seconds


@pytest.mark.parametrize("value,expected", [(b"120", 120.0), ("0", 0.0), (None, None),
                                            (b"soon", None), (b"", None)])
def test_retry_after_seconds(value, expected):
    assert retry_after_seconds(value) == expected


def test_retry_after_http_date():
    when = datetime(2026, 11, 22, 10, 0, 30, tzinfo=timezone.utc)
    now = datetime(2026, 11, 22, 10, 0, 0, tzinfo=timezone.utc).timestamp()
    assert retry_after_seconds(format_datetime(when, usegmt=True), now) == 30.0
