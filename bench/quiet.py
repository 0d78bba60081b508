"""Quiet alerting benchmark: messages sent per warning-worthy post over a replayed demo day.

    .venv/bin/python -m bench quiet [--every=1m]

The demo forum's 254 posts (demo/posts.jsonl), graded by the shipped grader as the demo's crawl
does, on the forum's own timeline: the first `demo.initial` posts at their `hours_ago`, the rest
released one every `demo.release_every` seconds. The day replayed is the 24 hours ending with the
last release, set to end on a Friday at 17:00 China time (so office hours fall inside it). The
shipped rules (config.yaml, without the flatline rule: no crawler runs in a replay) are evaluated
every minute, posts stored as their publication time passes, messages counted by a webhook
receiver on 127.0.0.1; then one more hour of cycles releases what is still held. Each variant of
`warnings.quiet` starts from a fresh state.db on the same posts.
"""

from __future__ import annotations

import tempfile
import time
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import yaml

from bench.alerts import ROOT, Receiver
from core.post import CST, Post, iso

DAY_END = datetime(2026, 11, 20, 17, 0, tzinfo=CST)  # a Friday
VARIANTS: dict[str, dict[str, Any]] = {
    "before (no quiet alerting)": {"inhibit": False},
    "inhibition": {"inhibit": True},
    "inhibition + grouping (二级 5m, 三级 15m)": {"inhibit": True,
                                                  "group_wait": {2: "5m", 3: "15m"}},
    "… + 三级 only in office hours": {"inhibit": True, "group_wait": {2: "5m", 3: "15m"},
                                      "send_during": {3: "office"}},
}


def demo_day() -> list[Post]:
    """The demo posts, graded, published on the replayed day's timeline (oldest first)."""
    from demo.config import DemoConfig
    from demo.site import load_posts
    from nlp.analyzer import Analyzer

    demo = DemoConfig()
    raw = load_posts()
    live = len(raw) - demo.initial
    last = DAY_END
    first_live = last - timedelta(seconds=demo.release_every * (live - 1))
    analyzer = Analyzer(ROOT / "keywords")
    posts = []
    for i, p in enumerate(raw):
        at = (first_live - timedelta(hours=float(p.get("hours_ago", 0))) if i < demo.initial
              else first_live + timedelta(seconds=demo.release_every * (i - demo.initial)))
        post = Post(source="demo-forum", url=f"http://127.0.0.1:8600/thread-{p['tid']}-1-1.html",
                    title=p["title"], content=p["content"], author=p["author"],
                    published_at=iso(at), crawled_at=iso(at),
                    engagement={"replies": p.get("replies", 0), "views": p.get("views", 0)},
                    location=f"IP属地：湖南{p.get('city') or ''}")
        posts.append(analyzer.analyse(post, about_operator=True))
    return sorted(posts, key=lambda p: p.published_at or "")


WAVE_TID = 1160  # 株洲: a whole industrial park offline for two days, threatening to sue
WAVE_VOICES = ["我们公司也断了", "隔壁厂也一样", "园区物业说在催", "客户订单都耽误了", "打10086说在修",
               "第三天了还没好", "员工只能用手机热点", "损失谁来赔", "工商局已经反映了",
               "同一个园区的顶一下", "律师函已经在准备", "大家一起维权"]


def wave(posts: list[Post]) -> list[Post]:
    """Twelve users of one demo thread retelling it over two hours of the afternoon (a 事件 such
    as the demo's single posts never form on their own): the thread's text with each voice."""
    from nlp.analyzer import Analyzer

    analyzer = Analyzer(ROOT / "keywords")
    seed = next(p for p in posts if p.url and f"thread-{WAVE_TID}-" in p.url)
    start = DAY_END.replace(hour=13)
    out = []
    for n, voice in enumerate(WAVE_VOICES):
        at = start + timedelta(minutes=10 * n)
        post = Post(source="demo-forum", url=f"http://127.0.0.1:8600/thread-{WAVE_TID}-{n + 2}-1.html",
                    title=f"回复：{seed.title}", content=f"{seed.content}\n{voice}！",
                    author=f"园区用户{n + 1}", published_at=iso(at), crawled_at=iso(at),
                    location=seed.location)
        out.append(analyzer.analyse(post, about_operator=True))
    return out


def _config(workdir: Path, hook: str, quiet: dict[str, Any]) -> Any:
    from tousu.config import parse

    shipped = yaml.safe_load((ROOT / "config.yaml").read_text(encoding="utf-8"))
    source = next(s for s in shipped["sources"] if s["name"] == "demo-forum")
    warnings = {"rules": [r for r in shipped["warnings"]["rules"] if r["type"] != "flatline"],
                "notifiers": [{"name": "duty", "type": "webhook", "url": hook}], "quiet": quiet}
    return parse({"data_dir": str(workdir), "store": {"path": str(workdir / "posts.db")},
                  "sources": [source], "warnings": warnings})


def replay(posts: list[Post], quiet: dict[str, Any], every: timedelta) -> dict[str, Any]:
    """Run the day's cycles under one `warnings.quiet`; the messages received, by kind."""
    from alerts.cycle import run_cycle
    from indexer import open_store

    receiver = Receiver()
    with tempfile.TemporaryDirectory(prefix="tousu-bench-quiet-") as tmp:
        config = _config(Path(tmp), receiver.url, quiet)
        start = DAY_END - timedelta(days=1)
        clock, i = start, 0
        cpu = time.process_time()
        with open_store(config) as store:
            while clock <= DAY_END + timedelta(hours=1):
                due = [p for p in posts[i:] if (p.published_at or "") <= iso(clock)]
                if due:
                    store.upsert_many(due)
                    i += len(due)
                run_cycle(config, now=clock)
                if clock == start:
                    receiver.bodies.clear()  # the history before the day is not the day's
                clock += every
        took = time.process_time() - cpu
    receiver.server.shutdown()
    kinds = Counter(b["kind"] for b in receiver.bodies)
    return {"messages": len(receiver.bodies), "kinds": kinds, "cpu": took}


def main(argv: list[str]) -> None:
    from alerts.model import seconds
    from alerts.post_rule import level_for
    from tousu.config import parse

    options = dict(a.lstrip("-").split("=", 1) if "=" in a else (a.lstrip("-"), "1") for a in argv)
    every = timedelta(seconds=seconds(options.get("every", "1m")))
    rule = next(r for r in parse({}).warnings.rules if r.type == "post")
    day_start = iso(DAY_END - timedelta(days=1))
    plain = demo_day()
    for title, posts in (("the demo day", plain),
                         ("the demo day with a wave of 12 retellings of thread 1160",
                          sorted(plain + wave(plain), key=lambda p: p.published_at or ""))):
        worthy = [p for p in posts if (p.published_at or "") > day_start and level_for(p, rule)]
        levels = Counter(level_for(p, rule) for p in worthy)
        print(f"### {title}: {day_start[:16]} → {iso(DAY_END)[:16]}, "
              f"{sum((p.published_at or '') > day_start for p in posts)} posts, {len(worthy)} "
              f"warning-worthy (一级 {levels[1]}, 二级 {levels[2]}, 三级 {levels[3]}); "
              f"cycles every {every.total_seconds():.0f} s")
        for label, quiet in VARIANTS.items():
            result = replay(posts, quiet, every)
            kinds = ", ".join(f"{k} {n}" for k, n in sorted(result["kinds"].items()))
            print(f"- {label}: {result['messages']} messages, "
                  f"{result['messages'] / len(worthy):.2f} per warning-worthy post ({kinds}); "
                  f"CPU {result['cpu']:.1f} s")
