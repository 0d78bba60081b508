"""The case page's reply box (AppTest): a script whose placeholders the case cannot fill is not
sent as written; the handler is told which placeholders to fill (#17.12)."""

from __future__ import annotations

from cases import CaseService
from core.db import StateDB
from reply_scripts import ScriptService
from reply_scripts.transfer import load_starter
from tests.dashboard.conftest import app_as, user
from tests.dashboard.test_pages import no_crash, texts
from tousu.config import load


def test_an_empty_reply_box_does_not_send_a_script_with_unfilled_placeholders(console_config):
    config = load(console_config)
    load_starter(ScriptService(StateDB(config.state_path)))
    service = CaseService(config)
    post = next(p for p in service.store.iter_posts() if p.relevant and p.categories)
    post.city = None                                                 # so {城市} has no value
    service.store.upsert_many([post])
    case = service.create_from_post(user("monitor"), post.id)       # no city: stays 新建
    case = service.act(user("monitor"), case.case_id, "dispatch")
    case = service.act(user("monitor"), case.case_id, "accept")
    service.close()
    at = app_as("monitor", "cases", case=str(case.case_id))
    no_crash(at)
    assert "{城市}" in texts(at), "the suggested script shows the placeholder to fill"
    at.selectbox(key=f"act_pick_{case.case_id}").set_value("reply")
    next(b for b in at.button if b.label == "执行").click().run()
    no_crash(at)
    assert any("未填写的占位符" in e.value and "{城市}" in e.value for e in at.error)
    service = CaseService(config)
    assert service.get(user("monitor"), case.case_id).status == "处理中"
    service.close()
