"""The running monitor takes up an edited config.yaml: crawl jobs, intervals and warning rules."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "monitor.yaml"


@pytest.fixture
def monitor(tmp_path):
    """A Monitor over a copy of the test's config (fixtures/monitor.yaml), jobs added, not started."""
    from tousu.config import load
    from tousu.monitor import Monitor, warnings_and_cases

    path = tmp_path / "config.yaml"
    shutil.copy(FIXTURE, path)
    m = Monitor(load(path))
    m._sync_crawls({})
    m.scheduler.add_job(warnings_and_cases, "interval", minutes=1, args=[m.config], id="warnings")
    return m


def _crawls(m) -> dict[str, str]:
    return {j.id: str(j.trigger) for j in m.scheduler.get_jobs() if j.id.startswith("crawl:")}


def _edit(m, section: str, name: str | None, change) -> None:
    from accounts import SYSTEM
    from dashboard.config_edit import item_text, save_item
    from core.db import StateDB

    shown = item_text(m.config.file, section, name) if name else None
    save_item(m.config.file, section, name, shown, change(shown), SYSTEM,
              StateDB(m.config.file.parent / "state.db"))


def test_edited_sources_and_rules_take_effect(monitor):
    assert set(_crawls(monitor)) == {"crawl:demo-forum"}
    assert monitor.reload() is False  # nothing changed
    _edit(monitor, "sources", "demo-forum", lambda t: t.replace("interval: 1m", "interval: 5m"))
    _edit(monitor, "sources", "telecom-news", lambda t: t.replace("enabled: false", "enabled: true"))
    _edit(monitor, "rules", "city-daily-volume",
          lambda t: t.replace("coefficient: 3 ", "coefficient: 4 "))
    assert monitor.reload() is True
    crawls = _crawls(monitor)
    assert set(crawls) == {"crawl:demo-forum", "crawl:telecom-news"}
    assert "0:05:00" in crawls["crawl:demo-forum"]
    rule = next(r for r in monitor.config.warnings.rules if r.name == "city-daily-volume")
    assert rule.coefficient == 4
    assert monitor.scheduler.get_job("warnings").args[0] is monitor.config  # the cycle sees it
    _edit(monitor, "sources", "demo-forum", lambda t: t + "\nenabled: false")
    assert monitor.reload() is True and set(_crawls(monitor)) == {"crawl:telecom-news"}


def test_invalid_file_keeps_the_running_config(monitor):
    running = monitor.config
    text = running.file.read_text(encoding="utf-8")
    running.file.write_text(text.replace("coefficient: 3 ", "coefficient: -3 "), encoding="utf-8")
    assert monitor.reload() is False
    assert monitor.config is running and set(_crawls(monitor)) == {"crawl:demo-forum"}
