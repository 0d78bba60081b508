"""Near-duplicate detection: MinHash over character bigrams with LSH banding (`core.textsim`),
in the state DB.

A repost of the same complaint with a few characters changed (a 转发 prefix, a number written
differently, a masked phone number) is linked to the first post seen with `dup_of`, before
storage. Posts are short: a simhash of 50 bigrams scatters a light repost about as far from
its original (10–14 bits) as from an unrelated post (16+), so the Jaccard similarity of the bigram
sets is estimated instead — from 64 MinHash values — and a post counts as a near-duplicate at
TOUSU_NEARDUP_SIMILARITY (default 0.6). Candidates come from 16 bands of 4 values each: a pair
with similarity 0.6 shares a band with probability 0.88, at 0.8 with 0.9999; at 0.2, 0.03.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

from core.post import Post
from core.db import StateDB
from core.textsim import NUM_PERM, band_keys, minhashes, ngrams, normalise, similarity
from crawler.schema import SCHEMA

MIN_CHARS = 30        # shorter texts are too generic to call near-duplicates
ROWS = 4
BANDS = NUM_PERM // ROWS
WINDOW_DAYS = 14      # reposts follow the original within days


def signature(text: str) -> np.ndarray | None:
    """MinHash signature of the text's distinct character bigrams; None for short texts."""
    chars = normalise(text)
    if len(chars) < MIN_CHARS:
        return None
    return minhashes([ngrams(chars, 2)])[0]


class NearDupIndex:
    """Signatures of recent posts in the state database; writes are batched."""

    batch_size = 200

    def __init__(self, state: StateDB, threshold: float = 0.6):
        self.state = state
        self.threshold = threshold
        self.pending: dict[str, tuple[np.ndarray, set[int]]] = {}
        state.ensure(SCHEMA)

    def match(self, post_id: str, sig: np.ndarray, keys: list[int]) -> str | None:
        """The id of the earliest post at least `threshold` similar, or None."""
        since = int(time.time()) - WINDOW_DAYS * 86400
        rows = self.state.conn.execute(
            f"SELECT DISTINCT n.rowid, n.post_id, n.signature FROM near_dup_key k "
            f"JOIN near_dup n ON n.post_id = k.post_id WHERE k.key IN ({','.join('?' * BANDS)}) "
            f"AND n.seen_ts >= ? ORDER BY n.rowid", (*keys, since)).fetchall()
        for _, other, blob in rows:
            if other != post_id and similarity(np.frombuffer(blob, "<u4"), sig) >= self.threshold:
                return other
        wanted = set(keys)
        for other, (other_sig, other_keys) in self.pending.items():
            if other != post_id and wanted & other_keys and \
                    similarity(other_sig, sig) >= self.threshold:
                return other
        return None

    def add(self, post_id: str, sig: np.ndarray, keys: list[int]) -> None:
        """Remember a post's signature (written with the next batch)."""
        self.pending.setdefault(post_id, (sig, set(keys)))
        if len(self.pending) >= self.batch_size:
            self.flush()

    def flush(self) -> None:
        """Write pending signatures in one transaction (posts already known are left alone)."""
        if not self.pending:
            return
        pending, self.pending = self.pending, {}
        now = int(time.time())
        with self.state.atomic() as conn:  # OR IGNORE: an indexed post keeps its first-seen time
            conn.executemany("INSERT OR IGNORE INTO near_dup VALUES (?, ?, ?)",
                             [(pid, sig.tobytes(), now) for pid, (sig, _) in pending.items()])
            conn.executemany("INSERT OR IGNORE INTO near_dup_key VALUES (?, ?)",
                             [(key, pid) for pid, (_, keys) in pending.items() for key in keys])


class NearDupPipeline:
    """Sets `dup_of` on a post whose text is a near-duplicate of an earlier post's."""

    def __init__(self, index: NearDupIndex, crawler: Crawler | None = None):
        self.index = index
        self.stats = crawler.stats if crawler else None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "NearDupPipeline":
        config = crawler.settings.get("TOUSU_CONFIG")
        if config is None or not crawler.settings.getbool("TOUSU_NEARDUP_ENABLED", True):
            raise NotConfigured("near-duplicate detection off")
        index = NearDupIndex(StateDB(config.state_path),
                             crawler.settings.getfloat("TOUSU_NEARDUP_SIMILARITY", 0.6))
        return cls(index, crawler)

    def process_item(self, item: Any, spider: Any = None) -> Any:
        if not isinstance(item, Post) or item.dup_of:
            return item
        sig = signature(item.content or item.title)
        if sig is None:
            return item
        keys = band_keys(sig, ROWS)
        original = self.index.match(item.id, sig, keys)
        if original:
            item.dup_of = original
            if self.stats:
                self.stats.inc_value("tousu/near_duplicates")
        self.index.add(item.id, sig, keys)
        return item

    def close_spider(self, spider: Any = None) -> None:
        try:
            self.index.flush()
        finally:
            self.index.state.close()
