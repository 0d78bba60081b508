"""Quiet alerting, counted with the real webhook receiver on a fixed clock: per-post warnings
fold into their open event, grouping windows, mute timings, and held groups across a restart."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

from alerts.config import TimeInterval
from alerts.cycle import run_cycle
from alerts.quiet import explain, opens_at, quiet_log
from core.db import StateDB
from core.post import CST, iso
from tests.alerts.conftest import NOW, make_config, make_post, store_posts
from tests.alerts.test_event_rule import EVENT_TEXTS, UNRELATED

EVENT = {"name": "hot", "type": "event", "window": "6h", "min_posts": 3, "level": 3,
         "levels": [{"level": 2, "min_posts": 10}], "severity_min": 2}
POST = {"name": "post", "type": "post"}


def _event_posts(clock: datetime, first: int, count: int, severity: int = 3, influence: float = 0.1):
    return [make_post(1 + i * 0.1, now=clock, city="衡阳", severity=severity, influence=influence,
                      title=EVENT_TEXTS[(first + i) % 6][:12],
                      text=f"{EVENT_TEXTS[(first + i) % 6]}（{first + i}楼）")
            for i in range(count)]


def _replay(config) -> None:
    """An event forms, grows by two posts, is quiet past its realert (30m), then a tier-4 post
    with reach joins."""
    store_posts(config, _event_posts(NOW, 0, 3)
                + [make_post(2, severity=3, text=UNRELATED[0], title=UNRELATED[0][:12])])
    run_cycle(config, now=NOW)
    later = NOW + timedelta(minutes=5)
    store_posts(config, _event_posts(later, 3, 2))
    run_cycle(config, now=later)
    for minutes in (29, 30):
        run_cycle(config, now=later + timedelta(minutes=minutes))
    last = NOW + timedelta(minutes=40)
    store_posts(config, _event_posts(last, 5, 1, severity=4, influence=0.9))
    run_cycle(config, now=last)


def test_posts_inside_an_open_event_fold_into_it_unless_more_urgent(tmp_path, receiver):
    hooks = [{"name": "hook", "type": "webhook", "url": receiver.url}]
    loud = make_config(tmp_path / "loud", rules=[POST, EVENT], notifiers=hooks,
                       quiet={"inhibit": False})
    _replay(loud)
    before = len(receiver.bodies)
    receiver.bodies.clear()

    config = make_config(tmp_path, rules=[POST, EVENT], notifiers=hooks)
    _replay(config)
    titles = [b["title"] for b in receiver.bodies]
    # the event (carrying its three posts) and the unrelated post; 30 minutes after the next two
    # posts one update naming them; the event's escalation and the 一级 post, which is more
    # urgent than the 二级 event and so is not folded.
    assert len(titles) == 5 and before == 9, (titles, before)
    assert titles[0].startswith("【三级预警·黄色】衡阳 热点事件")
    fold = receiver.bodies[2]
    assert fold["kind"] == "update" and "新增 2 条单帖预警" in fold["title"]
    assert "已并入本事件通知" in fold["body"] and len(fold["post_ids"]) == 2
    assert fold["created_at"] == iso(NOW + timedelta(minutes=35))  # after the event's realert
    assert {b["level"] for b in receiver.bodies[3:]} == {1, 2}

    state = StateDB(config.state_path)
    folded = [r for r in quiet_log(state, iso(NOW - timedelta(hours=1))) if r["hold"] == "fold"]
    assert len(folded) == 5 and {r["status"] for r in folded} == {"folded"}
    assert sum(r["group_status"] == "sent" for r in folded) == 2  # the other 3 rode on the event
    state.close()


def test_a_grouping_window_sends_one_message_for_the_group(tmp_path, receiver):
    config = make_config(tmp_path, rules=[POST], notifiers=[
        {"name": "hook", "type": "webhook", "url": receiver.url}], quiet={"group_wait": {3: "10m"}})
    store_posts(config, [make_post(2, severity=3, text=UNRELATED[i], title=UNRELATED[i][:12])
                         for i in range(2)])
    run_cycle(config, now=NOW)
    store_posts(config, [make_post(1, now=NOW + timedelta(minutes=3), severity=4, influence=0.9),
                         make_post(1, now=NOW + timedelta(minutes=3), severity=3,
                                   text=UNRELATED[2], title=UNRELATED[2][:12])])
    run_cycle(config, now=NOW + timedelta(minutes=3))
    assert [b["level"] for b in receiver.bodies] == [1]  # 一级 at once, 三级 collected
    run_cycle(config, now=NOW + timedelta(minutes=9, seconds=59))
    assert len(receiver.bodies) == 1
    run_cycle(config, now=NOW + timedelta(minutes=10))
    group = receiver.bodies[-1]
    assert len(receiver.bodies) == 2 and group["kind"] == "digest" and group["hold"] == "group"
    assert group["title"].startswith("【预警汇总】3 条") and len(group["items"]) == 3
    run_cycle(config, now=NOW + timedelta(minutes=30))
    assert len(receiver.bodies) == 2


def test_a_group_pending_across_a_restart_is_sent_exactly_once(tmp_path, receiver):
    def start():  # a fresh process: config and state opened anew on the same files
        return make_config(tmp_path, rules=[POST], notifiers=[
            {"name": "hook", "type": "webhook", "url": receiver.url}],
            quiet={"group_wait": {3: "5m"}})

    config = start()
    store_posts(config, [make_post(2, severity=3, text=t, title=t[:12]) for t in UNRELATED[:3]])
    run_cycle(config, now=NOW)
    assert receiver.bodies == []

    config = start()  # restarted while the group waits
    store_posts(config, [make_post(1, now=NOW + timedelta(minutes=2), severity=3,
                                   text=UNRELATED[3], title=UNRELATED[3][:12])])
    run_cycle(config, now=NOW + timedelta(minutes=2))
    assert receiver.bodies == []

    # Killed between claiming the group's message and recording it sent: the lease runs out and
    # the next process sends it, once; cycles racing each other release the group once.
    config = start()
    receiver.stop()
    run_cycle(config, now=NOW + timedelta(minutes=5))
    state = StateDB(config.state_path)
    assert state.execute("UPDATE outbox SET status = 'sending', lease_until = ? WHERE kind = "
                         "'digest' AND status = 'pending'",
                         (int((NOW + timedelta(minutes=6)).timestamp()),)).rowcount == 1
    state.close()
    receiver.start()
    config = start()
    threads = [threading.Thread(target=run_cycle, args=(config,),
                                kwargs={"now": NOW + timedelta(minutes=7)}) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for minutes in (8, 20):
        run_cycle(start(), now=NOW + timedelta(minutes=minutes))
    assert len(receiver.bodies) == 1 and len(receiver.bodies[0]["items"]) == 4


def test_mute_timings_keep_a_level_to_office_hours(tmp_path, receiver):
    friday_evening = datetime(2026, 11, 20, 19, 0, tzinfo=CST)
    config = make_config(tmp_path, rules=[POST], notifiers=[
        {"name": "hook", "type": "webhook", "url": receiver.url}],
        quiet={"send_during": {3: "office"}})
    store_posts(config, [make_post(1, now=friday_evening, severity=3, text=UNRELATED[0],
                                   title=UNRELATED[0][:12]),
                         make_post(2, now=friday_evening, severity=4, influence=0.9)])
    run_cycle(config, now=friday_evening)
    assert [b["level"] for b in receiver.bodies] == [1]  # 一级 always
    saturday = friday_evening + timedelta(hours=15)
    store_posts(config, [make_post(1, now=saturday, severity=3, text=UNRELATED[1],
                                   title=UNRELATED[1][:12])])
    run_cycle(config, now=saturday)
    monday = datetime(2026, 11, 23, 8, 30, tzinfo=CST)
    run_cycle(config, now=monday - timedelta(seconds=1))
    assert len(receiver.bodies) == 1
    run_cycle(config, now=monday)
    assert len(receiver.bodies) == 2 and len(receiver.bodies[1]["items"]) == 2
    assert receiver.bodies[1]["hold"] == "mute"
    state = StateDB(config.state_path)
    muted = quiet_log(state, iso(friday_evening))
    assert [r["hold"] for r in muted] == ["mute", "mute"]
    assert {r["group_sent_at"][:16] for r in muted} == {"2026-11-23T08:30"}
    state.close()


def test_an_interval_opens_now_inside_it_and_at_its_next_start_outside():
    office = TimeInterval(weekdays=[1, 2, 3, 4, 5], times=["08:30-12:00", "14:00-18:00"])
    inside = datetime(2026, 11, 20, 9, 0, tzinfo=CST)
    assert opens_at(office, inside) == inside
    assert opens_at(office, inside.replace(hour=12, minute=30)) == inside.replace(hour=14, minute=0)
    assert opens_at(office, inside.replace(hour=18)) == datetime(2026, 11, 23, 8, 30, tzinfo=CST)
    night = TimeInterval(times=["22:00-24:00"])
    assert opens_at(night, inside.replace(hour=23, minute=59)) == inside.replace(hour=23, minute=59)


def test_every_held_message_says_why_and_what_became_of_it(tmp_path, receiver):
    config = make_config(tmp_path, rules=[POST, EVENT], notifiers=[
        {"name": "hook", "type": "webhook", "url": receiver.url}],
        quiet={"group_wait": {3: "10m"}})
    _replay(config)
    run_cycle(config, now=NOW + timedelta(minutes=30))
    state = StateDB(config.state_path)
    told = {(r["hold"], explain(r)) for r in quiet_log(state, iso(NOW - timedelta(hours=1)))}
    state.close()
    reasons = {why.split("：")[0] for _, (why, _) in told}
    assert reasons == {"抑制", "分组"}, told
    assert all(fate.startswith(("已随", "事件通知已包含", "窗口内仅此一条")) for _, (_, fate) in told)
