"""`tousu crawl` and `tousu sources`: one crawl of the demo forum, then each source's health."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.conftest import ROOT


def _tousu(config, *args):
    return subprocess.run([sys.executable, "-m", "tousu.cli", "--config", str(config), *args],
                          capture_output=True, text=True, cwd=ROOT, timeout=300)


def test_crawl_reports_each_source_and_sources_shows_the_run(demo_config):
    assert json.loads(_tousu(demo_config, "sources", "--json").stdout)[0]["last_run"] is None
    crawled = _tousu(demo_config, "crawl", "--json")
    assert crawled.returncode == 0, crawled.stderr[-2000:]
    [run] = json.loads(crawled.stdout)
    assert run["source"] == "demo-forum" and run["last_status"] == "ok" and run["last_new"] > 0
    listed = _tousu(demo_config, "sources")
    assert listed.returncode == 0
    assert listed.stdout.startswith("demo-forum (html, 启用, 每 1m): last run 20") and f"({run['last_new']} new)" in listed.stdout
    unknown = _tousu(demo_config, "crawl", "--source", "nowhere")
    assert unknown.returncode == 2 and "nowhere" in unknown.stderr
