"""Spread benchmark: the warning cycle with open events whose notices carry their spread, and the
spread computation alone.

    .venv/bin/python -m bench spread [--posts=100000] [--events=20] [--members=60]
                                     [--relatives=40] [--cycles=5] [--dir=PATH] [--keep]
                                     [--es-url=http://127.0.0.1:9247]

A SQLite store of `posts` synthetic posts over 180 days (bench.alerts.generate), plus `events`
events of the last hours: each `members` posts of one text (told apart by a floor number, so the
event rule clusters them), replying to an older original, and `relatives` posts that repost or
reply to the members without their words (「转发微博」, `//@` chains, replies to replies), which
only the spread gathers. The store is written through SqliteStore.upsert_many, as a crawl
writes it.

With a state.db holding the events' open warnings (one first cycle opens them), the warning cycle
of the shipped event rule is timed `cycles` times, one minute apart with nothing new stored (the
per-minute case), then once after a post joins one event and a repost of another arrives, then once with every
event's spread computed (as when each gains a post). The baseline, measured in the same run on the
same state: the same per-minute cycles with the spread replaced by the summary the first cycle
computed (what the cycle costs without the spread). Then the spread alone: `event_spread` for
every open event, read as a warning's notice and as the console's whole view. With --es-url (or
TOUSU_ES_URL) the same posts are copied into a fresh Elasticsearch index (dropped after) and the
same steps run on it.

Wall time and this process's CPU time; on a shared machine the second is the steadier.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import statistics
import tempfile
import time
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Callable, Iterator

import yaml

from bench.alerts import CITIES, ROOT, generate
from core.batches import batched
from indexer import open_store

# Characters the events' texts are drawn from: each event its own words, so no two events'
# texts are alike (character-bigram Jaccard) and each is clustered alone.
_HANZI = "".join(chr(c) for c in range(0x4E00, 0x4E00 + 3000))


def _options(argv: list[str]) -> dict[str, str]:
    return dict(a.lstrip("-").split("=", 1) if "=" in a else (a.lstrip("-"), "1") for a in argv)


def event_posts(events: int, members: int, relatives: int, now: datetime,
                seed: int = 9) -> list[Any]:
    """The events' posts: per event an original (two days old), `members` similar posts replying
    to it over the last five hours, and `relatives` reposts and replies of the members."""
    from core.post import Post, canonical_url, iso

    rng = random.Random(seed)
    posts: list[Post] = []
    for k in range(events):
        words = "".join(rng.sample(_HANZI, 40))
        city = CITIES[k % len(CITIES)]
        original = Post(source="weibo", url=f"https://m.weibo.cn/detail/ev{k}-origin",
                        title="", content=f"{city}{words}", author=f"源头{k}",
                        published_at=iso(now - timedelta(days=2)), crawled_at=iso(now),
                        engagement={"reposts": 50, "followers": 12000}, severity=2,
                        relevant=True, city=city, influence=0.6)
        posts.append(original)
        own: list[Post] = []
        for j in range(members):
            at = now - timedelta(minutes=300 * (members - j) / members)
            post = Post(source="weibo", url=f"https://m.weibo.cn/detail/ev{k}-m{j}",
                        title="", content=f"{city}{words}（{j}楼）", author=f"用户{k}-{j % 25}",
                        published_at=iso(at), crawled_at=iso(at),
                        engagement={"reposts": rng.randint(0, 30)}, severity=2, relevant=True,
                        city=city, influence=round(rng.random() ** 3, 3),
                        reply_to=canonical_url(original.url))
            own.append(post)
        posts.extend(own)
        spread: list[Post] = []
        for j in range(relatives):
            parent = rng.choice(own + spread) if spread and rng.random() < 0.4 else rng.choice(own)
            at = datetime.fromisoformat(parent.published_at) + timedelta(minutes=rng.randint(1, 20))
            text = rng.choice(["转发微博", f"//@{parent.author}: 顶", f"回复@{parent.author}:真的假的"])
            post = Post(source="weibo", url=f"https://m.weibo.cn/detail/ev{k}-r{j}", title="",
                        content=text, author=f"转发者{k}-{j}", published_at=iso(min(at, now)),
                        crawled_at=iso(now), engagement={"reposts": rng.randint(0, 5)},
                        severity=0, relevant=True, city=city, influence=0.01,
                        reply_to=canonical_url(parent.url))
            spread.append(post)
        posts.extend(spread)
    return posts


def bench_config(workdir: Path, store: dict[str, Any]) -> Any:
    """The shipped event rule alone, no notifiers, pointed at the bench store."""
    from tousu.config import parse

    shipped = yaml.safe_load((ROOT / "config.yaml").read_text(encoding="utf-8"))
    warnings = shipped["warnings"]
    warnings["rules"] = [r for r in warnings["rules"] if r["type"] == "event"]
    warnings["notifiers"] = []
    return parse({"data_dir": str(workdir), "store": store, "sources": [],
                  "warnings": warnings})


@contextmanager
def _spread_as(summaries: dict[tuple[str, ...], Any]) -> Iterator[None]:
    """The event rule with the spread replaced by these summaries (by post ids): the baseline."""
    import alerts.event_rule as event_rule

    class Known:
        def __init__(self, summary: Any) -> None:
            self.summary = summary

        def notice(self) -> Any:
            return self.summary

    real = event_rule.event_spread
    event_rule.event_spread = lambda store, ids, now: Known(summaries.get(tuple(ids)))
    try:
        yield
    finally:
        event_rule.event_spread = real


def _timed(fn: Callable[[], Any]) -> tuple[float, float, Any]:
    started, cpu = time.perf_counter(), time.process_time()
    out = fn()
    return time.perf_counter() - started, time.process_time() - cpu, out


def _fmt(samples: list[tuple[float, float]]) -> str:
    wall = statistics.median(s[0] for s in samples)
    cpu = statistics.median(s[1] for s in samples)
    return f"median {wall:.3f} s (CPU {cpu:.3f} s)"


def main(argv: list[str]) -> None:
    from core.post import now_cst
    from indexer.sqlite_store import SqliteStore

    options = _options(argv)
    n = int(options.get("posts", 100_000))
    events = int(options.get("events", 20))
    members = int(options.get("members", 60))
    relatives = int(options.get("relatives", 40))
    es_url = options.get("es-url") or os.environ.get("TOUSU_ES_URL", "")
    workdir = Path(options.get("dir") or tempfile.mkdtemp(prefix="tousu-bench-spread-"))
    workdir.mkdir(parents=True, exist_ok=True)
    for leftover in workdir.glob("*.db*"):
        leftover.unlink()
    path = workdir / "posts.db"
    now = now_cst().replace(second=0, microsecond=0)
    seconds = generate(path, n, now)
    extra = event_posts(events, members, relatives, now)
    with SqliteStore(path) as store:
        store.upsert_many(extra)
    print(f"- store: {n:,} posts over 180 days + {events} events × ({members} members + "
          f"{relatives} reposts/replies + 1 original) in {seconds:.1f} s "
          f"({path.stat().st_size / 2**20:.0f} MiB)")
    cycles = int(options.get("cycles", 5))
    print("### SQLite")
    measure(bench_config(workdir, {"path": str(path)}), workdir, extra, members, relatives,
            now, cycles)
    if es_url:
        index = f"tousu-bench-spread-{os.getpid()}"
        config = bench_config(workdir / "es", {"backend": "elasticsearch", "hosts": [es_url],
                                               "index": index})
        (workdir / "es").mkdir(exist_ok=True)
        with SqliteStore(path) as source, open_store(config) as target:
            started = time.perf_counter()
            for chunk in batched(source.iter_posts(batch=5000), 5000):
                target.upsert_many(chunk)
            print(f"### Elasticsearch ({es_url}; the same posts copied in "
                  f"{time.perf_counter() - started:.0f} s)")
        try:
            measure(config, workdir / "es", extra, members, relatives, now, cycles)
        finally:
            with open_store(config) as target:
                target.drop()
    else:
        print("### Elasticsearch: skipped (no --es-url and no TOUSU_ES_URL)")
    if "keep" in options or "dir" in options:
        print(f"  kept {workdir}")
    else:
        shutil.rmtree(workdir, ignore_errors=True)


def measure(config: Any, workdir: Path, extra: list[Any], members: int, relatives: int,
            now: datetime, cycles: int) -> None:
    """The cycles and the spread alone on the store `config` names (which holds the posts)."""
    from alerts.cycle import run_cycle
    from alerts.spread import event_spread
    from core.db import StateDB
    from core.post import Post, canonical_url, iso

    took, cpu, counts = _timed(lambda: run_cycle(config, now=now))
    state = StateDB(config.state_path)
    rows = state.query("SELECT post_ids, data FROM alerts WHERE status = 'open'")
    state.close()
    summaries = {tuple(json.loads(r["post_ids"])): json.loads(r["data"]).get("spread")
                 for r in rows}
    with_spread = sum(1 for s in summaries.values() if s)
    print(f"- first cycle (opens the events): {took:.2f} s (CPU {cpu:.2f} s), "
          f"{counts['new_alerts']} open events, {with_spread} with a spread summary")
    shutil.copy(config.state_path, workdir / "opened.db")

    def run(minutes: range) -> list[tuple[float, float]]:
        shutil.copy(workdir / "opened.db", config.state_path)
        out = []
        for minute in minutes:
            took, cpu, _ = _timed(lambda: run_cycle(config, now=now + timedelta(minutes=minute)))
            out.append((took, cpu))
        return out

    minutes = range(1, cycles + 1)
    with _spread_as(summaries):
        baseline = run(minutes)
    measured = run(minutes)
    print(f"- cycle with {len(summaries)} open events, nothing new, baseline (spread not "
          f"computed): {_fmt(baseline)} over {cycles} cycles")
    print(f"- cycle with {len(summaries)} open events, nothing new, with spread: "
          f"{_fmt(measured)}; spread share {_share(measured, baseline)}")
    # Something new: a post joins event 0 and a repost of event 1's first member arrives.
    joined = Post(source="weibo", url="https://m.weibo.cn/detail/ev0-joined", title="",
                  content=extra[1].content.replace("（0楼）", "（新楼）"), author="新来的",
                  published_at=iso(now + timedelta(minutes=cycles)), severity=2, relevant=True,
                  reply_to=extra[1].reply_to)
    first_of_1 = extra[2 + members + relatives]
    repost = Post(source="weibo", url="https://m.weibo.cn/detail/ev1-new-repost", title="",
                  content="转发微博", author="新转发者", published_at=iso(now + timedelta(minutes=cycles)),
                  relevant=True, reply_to=canonical_url(first_of_1.url))
    with open_store(config) as store:
        store.upsert_many([joined, repost])
    took, cpu, counts = _timed(lambda: run_cycle(config, now=now + timedelta(minutes=cycles + 1)))
    print(f"- cycle after a post joined one event and a repost of another arrived: {took:.3f} s "
          f"(CPU {cpu:.3f} s; updated {counts['updated']})")
    # Every event changed (as in a cycle where each gains a post): the spread of each is computed.
    state = StateDB(config.state_path)
    state.execute("UPDATE alerts SET data = json_remove(data, '$.spread_at')")
    state.close()
    took, cpu, counts = _timed(lambda: run_cycle(config, now=now + timedelta(minutes=cycles + 2)))
    print(f"- cycle computing every open event's spread: {took:.3f} s (CPU {cpu:.3f} s)")

    state = StateDB(config.state_path)
    rows = state.query("SELECT post_ids FROM alerts WHERE status = 'open'")
    state.close()
    ids = [json.loads(r["post_ids"]) for r in rows]
    at = now + timedelta(minutes=cycles + 2)
    with open_store(config) as store:
        sizes = [len(event_spread(store, pids, at).posts) for pids in ids]  # warms the connection
        for label, read in (("a warning's summary (notice)", lambda s: s.notice()),
                            ("the console's whole view", _whole)):
            timings = [_timed(lambda: read(event_spread(store, pids, at))) for pids in ids]
            print(f"- spread alone, {label}, {len(ids)} events ({min(sizes)}–{max(sizes)} posts "
                  f"each): per event {_fmt([t[:2] for t in timings])}, all "
                  f"{sum(t[0] for t in timings):.3f} s (CPU {sum(t[1] for t in timings):.3f} s)")


def _whole(spread: Any) -> Any:
    """Every summary the console's spread view shows."""
    return (spread.notice(), spread.sentences(), spread.timeline, spread.amplifiers, spread.speed,
            spread.growth)


def _share(measured: list[tuple[float, float]], baseline: list[tuple[float, float]]) -> str:
    extra = statistics.median(m[0] for m in measured) - statistics.median(b[0] for b in baseline)
    extra_cpu = statistics.median(m[1] for m in measured) - statistics.median(b[1] for b in baseline)
    return f"+{extra:.3f} s (CPU +{extra_cpu:.3f} s)"
