"""Event clustering: texts whose character n-grams are similar form one group. Candidate pairs
come from MinHash bands (`core.textsim`), each confirmed by the exact Jaccard of the n-gram sets.

Bigrams are the default: two short Chinese retellings of one grievance share about 0.6 of their
character bigrams but only 0.4 of their trigrams, while unrelated complaints about the same
operator stay near 0.1–0.3 either way."""

from __future__ import annotations

from collections import defaultdict
from typing import Sequence

import numpy as np

from core.textsim import band_keys, jaccard, minhashes, ngrams

# 32 bands of 3 values: pairs at Jaccard 0.4 become candidates with p ≈ 0.88, at 0.5 with
# p ≈ 0.99; unrelated posts (0.1–0.2) with p ≈ 0.03–0.23.
LENGTH = 96
ROWS = 3


class _Union:
    def __init__(self, n: int):
        self.parent = list(range(n))

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def union(self, i: int, j: int) -> None:
        a, b = self.find(i), self.find(j)
        if a != b:
            self.parent[max(a, b)] = min(a, b)


def bands(gram_sets: Sequence[np.ndarray]) -> list[list[int]]:
    """The LSH band keys of each n-gram set (none for an empty set)."""
    return [band_keys(signature, ROWS) if len(grams) else []
            for grams, signature in zip(gram_sets, minhashes(gram_sets, LENGTH))]


def cluster(texts: Sequence[str], threshold: float = 0.4,
            links: Sequence[tuple[int, int]] = (), ngram: int = 2) -> list[list[int]]:
    """Groups of indexes of texts that are similar (Jaccard ≥ threshold, transitively), plus the
    given links (e.g. known duplicates). Singletons are included; groups are in index order."""
    grams = [ngrams(t, ngram) for t in texts]
    return cluster_sets(grams, bands(grams), threshold, links)


def cluster_sets(grams: Sequence[np.ndarray], keys: Sequence[list[int]], threshold: float = 0.4,
                 links: Sequence[tuple[int, int]] = ()) -> list[list[int]]:
    """`cluster` over n-gram sets and their band keys, e.g. kept from earlier."""
    union = _Union(len(grams))
    for i, j in links:
        union.union(i, j)
    buckets: dict[int, list[int]] = defaultdict(list)
    for i, own in enumerate(keys):
        for key in own:
            buckets[key].append(i)
    checked: set[tuple[int, int]] = set()
    for members in buckets.values():
        if len(members) < 2:
            continue
        # A big bucket is one family of texts: comparing each to the first keeps this linear.
        pairs = ([(a, b) for n, a in enumerate(members) for b in members[n + 1:]]
                 if len(members) <= 12 else [(members[0], b) for b in members[1:]])
        for a, b in pairs:
            if (a, b) in checked or union.find(a) == union.find(b):
                continue
            checked.add((a, b))
            if jaccard(grams[a], grams[b]) >= threshold:
                union.union(a, b)
    groups: dict[int, list[int]] = defaultdict(list)
    for i in range(len(grams)):
        groups[union.find(i)].append(i)
    return sorted(groups.values())
