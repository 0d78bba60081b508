"""Warnings benchmark: one evaluation cycle over a large store, and post-stored → delivered latency.

    .venv/bin/python -m bench alerts [--posts=1000000] [--dir=PATH [--reuse]] [--keep]

Synthetic posts (180 days, 14 cities, 12 categories, 5 sources, Hunan-style texts with some
waves of similar posts in the last hours) are written straight into a SQLite store (bulk insert,
no full-text index: rules do not search text), then the shipped rule set is evaluated with a
cold base cache and again warm (the per-minute case). Latency: a scheduler-like thread runs
`run_cycle` every second against the same store; a tier-4 post is stored and the time until a
local HTTP receiver has its warning is measured.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import sqlite3
import statistics
import tempfile
import threading
import time
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import yaml

from core.post import CST
from core.vocab import CATEGORIES

CITIES = ["长沙", "株洲", "湘潭", "衡阳", "邵阳", "岳阳", "常德", "张家界", "益阳", "郴州", "永州",
          "怀化", "娄底", "湘西"]
SOURCES = ["tieba", "weibo", "heimao", "bbs-local", "news"]
SUBJECTS = ["宽带", "信号", "话费", "套餐", "流量", "客服", "营业厅", "5G", "携号转网", "视频会员"]
PROBLEMS = ["断网好几天了", "莫名其妙多扣了钱", "网速慢得要命", "打10086没人管", "办不了销户",
            "态度特别差", "合约到期还不让改", "根本没信号", "一直在推销", "退费拖了一个月"]
ASKS = ["要求赔偿", "希望尽快处理", "已经投诉到工信部", "大家评评理", "再不解决就曝光", "怎么办"]
ROOT = Path(__file__).resolve().parent.parent


def _text(rng: random.Random, city: str) -> str:
    return (f"{city}{rng.choice(['移动', '这边移动', '的移动'])}{rng.choice(SUBJECTS)}"
            f"{rng.choice(PROBLEMS)}，{rng.choice(PROBLEMS)}，{rng.choice(ASKS)}"
            f"{rng.randint(1, 10**6)}")


def generate(path: Path, n: int, now: datetime, seed: int = 6) -> float:
    """Write n posts over 180 days before `now` into a fresh SQLite store; returns seconds."""
    import numpy as np

    from indexer.sqlite_schema import FILL_DAILY_COUNTS
    from indexer.sqlite_store import SqliteStore

    started = time.perf_counter()
    SqliteStore(path).close()  # the schema
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=OFF")
    found = conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT "
                         "NULL AND tbl_name IN ('posts', 'post_categories')").fetchall()
    for name, _ in found:
        conn.execute(f"DROP INDEX {name}")
    rng = random.Random(seed)
    np_rng = np.random.default_rng(seed)
    now_ts = int(now.timestamp())
    span = 180 * 86400
    city_p = np.array([3.0, 1.2, 1.0, 1.5, 1.0, 1.2, 1.0, 0.4, 0.8, 1.0, 0.9, 0.8, 0.8, 0.5])
    cities = np_rng.choice(len(CITIES), n, p=city_p / city_p.sum())
    stamps = now_ts - (span * np_rng.random(n) ** 1.05).astype(np.int64) - 1
    severities = np_rng.choice(5, n, p=[0.30, 0.20, 0.30, 0.15, 0.05])
    influence = np.round(np_rng.random(n) ** 3, 3)
    first_cat = np_rng.integers(0, len(CATEGORIES), n)
    second_cat = np.where(np_rng.random(n) < 0.25, np_rng.integers(0, len(CATEGORIES), n), -1)
    waves = [(rng.choice(CITIES), _text(rng, "")) for _ in range(5)]
    phrases = [_text(rng, "") for _ in range(5000)]
    conn.execute("BEGIN")
    rows, cats = [], []
    for i in range(n):
        ts = int(stamps[i])
        city = CITIES[cities[i]]
        severity = int(severities[i])
        text = f"{city}{phrases[i % 5000]}{i}"
        if ts > now_ts - 6 * 3600 and rng.random() < 0.1:  # waves of similar posts today
            city, base = rng.choice(waves)
            text = f"{city}{base}（{rng.randint(1, 999)}楼）"
            severity = max(severity, 2)
        categories = [CATEGORIES[first_cat[i]]]
        if second_cat[i] >= 0 and second_cat[i] != first_cat[i]:
            categories.append(CATEGORIES[second_cat[i]])
        published = datetime.fromtimestamp(ts, CST).isoformat()
        rows.append((i + 1, f"bench{i:015d}", SOURCES[i % 5], f"https://bbs.example.com/t-{i}.html",
                     text[:20], text, f"用户{i % 50000}", published, ts, published, "{}", None,
                     severity, 0.6, int(severity > 0), city, json.dumps(categories, ensure_ascii=False),
                     "[]", float(influence[i]), "[]", f"fp{i}", None))
        cats.extend((c, i + 1, ts) for c in categories)
        if len(rows) >= 50000:
            _flush(conn, rows, cats)
    _flush(conn, rows, cats)
    for sql in FILL_DAILY_COUNTS:  # what the store's own writes would have kept
        conn.execute(sql)
    conn.execute("COMMIT")
    for _, sql in found:
        conn.execute(sql)
    conn.execute("ANALYZE")
    conn.close()
    return time.perf_counter() - started


def _flush(conn: sqlite3.Connection, rows: list, cats: list) -> None:
    conn.executemany("INSERT INTO posts (rowid, id, source, url, title, content, author, published_at, "
                     "published_ts, crawled_at, engagement, location, severity, negative, relevant, "
                     "city, categories, keywords, influence, reasons, fingerprint, dup_of) VALUES "
                     f"({', '.join('?' * 22)})", rows)
    conn.executemany("INSERT OR IGNORE INTO post_categories VALUES (?, ?, ?)", cats)
    rows.clear()
    cats.clear()


def bench_config(workdir: Path, store: Path, hook: str | None) -> Any:
    """The shipped warnings section, pointed at the bench store (and a local webhook)."""
    from tousu.config import parse

    shipped = yaml.safe_load((ROOT / "config.yaml").read_text(encoding="utf-8"))
    warnings = shipped["warnings"]
    warnings["evaluate_every"] = "1s"
    warnings["notifiers"] = ([{"name": "hook", "type": "webhook", "url": hook, "levels": [1]}]
                             if hook else [])
    sources = [{"name": s, "type": "rss", "url": f"https://{s}.example.com/rss"} for s in SOURCES]
    return parse({"data_dir": str(workdir), "store": {"path": str(store)}, "sources": sources,
                  "warnings": warnings})


class Receiver:
    """A local webhook: when each post id first arrived, and every body received."""

    def __init__(self) -> None:
        self.arrived: dict[str, float] = {}
        self.bodies: list[dict[str, Any]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                receiver.bodies.append(body)
                for post_id in body.get("post_ids", []):
                    receiver.arrived.setdefault(post_id, time.perf_counter())
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"


def latency(config: Any, samples: int = 8) -> list[float]:
    """Seconds from a tier-4 post stored to its warning received, with cycles every second."""
    from alerts.cycle import run_cycle
    from indexer import open_store
    from core.post import Post, iso, now_cst

    receiver = Receiver()
    config.warnings.notifiers[0].url = receiver.url
    stop = threading.Event()
    cycle_seconds: list[float] = []

    def scheduler() -> None:  # what APScheduler does with evaluate_every: 1s
        while not stop.is_set():
            started = time.perf_counter()
            run_cycle(config)
            cycle_seconds.append(time.perf_counter() - started)
            stop.wait(max(0.0, 1.0 - (time.perf_counter() - started)))

    run_cycle(config)  # the first cycle raises the backlog of the synthetic day
    thread = threading.Thread(target=scheduler, daemon=True)
    thread.start()
    out = []
    with open_store(config) as store:
        for i in range(samples):
            time.sleep(random.uniform(0.2, 1.2))
            post = Post(source="tieba", url=f"https://bbs.example.com/latency-{time.time()}-{i}",
                        title="乱扣费三个月，已投诉工信部，准备找媒体曝光", content="要求退费赔偿",
                        published_at=iso(now_cst()), severity=4, relevant=True, city="衡阳",
                        categories=["资费计费/乱扣费"], influence=0.9)
            store.upsert_many([post])
            stored = time.perf_counter()
            deadline = stored + 30
            while post.id not in receiver.arrived and time.perf_counter() < deadline:
                time.sleep(0.01)
            out.append(receiver.arrived.get(post.id, float("inf")) - stored)
    stop.set()
    thread.join()
    receiver.server.shutdown()
    print(f"  scheduler cycles during latency test: median {statistics.median(cycle_seconds):.3f} s, "
          f"max {max(cycle_seconds):.3f} s")
    return out


def _backfilled(config: Any, now: datetime) -> bool:
    from core.db import StateDB

    state = StateDB(config.state_path)
    rows = state.query("SELECT covered_from FROM rule_days_meta")
    state.close()
    first = (now - timedelta(days=180)).date().isoformat()
    volume = [r for r in config.warnings.rules if r.type == "volume"]
    return len(rows) == len(volume) and all(r["covered_from"] <= first for r in rows)


def main(argv: list[str]) -> None:
    from alerts.cycle import run_cycle
    from core.post import now_cst

    options = dict(a.lstrip("-").split("=", 1) if "=" in a else (a.lstrip("-"), "1") for a in argv)
    n = int(options.get("posts", 1_000_000))
    workdir = Path(options.get("dir") or tempfile.mkdtemp(prefix="tousu-bench-alerts-"))
    workdir.mkdir(parents=True, exist_ok=True)
    store = workdir / "posts.db"
    meta = workdir / "bench.json"
    if "reuse" in options and meta.exists():  # a store generated before, evaluated at its own clock
        now = datetime.fromisoformat(json.loads(meta.read_text())["now"])
        for leftover in [*workdir.glob("state.db*"), *workdir.glob("latency/state.db*")]:
            leftover.unlink()
        print(f"- reusing {n:,} posts generated at {now.isoformat()}")
    else:
        now = now_cst()
        for leftover in workdir.glob("*.db*"):
            leftover.unlink()
        seconds = generate(store, n, now)
        meta.write_text(json.dumps({"now": now.isoformat(), "posts": n}))
        print(f"- generated {n:,} posts over 180 days into SQLite in {seconds:.1f} s "
              f"({store.stat().st_size / 2**20:.0f} MiB)")
    config = bench_config(workdir, store, None)
    # A fresh state.db: the first cycles raise the day's backlog and backfill the volume bases
    # (BACKFILL_DAYS per cycle) until they cover 180 days; then the steady per-minute cycles.
    # Wall time and this process's CPU time: on a shared machine the second is the steadier.
    backfill, backfill_cpu = [], []
    for minute in range(30):
        started, cpu = time.perf_counter(), time.process_time()
        counts = run_cycle(config, now=now + timedelta(minutes=minute))
        backfill.append(time.perf_counter() - started)
        backfill_cpu.append(time.process_time() - cpu)
        if minute == 0:
            print(f"- first cycle, {len(config.warnings.rules)} rules: {backfill[0]:.2f} s "
                  f"(CPU {backfill_cpu[0]:.2f} s; new alerts {counts['new_alerts']})")
        if _backfilled(config, now):
            break
    print(f"- cycles while volume bases backfill: {len(backfill)} cycles, "
          f"median {statistics.median(backfill):.2f} s (CPU {statistics.median(backfill_cpu):.2f} s), "
          f"max {max(backfill):.2f} s (CPU {max(backfill_cpu):.2f} s)")
    for label in ("warm", "warm again", "warm, third"):
        started, cpu = time.perf_counter(), time.process_time()
        counts = run_cycle(config, now=now + timedelta(minutes=len(backfill)))
        took, took_cpu = time.perf_counter() - started, time.process_time() - cpu
        print(f"- one cycle, {len(config.warnings.rules)} rules, {label}: {took:.2f} s "
              f"(CPU {took_cpu:.2f} s; new {counts['new_alerts']}, updated {counts['updated']}, "
              f"resolved {counts['resolved']})")
    from alerts.rules import build_rules
    from alerts.model import Context
    from indexer import open_store
    from core.db import StateDB

    state = StateDB(config.state_path)
    with open_store(config) as st:
        ctx = Context(store=st, state=state, now=now, config=config)
        for spec, rule in build_rules(config):
            started, cpu = time.perf_counter(), time.process_time()
            matches = rule.evaluate(ctx)
            print(f"  - rule {spec.name} ({spec.type}): {time.perf_counter() - started:.3f} s "
                  f"(CPU {time.process_time() - cpu:.3f} s), {len(matches)} conditions holding")
    state.close()
    # The latency run starts from the state the cycles above left (bases counted, backlog raised),
    # as a monitor that has been running does.
    (workdir / "latency").mkdir(exist_ok=True)
    shutil.copy(workdir / "state.db", workdir / "latency" / "state.db")
    print(f"  load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    hooked = bench_config(workdir / "latency", store, "http://127.0.0.1:9/")
    samples = latency(hooked)
    print(f"- post stored → warning delivered (cycles every 1 s, webhook on 127.0.0.1): "
          f"median {statistics.median(samples):.2f} s, max {max(samples):.2f} s over {len(samples)} posts")
    if "keep" in options or "dir" in options:
        print(f"  kept {workdir}")
    else:
        shutil.rmtree(workdir, ignore_errors=True)
