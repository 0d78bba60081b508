"""The `reports:` section: cron schedules checked (null switches one off), limits enforced."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from reports.config import ReportsConfig


def test_a_schedule_can_be_switched_off_and_keeps_the_others():
    reports = ReportsConfig(schedule={"daily": None})
    assert reports.schedule.daily is None and reports.schedule.monthly == "0 9 1 * *"


@pytest.mark.parametrize("bad", [{"schedule": {"weekly": "every monday"}}, {"complaint_min_tier": 5},
                                 {"top_events": 0}, {"schedule": {"yearly": "0 9 1 1 *"}}])
def test_bad_values_are_refused(bad):
    with pytest.raises(ValidationError):
        ReportsConfig(**bad)
