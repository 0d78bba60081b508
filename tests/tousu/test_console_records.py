"""The console's own records in state.db: config edits and saved searches."""

from __future__ import annotations

from core.db import StateDB
from tousu.console_records import (config_edits, delete_search, record_config_edit,
                                   save_search, saved_searches)


def test_config_edits_newest_first_per_section(tmp_path):
    db = StateDB(tmp_path / "state.db")
    assert config_edits(db, "rules") == []
    record_config_edit(db, "root", "rules", "city-spike", "before: 1", "after: 2")
    record_config_edit(db, "root", "sources", "demo-forum", "", "name: demo-forum")
    record_config_edit(db, "admin2", "rules", "burst", "", "name: burst")
    assert [(e["username"], e["name"]) for e in config_edits(db, "rules")] == [
        ("admin2", "burst"), ("root", "city-spike")]
    assert [e["name"] for e in config_edits(db, "rules", limit=1)] == ["burst"]


def test_saved_searches_are_per_user_replaced_by_name_and_deleted(tmp_path):
    db = StateDB(tmp_path / "state.db")
    save_search(db, "mon", "断网", {"query": "断网", "cities": ["长沙"]})
    save_search(db, "mon", "断网", {"query": "断网 宽带"})
    save_search(db, "cs", "投诉", {"query": "投诉"})
    assert saved_searches(db, "mon") == {"断网": {"query": "断网 宽带"}}
    delete_search(db, "mon", "断网")
    assert saved_searches(db, "mon") == {} and list(saved_searches(db, "cs")) == ["投诉"]
