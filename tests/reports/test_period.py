"""Report periods: the day, ISO week and month a date falls in, and the one before."""

from __future__ import annotations

from datetime import date

from tests.reports.conftest import DAY


def test_periods():
    from reports.period import period_for

    week = period_for("weekly", date(2026, 11, 20))
    assert (week.start.date(), week.end.date(), week.previous_start.date()) == (
        date(2026, 11, 16), date(2026, 11, 23), date(2026, 11, 9))
    month = period_for("monthly", date(2026, 12, 31))
    assert (month.start.date(), month.end.date(), month.previous_start.date(), month.slug) == (
        date(2026, 12, 1), date(2027, 1, 1), date(2026, 11, 1), "monthly-2026-12")
    assert period_for("daily", today=date(2026, 11, 21)).start.date() == DAY
