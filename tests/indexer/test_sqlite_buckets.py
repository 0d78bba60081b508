"""Histogram buckets: the SQL groups hours or days since the epoch in China time; each bucket is
labelled with its start, weeks from Monday, months from the first."""

from __future__ import annotations

import sqlite3

import pytest

from indexer.documents import parse_ts
from indexer.sqlite_buckets import BUCKET, bucket_label


@pytest.mark.parametrize("interval, at, label", [
    ("hour", "2026-11-20T10:35:00+08:00", "2026-11-20T10:00:00+08:00"),
    ("day", "2026-11-20T00:10:00+08:00", "2026-11-20T00:00:00+08:00"),
    ("week", "2026-11-20T23:59:00+08:00", "2026-11-16T00:00:00+08:00"),
    ("month", "2026-11-30T23:59:00+08:00", "2026-11-01T00:00:00+08:00"),
])
def test_a_post_falls_in_the_bucket_of_its_china_time(interval, at, label):
    conn = sqlite3.connect(":memory:")
    [(n,)] = conn.execute(f"SELECT {BUCKET[interval]} FROM (SELECT ? AS published_ts) AS p", (parse_ts(at),))
    assert bucket_label(interval, n) == label
