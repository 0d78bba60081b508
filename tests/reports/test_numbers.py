"""How the charts and the map write a number."""

import pytest

from reports.numbers import number_label


@pytest.mark.parametrize("value, label", [
    (12.0, "12"), (0.0, "0"), (0.0034, "0.0034"), (0.5, "0.5"), (12.345, "12.35"),
    (1234.5, "1234.5"), (-0.25, "-0.25")])
def test_numbers_keep_the_digits_that_matter_and_never_use_an_exponent(value, label):
    assert number_label(value) == label
