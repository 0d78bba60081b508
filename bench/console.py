"""Console benchmark: every page's data queries and an AppTest render against 1M posts in SQLite.

    .venv/bin/python -m bench console [--posts=1000000] [--rebuild]

The synthetic store is built once ($TOUSU_BENCH_DIR or /tmp/tousu-bench/console-<N>.db, reused) through the
store's own upsert path, so the schema, indexes and FTS rows are exactly what production writes.
Texts are the demo forum's 254 posts spread over 14 cities, 12 months and 5 sources, each made
unique by a serial number; jieba tokenising is memoised per base text (indexer.sqlite_store.index_tokens) to keep the build to
minutes (the search index gets the same tokens as a real upsert of that text, plus the serial).

Figures: for each page, the wall time of its data queries with caches cleared (cold: what the
first user after TTL expiry waits for), and an AppTest run of the page as admin, first with the
query and figure caches cleared (cold; modules already imported, the store open) and again (warm:
the caches hit). CPU time (this process, all threads) is printed next to wall time: on a shared
machine it shows what the console itself costs.
"""

from __future__ import annotations

import functools
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any, Callable

ROOT = Path(__file__).resolve().parent.parent
# Outside the working tree (a 1M-post store is ~2 GiB); TOUSU_BENCH_DIR moves it.
BENCH_DIR = Path(os.environ.get("TOUSU_BENCH_DIR") or Path(tempfile.gettempdir()) / "tousu-bench")
SOURCES = ["demo-forum", "tieba-hunan", "weibo", "heimao", "news-comments"]


def _option(argv: list[str], name: str, default: str) -> str:
    for arg in argv:
        if arg.startswith(f"--{name}="):
            return arg.split("=", 1)[1]
    return default


def build_store(path: Path, n: int) -> float:
    """Fill a SQLite store with n synthetic analysed posts; returns seconds taken."""
    import indexer.sqlite_store as sqlite_store
    from demo.site import load_posts
    from nlp.analyzer import Analyzer
    from core.post import Post, iso, now_cst

    started = time.perf_counter()
    analyzer = Analyzer(ROOT / "keywords")
    base = []
    for p in load_posts():
        post = Post(source="demo-forum", url="", title=p["title"], content=p["content"],
                    author=p["author"], location=f"IP属地：湖南{p.get('city') or ''}")
        base.append(analyzer.analyse(post, about_operator=True))
    cities = analyzer.dictionary.cities
    original = sqlite_store.index_tokens

    @functools.lru_cache(maxsize=None)
    def cached(title: str, content: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
        words, subwords = original(Post(source="bench", url="", title=title, content=content))
        return tuple(words), tuple(subwords)

    def tokens(post: Post) -> tuple[list[str], list[str]]:
        head, _, serial = post.content.rpartition(" #")
        words, subwords = cached(post.title, head)
        return [*words, serial], list(subwords)

    sqlite_store.index_tokens = tokens
    rng = random.Random(20261122)
    now = now_cst()
    store = sqlite_store.SqliteStore(path)
    conn = store._conn()
    conn.execute("PRAGMA synchronous=OFF")
    try:
        batch: list[Post] = []
        for i in range(n):
            t = base[rng.randrange(len(base))]
            published = now - timedelta(seconds=rng.randrange(365 * 86400))
            city = t.city if rng.random() < 0.5 else rng.choice(cities)
            batch.append(Post(
                source=rng.choice(SOURCES), url=f"https://bench.example/t/{i}",
                title=t.title, content=f"{t.content} #{i}", author=f"user{rng.randrange(200000)}",
                published_at=iso(published), crawled_at=iso(published),
                engagement={"replies": rng.randrange(300), "views": rng.randrange(20000)},
                severity=t.severity, negative=t.negative, relevant=t.relevant,
                categories=t.categories, city=city, keywords=t.keywords,
                influence=round(rng.random(), 3), reasons=t.reasons))
            if len(batch) == 5000:
                store.upsert_many(batch)
                batch = []
                if (i + 1) % 100000 == 0:
                    print(f"  built {i + 1:,} posts in {time.perf_counter() - started:.0f} s",
                          flush=True)
        store.upsert_many(batch)
        conn.execute("ANALYZE")
    finally:
        sqlite_store.index_tokens = original
        store.close()
    return time.perf_counter() - started


def _config(db: Path, work: Path) -> Path:
    import yaml

    shipped = yaml.safe_load((ROOT / "config.yaml").read_text(encoding="utf-8"))
    config = {"data_dir": str(work), "store": {"backend": "sqlite", "path": str(db)},
              "nlp": {"keywords_dir": str(ROOT / "keywords"), "model_dir": str(work / "models")},
              "sources": [s for s in shipped["sources"] if s["name"] == "demo-forum"]}
    path = work / "config.yaml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    return path


def _timed(fn: Callable[[], Any], repeat: int = 3) -> tuple[float, float]:
    """Median (wall, CPU) milliseconds of `fn` with Streamlit caches cleared before each call."""
    import streamlit as st

    walls, cpus = [], []
    for _ in range(repeat):
        st.cache_data.clear()
        started, cpu = time.perf_counter(), time.process_time()
        fn()
        walls.append((time.perf_counter() - started) * 1000)
        cpus.append((time.process_time() - cpu) * 1000)
    return statistics.median(walls), statistics.median(cpus)


def page_queries() -> dict[str, Callable[[], Any]]:
    """The data calls each page makes on first render, with the page's default filters."""
    from dashboard import data

    def triage() -> None:
        where = data.Slice(since=data.since_hours(168), severity_min=2, relevant=True,
                           include_duplicates=False)
        data.headline(7)
        data.search("", where, "severity", 1, 200, False)

    def search() -> None:
        week = data.Slice(since=data.since_hours(30 * 24))
        data.search("", week, "time", 1, 20)
        data.search("宽带 断网", week, "time", 1, 20)
        data.search('"信号太差" OR 退费 -联通', data.Slice(), "relevance", 1, 20)

    def trends() -> None:
        base = data.Slice(since=data.since_hours(30 * 24), relevant=True)
        data.histogram(base, "day", "severity")
        data.complaint_rate(base)
        data.hot_words(base, size=20)

    def trends_year() -> None:
        base = data.Slice(since=data.since_hours(365 * 24), relevant=True)
        data.histogram(base, "month", "category")
        data.terms("city", base, size=50)
        data.hot_words(base, size=20)

    def drill() -> None:
        base = data.Slice(since=data.since_hours(30 * 24), relevant=True, cities=("衡阳",))
        data.search("", base, "severity", 1, 20)

    return {"监控台 triage": triage, "检索 search (3 queries)": search,
            "趋势 trends 30 d": trends, "趋势 trends 365 d by category": trends_year,
            "趋势 drill-down": drill, "预警 warnings": data.alerts, "信源 sources": data.sources}


def render_pages(config: Path, user: Any) -> dict[str, list[tuple[float, float]]]:
    """[(wall, CPU) ms of the cold run, (wall, CPU) ms of the warm run] of AppTest per page."""
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    from dashboard import charts

    pages = ("triage", "search", "trends", "warnings", "cases", "scripts", "sources", "keywords",
             "rules", "users")

    def session(page: str) -> AppTest:
        at = AppTest.from_file(str(ROOT / "dashboard" / "app.py"), default_timeout=300)
        at.session_state["tousu_user"] = user
        at.switch_page(f"views/{page}.py")
        return at

    # Python imports are paid once per server process, not per user: a throwaway run of every
    # page first, so the first measured page does not carry them all.
    for page in pages:
        session(page).run()
    out = {}
    for page in pages:
        st.cache_data.clear()  # cold: every query and figure runs again
        charts.clear()
        runs = []
        at = session(page)
        for _ in range(2):  # the second run of the same session hits the caches
            started, cpu = time.perf_counter(), time.process_time()
            at.run()
            runs.append(((time.perf_counter() - started) * 1000,
                         (time.process_time() - cpu) * 1000))
            if at.exception:
                print(f"  ! {page}: {at.exception[0].value}")
        out[page] = runs
    return out


def main(argv: list[str]) -> None:
    import logging

    logging.getLogger("streamlit").setLevel(logging.ERROR)
    n = int(_option(argv, "posts", "1000000"))
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    db = BENCH_DIR / f"console-{n}.db"
    if "--rebuild" in argv or not db.exists():
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)
        print(f"building {n:,} synthetic posts → {db} …", flush=True)
        seconds = build_store(db, n)
        print(f"built in {seconds:.0f} s ({db.stat().st_size / 2**30:.2f} GiB)")
    work = BENCH_DIR / "console-work"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    config = _config(db, work)
    os.environ["TOUSU_CONFIG"] = str(config)

    from accounts import User

    print(f"posts: {n:,}  (SQLite, {db.stat().st_size / 2**30:.2f} GiB)")
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print("\n| page | data queries, cold: wall (median of 3; 365 d: 1 run) | CPU |\n"
          "|---|---:|---:|")
    for name, fn in page_queries().items():
        repeat = 1 if "365" in name else 3  # the year-long split takes a minute: once is enough
        wall, cpu = _timed(fn, repeat)
        print(f"| {name} | {wall:.0f} ms | {cpu:.0f} ms |", flush=True)
    admin = User("bench", "admin", display_name="bench")
    print("\n| page (AppTest, admin) | first render (cold cache): wall | CPU "
          "| re-render (warm cache): wall | CPU |\n|---|---:|---:|---:|---:|")
    for page, ((cold, cold_cpu), (warm, warm_cpu)) in render_pages(config, admin).items():
        print(f"| {page} | {cold:.0f} ms | {cold_cpu:.0f} ms | {warm:.0f} ms | {warm_cpu:.0f} ms |",
              flush=True)
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main(sys.argv[1:])
