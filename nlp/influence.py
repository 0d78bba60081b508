"""Influence: how far a post can spread (engagement, author reach, source weight), 0–1."""

from __future__ import annotations

import math
from typing import Mapping

# Log-scaled so that one viral post does not flatten everything else; weights reflect that a
# repost carries a complaint further than a like, and a view least of all.
_WEIGHTS = {"reposts": 0.9, "replies": 0.6, "likes": 0.3, "views": 0.25, "followers": 0.2}


def influence(engagement: Mapping[str, object], source_weight: float = 1.0) -> float:
    """Influence score in [0, 1] from engagement counts, author reach and the source weight."""
    if not engagement:
        return 0.0
    raw = 0.0
    for key, weight in _WEIGHTS.items():
        try:
            value = float(engagement.get(key) or 0)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            value = 0.0
        raw += weight * math.log1p(max(value, 0.0))
    if engagement.get("verified"):
        raw += 1.0
    return round(min(1.0, (1.0 - math.exp(-raw / 6.0)) * source_weight), 4)
