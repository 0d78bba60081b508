"""The running monitor takes up an edited config.yaml: crawl jobs, intervals and warning rules."""

from __future__ import annotations

import shutil
import socket
import time
from pathlib import Path

import pytest

from tests.conftest import ROOT, write_config

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


def _demo_config(tmp_path, port: int, **demo):
    """A config with the demo forum on `port`, no sources, no model (lexicon grading)."""
    from tousu.config import load

    return load(write_config(tmp_path, sources=[],
                             demo={"enabled": True, "port": port, "release_every": 0.2, **demo},
                             nlp={"keywords_dir": str(ROOT / "keywords"),
                                  "model_dir": str(tmp_path / "models"),
                                  "train_at_start": False, "retrain": ""}))


def test_a_taken_demo_port_stops_the_start_before_anything_runs(tmp_path):
    from tousu.monitor import Monitor
    from tousu.processes import PortInUse

    with socket.create_server(("127.0.0.1", 0)) as held:
        port = held.getsockname()[1]
        monitor = Monitor(_demo_config(tmp_path, port))
        with pytest.raises(PortInUse, match=f"127.0.0.1:{port}.*demo.port.*start_urls"):
            monitor.start(dashboard=False)
    assert not monitor.scheduler.running and monitor.site is None
    assert not (tmp_path / "data" / "state.db").exists()
    monitor.stop()  # harmless after a start that never began


def test_the_demo_forum_continues_its_timeline_after_a_monitor_restart(tmp_path):
    from tousu.monitor import Monitor

    with socket.create_server(("127.0.0.1", 0)) as probe:
        port = probe.getsockname()[1]
    first = Monitor(_demo_config(tmp_path, port, initial=3))
    first.start(dashboard=False)
    time.sleep(1.1)  # about five posts released
    shown = [(post["tid"], ts) for post, ts in first.site.snapshot()[1]]
    first.stop()
    assert len(shown) > 3

    second = Monitor(_demo_config(tmp_path, port, initial=3))
    second.start(dashboard=False)
    try:
        assert [(p["tid"], ts) for p, ts in second.site.snapshot()[1]][-len(shown):] == shown
    finally:
        second.stop()


def test_the_first_start_loads_the_libraries_once(tmp_path, monkeypatch, capsys):
    from core.db import StateDB
    from knowledge import GuideService
    from knowledge.guides import SEED_GUIDES, read_guides
    from tousu.config import load
    from tousu.monitor import first_start

    monkeypatch.setenv("TOUSU_ADMIN_USER", "admin")
    monkeypatch.setenv("TOUSU_ADMIN_PASSWORD", "Radar-2026!")
    config = load(write_config(tmp_path))
    first_start(config)
    said = capsys.readouterr().out
    assert f"已载入入门排障指引 {len(read_guides(SEED_GUIDES))} 条" in said and "入门回复口径" in said
    first_start(config)
    assert "载入" not in capsys.readouterr().out
    assert GuideService(StateDB(config.state_path)).count() == len(read_guides(SEED_GUIDES))
