"""The console's service handles: built once per config on the console's state DB and store, and
a monitor's grade written through them."""

from __future__ import annotations

from core.post import post_id
from dashboard import data, services
from nlp.labels import iter_labels
from tests.dashboard.conftest import state_db, user


def test_each_service_is_built_once_on_the_console_data(console_config):
    assert services.cases() is services.cases() and services.scripts() is services.scripts()
    assert services.rectification().cases is services.cases()
    assert services.accounts().load_user("monitor").role == "monitor"
    assert services.sessions() is services.sessions()


def test_a_monitors_grade_is_a_label_and_the_posts_grade(console_config):
    pid = post_id("http://127.0.0.1:8600/thread-1038-1-1.html")
    graded = services.grade_post(pid, user("monitor"), severity=4, categories=["资费计费/乱扣费"],
                                 city="长沙", relevant=True)
    assert graded.severity == 4 and data.store().get(pid).severity == 4
    assert [(r["severity"], r["user"]) for r in iter_labels(state_db(console_config))
            if r["post_id"] == pid] == [(4, "monitor")]
