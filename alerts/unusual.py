"""How unusual a window's count is: a z-score and an upper-tail p-value against its baseline.

Volume: the per-window counts of the baseline period are fitted by moments. Complaint counts
are overdispersed (a quiet Sunday, a busy Monday, last month's outage), so when their variance
exceeds their mean they are fitted by a negative binomial with that mean and variance; a Poisson
of the same mean would call ordinary busy days "one in a million". A variance at or under the
mean leaves nothing for the second parameter: Poisson. Moments rather than maximum likelihood:
closed form, stable on the short baselines of a young store, and within a few percent of the MLE
at the hundreds of windows a rule keeps.

Spike: two adjacent windows, each a Poisson count. Given their sum N, the current one is
Binomial(N, ½) when the rate has not changed — the exact test of two Poisson rates, needing no
history at all; its z-score, (now − N/2) / (√N / 2) = (now − before) / √N, is that test's
normal approximation.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any, Sequence


METHOD_LABELS = {"negbin": "负二项分布", "poisson": "泊松分布", "binomial": "二项检验（前后两窗口）"}


@dataclass(frozen=True)
class Unusual:
    """A count against its baseline: the fitted mean and variance per window, how many windows
    the fit saw, z = (count − mean) / sd, and p = P(a count at least this extreme | baseline)."""

    method: str
    count: int
    mean: float
    variance: float
    windows: int
    z: float | None
    p_value: float | None

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready, floats rounded for display and storage."""
        out = asdict(self)
        for name in ("mean", "variance", "z"):
            if out[name] is not None:
                out[name] = round(out[name], 4)
        if out["p_value"] is not None:
            out["p_value"] = float(f"{out['p_value']:.4g}")
        return out


def against_windows(count: int, windows: Sequence[int]) -> Unusual:
    """`count` against the counts of the baseline's windows (zeros included): negative binomial
    when overdispersed, else Poisson. No z or p when the baseline saw no post at all (any count
    would be infinitely unusual, which says nothing)."""
    from scipy import stats  # lazy: scipy.stats costs ~0.5 s at start-up of every CLI command

    n = len(windows)
    mean = sum(windows) / n if n else 0.0
    if mean <= 0:
        return Unusual("poisson", count, 0.0, 0.0, n, None, None)
    variance = sum((x - mean) ** 2 for x in windows) / (n - 1) if n > 1 else mean
    if variance > mean:
        size = mean * mean / (variance - mean)
        p_value = float(stats.nbinom.sf(count - 1, size, size / (size + mean)))
        method = "negbin"
    else:
        variance = mean
        p_value = float(stats.poisson.sf(count - 1, mean))
        method = "poisson"
    return Unusual(method, count, mean, variance, n, (count - mean) / math.sqrt(variance), p_value)


def against_previous(current: int, previous: int, direction: str) -> Unusual:
    """The current window against the one before it (`direction` up: P(X ≥ current); down:
    P(X ≤ current)), X ~ Binomial(current + previous, ½)."""
    from scipy import stats  # lazy: scipy.stats costs ~0.5 s at start-up of every CLI command

    total = current + previous
    if total == 0:
        return Unusual("binomial", current, 0.0, 0.0, 1, None, None)
    if direction == "up":
        p_value = float(stats.binom.sf(current - 1, total, 0.5))
    else:
        p_value = float(stats.binom.cdf(current, total, 0.5))
    mean, variance = total / 2, total / 4
    return Unusual("binomial", current, mean, variance, 1,
                   (current - mean) / math.sqrt(variance), p_value)
