"""The 质检 check rows: the sample order is a pure function of seed, case number and closing time."""

from __future__ import annotations

from cases.checks import closed_by, sample_key
from tests.cases.helpers import CLOSING


def test_sample_key_depends_on_seed_case_and_closure_only():
    key = sample_key("s", "TS2026112000001", "2026-11-20T10:00:00+08:00")
    assert key == sample_key("s", "TS2026112000001", "2026-11-20T10:00:00+08:00")
    assert key != sample_key("t", "TS2026112000001", "2026-11-20T10:00:00+08:00")
    assert key != sample_key("s", "TS2026112000001", "2026-11-20T11:00:00+08:00")   # a new closure


def test_closed_by_is_the_last_closer(world):
    service, users, _, store = world
    post_id = next(p.id for p in store.iter_posts() if p.url.endswith("thread-1.html"))
    case = service.create_from_post(users["mon"], post_id)
    assert closed_by(service.db, case.case_id) == ""
    service.act(users["cs"], case.case_id, "invalidate", "非本网用户")
    service.act(users["mon"], case.case_id, "reopen", "核实为本网")
    service.act(users["mon"], case.case_id, "reply", "您好")
    service.act(users["mon"], case.case_id, "close", "已处理", **CLOSING)
    assert closed_by(service.db, case.case_id) == "mon"
