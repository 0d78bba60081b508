"""Crawl → analyse → store → search → warn, on the demo forum over real local HTTP."""

import json
import os
import subprocess
import sys

from tests.conftest import ROOT
from tousu.config import load


def tousu(config_path, *args):
    result = subprocess.run([sys.executable, "-m", "tousu.cli", "--config", str(config_path), *args],
                            capture_output=True, text=True, cwd=ROOT, env=dict(os.environ),
                            timeout=240)
    assert result.returncode == 0, result.stderr[-3000:]
    return result


def test_crawl_store_search_and_restart_without_duplicates(demo_config, demo_site):
    from indexer import open_store

    first = json.loads(tousu(demo_config, "crawl", "--json").stdout)
    assert first[0]["last_status"] == "ok", first
    assert first[0]["last_new"] == 40
    config = load(demo_config)
    with open_store(config) as store:
        assert store.count() == 40
        post = store.search("", size=1).hits[0].post
        assert post.published_at and post.published_at.endswith("+08:00")
        assert post.content and "<" not in post.content.replace("<script>", "")
        assert post.url.startswith(demo_site.url + "/thread-")
        assert post.location and "IP属地" in post.location
        assert post.engagement.get("views", 0) > 0
        assert {p.severity for p in store.iter_posts()} >= {0, 1, 2, 3, 4}
        assert any(p.city for p in store.iter_posts())

    # Nothing new: the second run fetches no thread again and stores nothing twice.
    second = json.loads(tousu(demo_config, "crawl", "--json").stdout)
    assert second[0]["last_new"] == 0
    demo_site.release(3)
    third = json.loads(tousu(demo_config, "crawl", "--json").stdout)
    assert third[0]["last_new"] == 3
    with open_store(config) as store:
        assert store.count() == 43
        ids = [p.id for p in store.iter_posts()]
        assert len(ids) == len(set(ids))

    hits = json.loads(tousu(demo_config, "search", "宽带", "--json").stdout)
    assert hits["total"] > 0
    assert all("宽带" in h["title"] + h["content"] for h in hits["hits"])
    assert all("<mark>" in h["highlight"] for h in hits["hits"])

    sources = json.loads(tousu(demo_config, "sources", "--json").stdout)
    assert sources[0]["runs"] == 3 and sources[0]["items_total"] >= 43


def test_warnings_cycle_delivers_once(demo_config, tmp_path):
    tousu(demo_config, "crawl", "--quiet")
    out = json.loads(tousu(demo_config, "warnings", "--evaluate", "--json").stdout)
    assert out["cycle"]["new_alerts"] > 0
    assert out["cycle"]["sent"] == out["cycle"]["queued"] > 0
    lines = (tmp_path / "alerts.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == out["cycle"]["sent"]
    assert all(json.loads(line)["title"].startswith("【") for line in lines)
    again = json.loads(tousu(demo_config, "warnings", "--evaluate", "--json").stdout)
    assert again["cycle"]["new_alerts"] == 0 and again["cycle"]["sent"] == 0
    assert len((tmp_path / "alerts.jsonl").read_text(encoding="utf-8").splitlines()) == len(lines)


def test_a_source_that_is_down_is_reported_and_others_go_on(tmp_path, demo_site):
    from tests.conftest import write_config

    good = {"name": "demo", "type": "html", "start_urls": [f"{demo_site.url}/forum-2-1.html"],
            "delay": 0, "about_operator": True,
            "list": {"links": "tbody[id^=normalthread_] a.s.xst::attr(href)", "max_pages": 1},
            "detail": {"title": "#thread_subject::text", "content": "td.t_f"}}
    down = {"name": "down", "type": "rss", "url": "http://127.0.0.1:9/feed.xml", "timeout": 3}
    path = write_config(tmp_path, sources=[down, good])
    rows = {r["source"]: r for r in json.loads(tousu(path, "crawl", "--json").stdout)}
    assert rows["down"]["last_status"] == "failed"
    assert rows["down"]["last_error"]
    assert rows["demo"]["last_status"] == "ok" and rows["demo"]["last_new"] == 20


def test_analyze_and_ingest_files(tmp_path):
    from tests.conftest import write_config

    infile = tmp_path / "in.jsonl"
    infile.write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in [
        {"text": "湖南移动乱扣费三个月，再不退费我就去工信部投诉"},
        {"title": "移动硬盘", "content": "这个移动硬盘读写速度挺快的"},
    ]) + "\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    config = write_config(tmp_path)
    tousu(config, "analyze", str(infile), "-o", str(out))
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert rows[0]["severity"] == 4 and rows[0]["relevant"] is True
    assert rows[1]["relevant"] is False and rows[1]["severity"] == 0
    result = json.loads(tousu(config, "ingest", str(infile), "--json").stdout)
    assert result["inserted"] == 2
    again = json.loads(tousu(config, "ingest", str(infile), "--json").stdout)
    assert again["inserted"] == 0 and again["updated"] == 2


def test_bad_input_line_is_named(tmp_path):
    infile = tmp_path / "bad.jsonl"
    infile.write_text('{"text": "ok"}\n{"nothing": 1}\n', encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "tousu.cli", "analyze", str(infile)],
                            capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 2
    assert "bad.jsonl:2" in result.stderr and "Traceback" not in result.stderr


def test_discuz_preset_crawls_the_demo_forum(tmp_path, demo_site):
    """The `discuz` adapter's preset selectors read the demo's Discuz!-style GBK pages."""
    from indexer import open_store
    from tests.conftest import write_config

    source = {"name": "demo-discuz", "type": "discuz", "delay": 0, "about_operator": True,
              "forum_url": f"{demo_site.url}/forum-2-1.html", "max_pages": 5}
    path = write_config(tmp_path, sources=[source])
    [row] = json.loads(tousu(path, "crawl", "--json").stdout)
    assert row["last_status"] == "ok" and row["last_new"] == 40
    with open_store(load(path)) as store:
        posts = list(store.iter_posts())
    assert all(p.published_at and p.author and p.engagement.get("views") for p in posts)


def test_ingest_streams_and_a_bad_line_says_what_was_stored(tmp_path):
    """Every post before a bad line is stored and counted; the fixed file then adds the rest once."""
    from indexer import open_store
    from tests.conftest import write_config
    from tousu.cli.posts import ANALYZE_BATCH

    lines = [json.dumps({"text": f"移动宽带第{i}次断网，要求退费", "url": f"http://crm/{i}"},
                        ensure_ascii=False) for i in range(ANALYZE_BATCH + 5)]
    infile = tmp_path / "crm.jsonl"
    infile.write_text("\n".join(lines[:ANALYZE_BATCH + 2] + ['{"nothing": 1}'] + lines[-3:]) + "\n",
                      encoding="utf-8")
    config = write_config(tmp_path)
    result = subprocess.run([sys.executable, "-m", "tousu.cli", "--config", str(config), "ingest",
                             str(infile)], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 2
    assert f"crm.jsonl:{ANALYZE_BATCH + 3}" in result.stderr
    assert f"before that line: {ANALYZE_BATCH + 2} inserted, 0 updated, 0 failed" in result.stderr
    with open_store(load(config)) as store:
        assert store.count() == ANALYZE_BATCH + 2
    infile.write_text("\n".join(lines) + "\n", encoding="utf-8")
    again = json.loads(tousu(config, "ingest", str(infile), "--json").stdout)
    assert (again["inserted"], again["updated"]) == (3, ANALYZE_BATCH + 2)


def test_the_demos_outage_raises_explained_warnings_and_an_event_that_spread(tmp_path):
    """`make run`'s first minutes: the demo forum with its past posts releases the scripted 衡阳
    outage; crawled with the shipped source and judged by the shipped rules, it raises a spike
    and volume warnings that explain themselves (by the event) and an event whose reposts
    (Discuz! 引用 → reply_to) make a spread."""
    import yaml

    from alerts.api import get_alert
    from core.db import StateDB
    from demo.site import DemoSite, load_posts
    from tests.conftest import write_config

    shipped = yaml.safe_load((ROOT / "config.yaml").read_text(encoding="utf-8"))
    outage = load_posts(ROOT / "demo" / "outage.jsonl")
    with DemoSite(port=0, release_every=0) as site:
        site.release(len(outage))
        source = next(s for s in shipped["sources"] if s["name"] == "demo-forum")
        source["start_urls"] = [f"{site.url}/forum-2-1.html"]
        path = write_config(tmp_path, sources=[source], warnings={
            **shipped["warnings"], "quiet": {**shipped["warnings"]["quiet"], "group_wait": {}},
            "notifiers": [{"name": "log", "type": "file", "path": str(tmp_path / "alerts.jsonl")}]})
        tousu(path, "crawl", "--quiet")
    tousu(path, "warnings", "--evaluate")
    state = StateDB(load(path).state_path)
    rows = [get_alert(state, r["alert_id"]) for r in state.query("SELECT alert_id FROM alerts")]
    state.close()
    [event] = [r for r in rows if r["rule"] == "hot-event"]
    assert len(json.loads(event["post_ids"])) == len(outage)
    spread = json.loads(event["data"])["spread"]
    assert spread["relations"] == sum(1 for p in outage if p.get("quote"))
    assert spread["depth"] == 3 and spread["amplifiers"][0]["author"] == "衡阳本地通"
    explained = [r for r in rows if r["rule"] in ("city-spike", "city-category-hourly")
                 and r["city"] == "衡阳"]
    assert {r["rule"] for r in explained} == {"city-spike", "city-category-hourly"}
    for row in explained:
        why = json.loads(row["explanation"])
        top = why["drivers"]["event"][0]
        assert top["alert_id"] == event["alert_id"] and top["share"] > 0.9
    notices = [json.loads(line) for line in
               (tmp_path / "alerts.jsonl").read_text(encoding="utf-8").splitlines()]
    assert any(n.get("spread") == spread for n in notices)
