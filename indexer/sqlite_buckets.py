"""Histogram time buckets: the SQL grouping posts by hour or day, and each bucket's label."""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import lru_cache

# Buckets are grouped as integers (hours or days since the epoch, China time) and labelled in
# Python: strftime() per row costs more than the rest of a 30-day histogram. Weeks and months
# are days folded after grouping.
BUCKET = {
    "hour": "(p.published_ts + 28800) / 3600",
    "day": "(p.published_ts + 28800) / 86400",
    "week": "(p.published_ts + 28800) / 86400",
    "month": "(p.published_ts + 28800) / 86400",
}
_EPOCH = datetime(1970, 1, 1)


@lru_cache(maxsize=65536)
def bucket_label(interval: str, n: int) -> str:
    """ISO start (+08:00) of bucket `n` as grouped by BUCKET[interval]."""
    if interval == "hour":
        start = _EPOCH + timedelta(hours=n)
    else:
        start = _EPOCH + timedelta(days=n)
        if interval == "week":
            start -= timedelta(days=start.weekday())
        elif interval == "month":
            start = start.replace(day=1)
    return start.strftime("%Y-%m-%dT%H:%M:%S") + "+08:00"
