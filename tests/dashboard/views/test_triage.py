"""监控台 (AppTest): a post's detail shows crawled attack text as text (its actions:
test_actions.py)."""

from __future__ import annotations

import pytest

from tests.dashboard.conftest import app_as, no_crash


@pytest.mark.parametrize("tid, city, shown", [
    (1038, "长沙", "&lt;script&gt;alert(1)&lt;/script&gt;"),
    (1122, "衡阳", "[点这里领流量](http://evil.example/)"),
])
def test_triage_detail_shows_attack_text_as_text(console_config, tid, city, shown):
    from core.post import post_id

    pid = post_id(f"http://127.0.0.1:8600/thread-{tid}-1-1.html")
    at = app_as("monitor", "triage")
    at.selectbox(key="tri_tier").set_value(1)
    at.multiselect(key="tri_cities").set_value([city]).run()
    at.selectbox(key="tri_current").set_value(pid).run()
    no_crash(at)
    html = "\n".join(e.proto.body for e in at.get("html"))
    assert shown in html
    assert "<script>" not in html and 'href="http://evil.example/' not in html
