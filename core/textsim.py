"""Text similarity shared by the post fingerprint, near-duplicate detection (crawler) and event
clustering (alerts): one normalisation, character n-grams, MinHash signatures and LSH band keys.

Texts are compared blind to case, spacing and punctuation. A set of n-grams is summarised by
MinHash values (NUM_PERM by default): the share of equal values between two signatures estimates
the Jaccard similarity of the sets. Banding (LSH) finds candidate pairs without comparing every
pair: a pair with similarity s shares at least one band of r rows with probability
1 - (1 - s^r)^bands, so callers pick the length and `rows` for the similarity they look for
(64 values in 16 bands of 4 for near-duplicates at 0.6, 96 in 32 bands of 3 for events at 0.4).
A shorter signature is a prefix of a longer one of the same set.

Signatures and band keys of near-duplicates are kept in the state database, and fingerprints in
the store: changing the normalisation, the n-gram codes, the seeds or the hash changes them all.
"""

from __future__ import annotations

import hashlib
import re
from typing import Sequence

import numpy as np

NUM_PERM = 64         # the default signature length (near-duplicates keep theirs in state.db)
MAX_PERM = 128
_NOT_WORD = re.compile(r"[\W_]+", re.UNICODE)
_SEEDS = np.random.default_rng(20261122).integers(0, 2**63, MAX_PERM, dtype=np.uint64)
_M1, _M2 = np.uint64(0xBF58476D1CE4E5B9), np.uint64(0x94D049BB133111EB)
_CHAR_BITS = np.uint64(21)  # every Unicode code point fits: three characters pack into 63 bits


def normalise(text: str | None) -> str:
    """The text lower-cased, without spaces, punctuation or symbols."""
    return _NOT_WORD.sub("", (text or "").lower())


def _mix(h: np.ndarray) -> np.ndarray:
    """splitmix64's finaliser: every input bit moves every output bit (wrap-around intended)."""
    with np.errstate(over="ignore"):
        h = (h ^ (h >> np.uint64(30))) * _M1
        h = (h ^ (h >> np.uint64(27))) * _M2
        return h ^ (h >> np.uint64(31))


def ngrams(text: str | None, n: int = 2) -> np.ndarray:
    """Distinct character n-grams of the normalised text as sorted 64-bit codes (a text shorter
    than n is one gram; an empty text has none)."""
    chars = normalise(text)
    if not chars:
        return np.zeros(0, dtype=np.uint64)
    codes = np.frombuffer(chars.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    count = max(len(codes) - n + 1, 1)
    grams = codes[:count].copy()
    for k in range(1, min(n, len(codes))):
        if k % 3 == 0:  # past 63 bits: fold what is packed so far into a hash of it
            grams = _mix(grams)
        grams = (grams << _CHAR_BITS) ^ codes[k:k + count]
    return np.unique(grams)


def jaccard(a: np.ndarray, b: np.ndarray) -> float:
    """Exact |a ∩ b| / |a ∪ b| of two n-gram code sets; 0 if either is empty."""
    if not len(a) or not len(b):
        return 0.0
    common = len(np.intersect1d(a, b, assume_unique=True))
    return common / (len(a) + len(b) - common)


def minhashes(gram_sets: Sequence[np.ndarray], length: int = NUM_PERM) -> np.ndarray:
    """MinHash signatures of n-gram sets: one row of `length` (≤ MAX_PERM) uint32 values per
    set (an empty set gets zeros)."""
    out = np.zeros((len(gram_sets), length), dtype="<u4")
    seeds = _SEEDS[None, :length]
    for row, grams in zip(out, gram_sets):
        if len(grams):  # set by set: one hashed matrix of every set at once can take gigabytes
            row[:] = _mix(grams[:, None] ^ seeds).min(axis=0) >> np.uint64(32)
    return out


def similarity(a: np.ndarray, b: np.ndarray) -> float:
    """Jaccard similarity of two n-gram sets estimated from their signatures."""
    return float(np.count_nonzero(a == b)) / len(a)


def band_keys(signature: np.ndarray, rows: int) -> list[int]:
    """One signed 64-bit key per band of `rows` values (len // rows bands; the values left over
    are not banded)."""
    raw = np.ascontiguousarray(signature, dtype="<u4").tobytes()
    size = rows * 4
    return [int.from_bytes(hashlib.blake2b(bytes([band]) + raw[band * size:(band + 1) * size],
                                           digest_size=8).digest(), "big", signed=True)
            for band in range(len(signature) // rows)]
