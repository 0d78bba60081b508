"""Recurring problems (same category, city and district, enough cases) become 督办 candidates."""

from __future__ import annotations

import pytest

from accounts import PermissionDenied


def test_recurring_problems_become_candidates(world):
    svc, u = world.service, world.users
    for n in range(1, 10):
        world.case(n)
    found = svc.candidates(u["mon"], min_cases=3)
    assert [(c.city, c.district, c.category, c.count) for c in found] == [
        ("衡阳", "", "网络覆盖/信号", 6), ("衡阳", "珠晖区", "网络覆盖/信号", 5)]
    assert found[1].label == "衡阳 珠晖区「网络覆盖/信号」5 张工单"
    assert svc.candidates(u["boss"], min_cases=6)[0].district == ""
    item = svc.open_from_candidate(u["boss"], found[1], measure="新建基站")
    assert (item.origin, item.district, item.city) == ("candidate", "珠晖区", "衡阳")
    assert len(svc.linked_cases(u["boss"], item.item_id)) == 5
    again = svc.candidates(u["boss"], min_cases=3)
    assert again[1].open_items == [item.item_no]
    assert again[0].open_items == [item.item_no]               # the city's: 5 of its 6 cases
    world.clock.advance(days=31)
    assert svc.candidates(u["boss"], min_cases=3) == []                  # outside the window
    with pytest.raises(PermissionDenied):
        svc.candidates(u["hy"])
