"""Event clustering: texts whose character n-grams are similar form one group. Candidate pairs
come from MinHash bands (`core.textsim`), each confirmed by the exact Jaccard of the n-gram sets;
the groups are the connected components of the confirmed pairs (scipy's `connected_components`).

Bigrams are the default: two short Chinese retellings of one grievance share about 0.6 of their
character bigrams but only 0.4 of their trigrams, while unrelated complaints about the same
operator stay near 0.1–0.3 either way."""

from __future__ import annotations

from collections import defaultdict
from typing import Sequence

import numpy as np
from scipy import sparse
from scipy.sparse.csgraph import connected_components

from core.textsim import band_keys, minhashes, ngrams

# 32 bands of 3 values: pairs at Jaccard 0.4 become candidates with p ≈ 0.88, at 0.5 with
# p ≈ 0.99; unrelated posts (0.1–0.2) with p ≈ 0.03–0.23.
LENGTH = 96
ROWS = 3
PAIRS_AT_ONCE = 4096  # pairs whose Jaccard is computed in one step: a few MiB at a time


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
    buckets: dict[int, list[int]] = defaultdict(list)
    for i, own in enumerate(keys):
        for key in own:
            buckets[key].append(i)
    candidates: set[tuple[int, int]] = set()
    for members in buckets.values():
        # A big bucket is one family of texts: comparing each to the first keeps this linear.
        candidates.update([(a, b) for n, a in enumerate(members) for b in members[n + 1:]]
                          if len(members) <= 12 else [(members[0], b) for b in members[1:]])
    pairs = np.array(list(candidates), dtype=np.int64).reshape(-1, 2)
    if len(pairs):
        pairs = pairs[_jaccards(grams, pairs) >= threshold]
    edges = np.concatenate([np.array(links, dtype=np.int64).reshape(-1, 2), pairs])
    graph = sparse.coo_array((np.ones(len(edges)), (edges[:, 0], edges[:, 1])), shape=(len(grams),) * 2)
    _, labels = connected_components(graph, directed=False)
    groups: dict[int, list[int]] = defaultdict(list)
    for i, label in enumerate(labels):
        groups[label].append(i)
    return sorted(groups.values())


def _jaccards(grams: Sequence[np.ndarray], pairs: np.ndarray) -> np.ndarray:
    """The exact Jaccard of each pair of n-gram sets (a row of `pairs`), all pairs at once: the
    sets are the 0/1 rows of one sparse matrix, and a pair's intersection is the sum of the
    product of its two rows. A wave of similar posts makes tens of thousands of candidate pairs,
    and one `core.textsim.jaccard` call per pair is 2–3× slower: the call costs more than the
    comparison."""
    sizes = np.array([len(g) for g in grams], dtype=np.int64)
    _, columns = np.unique(np.concatenate(grams), return_inverse=True)
    sets = sparse.csr_array((np.ones(len(columns), dtype=np.int8), columns, np.r_[0, np.cumsum(sizes)]))
    common = np.concatenate([sets[a].multiply(sets[b]).sum(axis=1)
                             for a, b in (pairs[i:i + PAIRS_AT_ONCE].T
                                          for i in range(0, len(pairs), PAIRS_AT_ONCE))])
    return common / (sizes[pairs[:, 0]] + sizes[pairs[:, 1]] - common)
