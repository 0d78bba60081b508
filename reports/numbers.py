"""Numbers as the charts and the map label them."""

from __future__ import annotations

import math


def number_label(value: float) -> str:
    """Whole numbers plain, others with two significant digits after the leading zeros (万投比
    0.0034, not "0."), never in exponent form (1234.5, not "1.23e+03")."""
    if value == int(value):
        return f"{value:.0f}"
    decimals = max(2, 1 - math.floor(math.log10(abs(value))))
    return f"{value:.{decimals}f}".rstrip("0").rstrip(".")
