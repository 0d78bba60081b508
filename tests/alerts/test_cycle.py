"""One warning cycle: a restart or two concurrent cycles raise nothing twice."""

from __future__ import annotations

import threading
from datetime import timedelta

from alerts.cycle import list_alerts, run_cycle
from core.db import StateDB
from tests.alerts.conftest import NOW, make_config, make_post, store_posts


def test_restart_and_concurrent_cycles_raise_nothing_twice(tmp_path, receiver):
    config = make_config(tmp_path, rules=[{"name": "post", "type": "post"}], notifiers=[
        {"name": "hook", "type": "webhook", "url": receiver.url}])
    store_posts(config, [make_post(i + 1, severity=4) for i in range(5)])
    threads = [threading.Thread(target=run_cycle, args=(config,), kwargs={"now": NOW})
               for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(list_alerts(config)) == 5 and len(receiver.bodies) == 5

    # A process died while sending: the message is claimed but not marked sent. After its lease
    # runs out the next cycle (a fresh process) sends it, once.
    store_posts(config, [make_post(1, now=NOW + timedelta(minutes=5), severity=4)])
    receiver.stop()
    run_cycle(config, now=NOW + timedelta(minutes=5))
    state = StateDB(config.state_path)
    state.execute("UPDATE outbox SET status = 'sending', lease_until = ? WHERE status = 'pending'",
                  (int((NOW + timedelta(minutes=6)).timestamp()),))
    state.close()
    receiver.start()
    assert run_cycle(config, now=NOW + timedelta(minutes=5, seconds=30))["sent"] == 0  # leased
    assert run_cycle(config, now=NOW + timedelta(minutes=7))["sent"] == 1
    assert run_cycle(config, now=NOW + timedelta(minutes=30))["sent"] == 0
    assert len(receiver.bodies) == 6 and len(list_alerts(config)) == 6
