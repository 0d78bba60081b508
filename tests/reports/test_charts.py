"""The report's inline SVG charts: every bar labelled with its value, readably."""

import re

import pytest

from reports.charts import bar_chart


@pytest.mark.parametrize("value, label", [
    (0.003, "0.003"), (0.0034, "0.0034"), (0.05, "0.05"), (0.5, "0.5"), (1.25, "1.25"),
    (12.345, "12.35"), (0.000012, "0.000012"), (3, "3"), (12.0, "12"), (0, "0"),
])
def test_bar_labels_keep_the_digits_that_matter(value, label):
    """万投比 are small: 0.003 was labelled "0." (two decimals, zeros stripped)."""
    svg = bar_chart(["长沙"], {"万投比": [value]})
    labels = re.findall(r'fill="#333">([^<]*)</text>', svg)
    assert labels == [label]
