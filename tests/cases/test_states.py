"""The case state machine: every allowed move works, every other move is refused."""

from __future__ import annotations

import pytest

from cases.models import CaseError
from cases.states import ACTIONS, CLOSED, STATUSES, action_between, normalise_status
from reply_scripts import ScriptService
from reply_scripts.transfer import load_starter
from tests.cases.helpers import CLOSING, post_id

# (action, text) that drives a case from 新建 to each status, as the monitor.
PATHS = {
    "新建": [],
    "已派单": [("dispatch", "")],
    "处理中": [("dispatch", ""), ("accept", "")],
    "需补充信息": [("dispatch", ""), ("request_info", "缺联系电话")],
    "已回复": [("dispatch", ""), ("accept", ""), ("reply", "您好，已登记")],
    "已办结": [("dispatch", ""), ("accept", ""), ("reply", "您好"), ("close", "已上门修复")],
    "退回": [("dispatch", ""), ("return", "不是本地市")],
    "升级": [("escalate", "媒体曝光")],
}
TEXT = {a.name: ("说明" if a.needs_text else "") for a in ACTIONS.values()}
OPTIONS = {"close": CLOSING}    # what an action needs besides its text
LISTED = [name for name, a in ACTIONS.items() if a.listed]   # 质检退回 is tested in test_quality


def _case_in(service, monitor, status):
    case = service.create_from_post(monitor, post_id(service.store, 5))  # no city: stays 新建
    for action, text in PATHS[status]:
        case = service.act(monitor, case.case_id, action, text, **OPTIONS.get(action, {}))
    assert case.status == status
    return case


@pytest.mark.parametrize("status", STATUSES)
@pytest.mark.parametrize("action", LISTED)
def test_each_action_from_each_status(world, status, action):
    service, users, clock, _ = world
    admin = users["root"]
    case = _case_in(service, admin, status)
    spec = ACTIONS[action]
    if status in spec.sources:
        moved = service.act(admin, case.case_id, action, TEXT[action], **OPTIONS.get(action, {}))
        assert moved.status == spec.target
        last = service.audit_log(admin, case.case_id)[-1]
        assert (last["from_status"], last["to_status"], last["actor"]) == (status, spec.target, "root")
    else:
        with pytest.raises(CaseError, match="不能"):
            service.act(admin, case.case_id, action, TEXT[action], **OPTIONS.get(action, {}))
        assert service.get(admin, case.case_id).status == status


def test_happy_path_and_first_response(world):
    service, users, clock, store = world
    mon, cs = users["mon"], users["cs"]
    case = service.create_from_post(mon, post_id(service.store, 1))
    assert case.status == "已派单" and case.branch == "长沙分公司"     # auto-dispatched by city
    assert case.department == "家庭业务部"
    clock.advance(minutes=30)
    service.act(cs, case.case_id, "accept")
    clock.advance(minutes=30)
    replied = service.act(cs, case.case_id, "reply", "您好，工程师今天上门")
    assert replied.first_response_at == "2026-11-20T10:00:00+08:00"
    assert replied.flags["responded_in_time"]
    clock.advance(hours=5)
    closed = service.act(cs, case.case_id, "close", "已更换光猫，恢复正常", **CLOSING)
    assert closed.status == CLOSED and closed.offline_result == "已更换光猫，恢复正常"
    assert store.get(case.post_id).case_status == CLOSED
    kinds = [n["kind"] for n in service.notes(cs, case.case_id)]
    assert kinds == ["online_reply", "offline_result"]
    assert service.time_in_states(cs, case.case_id) == {"已派单": 0.5, "处理中": 0.5, "已回复": 5.0}


def test_text_required_and_transition_by_target(world):
    service, users, _, _ = world
    mon = users["mon"]
    case = service.create_from_post(mon, post_id(service.store, 1))
    with pytest.raises(CaseError, match="退回原因"):
        service.act(mon, case.case_id, "return", "  ")
    back = service.transition(mon, case.case_id, "returned", "应属株洲")
    assert back.status == "退回" and back.branch == "省公司互联网投诉组"
    again = service.act(mon, case.case_id, "dispatch", branch="株洲分公司", city="株洲")
    assert again.branch == "株洲分公司" and again.city == "株洲"
    with pytest.raises(CaseError, match="不允许"):
        service.transition(mon, case.case_id, "已办结")


def test_a_reply_with_unfilled_placeholders_is_refused(world):
    """A script sent as written ({城市} left, the reply box empty) never reaches the customer."""
    service, users, _, _ = world
    mon, cs = users["mon"], users["cs"]
    scripts = ScriptService(service.db)
    load_starter(scripts)
    script = next(s for s in scripts.list_scripts(cs) if s.code == "KJ-BB-05")
    case = service.act(cs, service.create_from_post(mon, post_id(service.store, 1)).case_id, "accept")
    raw = script.official.body.replace("{昵称}", "老王")
    with pytest.raises(CaseError, match=r"未填写的占位符：\{城市\}、\{工单号\}、\{热线\}"):
        service.act(cs, case.case_id, "reply", raw, script_id=script.script_id)
    with pytest.raises(CaseError, match=r"\{昵称\}"):
        service.act(cs, case.case_id, "request_info", "{昵称}您好，请私信告知宽带账号")
    with pytest.raises(CaseError, match=r"\{工单号\}"):
        service.attach(cs, case.case_id, "online_reply", "工单{工单号}已在处理")
    assert service.get(cs, case.case_id).status == "处理中"
    assert scripts.get(cs, script.script_id).use_count == 0       # a refused reply is no use
    filled = raw.replace("{城市}", "长沙").replace("{工单号}", case.case_no).replace("{热线}", "10086")
    replied = service.act(cs, case.case_id, "reply", filled, script_id=script.script_id)
    assert replied.status == "已回复" and scripts.get(cs, script.script_id).use_count == 1
    service.attach(cs, case.case_id, "offline_result", "核实：续费短信{1}条未发送")  # internal note


def test_statuses_and_lookup():
    assert normalise_status("in_progress") == "处理中"
    with pytest.raises(ValueError):
        normalise_status("done")
    assert action_between("已回复", "已办结").name == "close"
