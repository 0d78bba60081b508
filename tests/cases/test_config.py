"""The `cases:` section: which branch a city goes to, the SLA of a tier, bad durations refused."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from cases.config import CasesConfig


def test_branch_of_a_city_and_of_no_city():
    cases = CasesConfig(branches={"湘西": "湘西州分公司"})
    assert cases.branch_of("衡阳") == "衡阳分公司" and cases.branch_of("湘西") == "湘西州分公司"
    assert cases.branch_of(None) == "省公司互联网投诉组"


def test_sla_of_a_tier_is_the_nearest_configured_at_or_below():
    cases = CasesConfig(sla={3: {"first_response": "4h", "closure": "48h"},
                             1: {"first_response": "1d", "closure": "3d"}})
    assert cases.sla_for(4).first_response == "4h" and cases.sla_for(2).closure == "3d"
    assert cases.sla_for(None).closure == "3d"   # below every configured tier: the lowest one


@pytest.mark.parametrize("bad", [{"sla": {4: {"first_response": "soon", "closure": "1d"}}},
                                 {"escalate_every": "often"}, {"auto_create_levels": [4]},
                                 {"branch": "x"}])
def test_bad_values_are_refused(bad):
    with pytest.raises(ValidationError):
        CasesConfig(**bad)
