"""监控台's actions (AppTest): a correction is stored as a label and is the grade everywhere at
once, bulk 无关, a case opened from a post and found under 工单."""

from __future__ import annotations

from tests.dashboard.conftest import app_as, no_crash, state_db, texts, user


# -- 监控台 -----------------------------------------------------------------------------------
def test_correction_is_stored_as_label_and_post_leaves_queue(console_config):
    at = app_as("monitor", "triage")
    pid = at.selectbox(key="tri_current").value
    at.selectbox(key=f"fix_tier_{pid}").set_value(2)
    at.checkbox(key=f"fix_rel_{pid}").uncheck()
    next(b for b in at.button if b.label == "💾 保存更正").click().run()
    no_crash(at)
    from nlp.labels import iter_labels

    rows = [r for r in iter_labels(state_db(console_config)) if r["post_id"] == pid]
    assert rows and rows[0]["severity"] == 2 and rows[0]["relevant"] is False
    assert rows[0]["user"] == "monitor"
    assert at.selectbox(key="tri_current").value != pid  # done: it left the queue


def test_a_correction_is_the_grade_everywhere_at_once(console_config):
    """Corrected from its tier to 0: the stored post says 0 at once (检索 shows it, marked 人工修正,
    though 检索 had the old grade cached), re-analysis keeps it, and the model gets the label."""
    from indexer import open_store
    from indexer.reanalyse import reanalyse
    from nlp.analyzer import Analyzer
    from nlp.labels import CORRECTED, human_graded, iter_labels
    from tousu.config import load

    config = load(console_config)
    at = app_as("monitor", "triage")
    pid = at.selectbox(key="tri_current").value
    with open_store(config) as store:
        before = store.get(pid)
    assert before.severity >= 2
    query = f'"{before.title[:8]}"'
    search = app_as("monitor", "search")
    search.text_input(key="s_query").input(query).run()  # 检索 caches the old grade
    assert any(before.title in e.proto.body for e in search.get("html"))

    at.selectbox(key=f"fix_tier_{pid}").set_value(0)
    at.checkbox(key=f"fix_rel_{pid}").uncheck()
    next(b for b in at.button if b.label == "💾 保存更正").click().run()
    no_crash(at)
    with open_store(config) as store:
        after = store.get(pid)
    assert (after.severity, after.relevant, human_graded(after)) == (0, False, CORRECTED)

    search.text_input(key="s_query").input(query).run()
    card = next(e.proto.body for e in search.get("html") if before.title in e.proto.body)
    assert "0级" in card and "人工修正" in card

    with open_store(config) as store:
        reanalyse(store, Analyzer(config.keywords_dir, config.model_dir))
        assert store.get(pid).severity == 0
    assert [r["severity"] for r in iter_labels(state_db(console_config)) if r["post_id"] == pid] == [0]


def test_bulk_mark_irrelevant(console_config):
    at = app_as("monitor", "triage")
    values = [at.selectbox(key="tri_current").value]
    at.multiselect(key="tri_bulk").set_value(values).run()
    at.button(key="bulk_irrelevant").click().run()
    no_crash(at)
    from nlp.labels import iter_labels

    labelled = {r["post_id"]: r for r in iter_labels(state_db(console_config))}
    assert values[0] in labelled and labelled[values[0]]["relevant"] is False


def _open_case_from_triage(console_config) -> tuple[str, object]:
    from cases import CaseService
    from tousu.config import load

    at = app_as("monitor", "triage")
    pid = at.selectbox(key="tri_current").value
    at.button(key="dispatch_one").click().run()
    no_crash(at)
    assert any("已建工单" in s.value for s in at.success), [e.value for e in at.error]
    service = CaseService(load(console_config))
    case = service.list_cases(user("monitor"))[0]
    service.close()
    assert case.post_id == pid
    return pid, case


def test_monitor_opens_case_and_finds_it_under_cases(console_config):
    _, case = _open_case_from_triage(console_config)
    assert case.status == "已派单"
    at = app_as("monitor", "cases")
    no_crash(at)
    assert case.case_no in "".join(str(v) for v in at.dataframe[0].value["工单号"])
    assert case.case_no in texts(at)  # the detail of the newest case is open
