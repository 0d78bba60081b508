"""Every page for every role with Streamlit's AppTest: each allowed page renders, the menu shows
only those, an empty store shows help, multi-selects ask in Chinese."""

from __future__ import annotations

import pytest

from dashboard.auth import PAGES, pages_for
from tests.dashboard.conftest import ROLE_USER, app_as, no_crash, texts

PAGE_TITLES = {p.key: p.title for p in PAGES}


@pytest.mark.parametrize("role", list(ROLE_USER))
def test_every_allowed_page_renders(console_config, role):
    for spec in pages_for(role):
        at = app_as(ROLE_USER[role], spec.key)
        no_crash(at)
        assert spec.title in at.title[0].value, spec.key
        assert not at.error, (spec.key, [e.value for e in at.error])


@pytest.mark.parametrize("role", [r for r in ROLE_USER if r != "admin"])
def test_forbidden_pages_are_not_in_the_menu(console_config, role):
    """Navigation registers only the role's pages: asking for another lands on the role's home."""
    forbidden = [p for p in PAGES if p not in pages_for(role)]
    for spec in (forbidden[0], forbidden[-1]):
        at = app_as(ROLE_USER[role], spec.key)
        no_crash(at)
        assert spec.title not in at.title[0].value, spec.key


# -- empty store and errors -------------------------------------------------------------------
@pytest.mark.parametrize("page, hint", [("triage", "还没有帖子"), ("search", "还没有帖子"),
                                        ("trends", "还没有帖子"), ("warnings", "暂无预警"),
                                        ("cases", "没有符合条件的工单")])
def test_empty_store_shows_help(empty_config, page, hint):
    at = app_as("admin", page)
    no_crash(at)
    assert hint in texts(at)


# -- Chinese, not English or raw values -------------------------------------------------------
def test_multiselects_ask_in_chinese_and_offer_no_select_all(console_config):
    """Streamlit's own "Choose options" and "Select all" are English; every multi-select says
    what it wants in Chinese and leaves "Select all" out (its label cannot be translated)."""
    from reply_scripts import ScriptService
    from reply_scripts.transfer import load_starter
    from tests.dashboard.conftest import state_db

    load_starter(ScriptService(state_db(console_config)))  # 口径库's edit form has one too
    seen = 0
    for spec in pages_for("admin"):
        at = app_as("admin", spec.key)
        for box in at.multiselect:
            seen += 1
            assert box.proto.placeholder.strip(), (spec.key, box.label)
            assert box.proto.select_all == 0, (spec.key, box.label)
    assert seen >= 10
