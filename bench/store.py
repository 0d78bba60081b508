"""Store benchmark: bulk ingest rate and search/aggregation latency on SQLite and Elasticsearch.

    python -m bench store [--sizes=100000,1000000] [--backends=sqlite,elasticsearch]
                          [--es-url=http://127.0.0.1:9200] [--queries=40] [--keep=DIR]
                          [--order=time|random] [--breakdown]

With --keep the SQLite stores stay in DIR, and a later run with the same DIR reuses a store that
already holds the size asked for: its queries are measured again, its ingest is not.

Posts are synthetic but realistic: each is 2–6 sentences drawn from the 254 posts of the demo
forum (real complaint language about a mobile operator), titled with another sentence, with the
analysis fields of the posts the sentences came from (city, categories, tier, keywords found in
the text), spread over the 365 days before 2026-11-20 across six sources (more recent days
denser). By default they are ingested in publication order, as crawls deliver them (each chunk of
5,000 covers a stretch of days); `--order=random` shuffles the year into every chunk instead — the
worst case for the time-keyed indexes, like a backfill of unsorted history.

Ingest is "analysis excluded": the jieba tokens are computed per distinct sentence up front and
handed to the store with `attach_tokens` (as the analysis stage can), so the figure is the store's
own cost — SQL/FTS5 or JSON + HTTP + Lucene — not jieba's. Elasticsearch is measured with its
default behaviour of refreshing after each `upsert_many` call (chunks of 5,000 posts here).
Latency is wall time per call from Python, p50/p95 over `--queries` runs of each kind with varied
words and filters, after one warm-up pass. With --breakdown, SQLite's ingest CPU time is also
split by kind of statement (µs per post), the rest being the store's Python; Elasticsearch's into
the node's CPU during the ingest (its own process statistics: indexing, and the merges that ran
meanwhile) and this process's (the client).
"""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import statistics
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Callable, Iterator

ROOT = Path(__file__).resolve().parent.parent
END = datetime.fromisoformat("2026-11-20T23:59:59+08:00")
SOURCES = ["tieba", "weibo", "heimao", "demo-forum", "news-comments", "xiangtan-forum"]
CHUNK = 5000
_SENTENCE = re.compile(r"[^。！？!?\n]+[。！？!?]?")
WORDS = ["宽带", "信号", "退费", "投诉", "断网", "扣费", "10086", "套餐", "营业厅", "网速",
         "携号转网", "工信部", "流量", "客服", "5g"]
PHRASES = ['"信号太差"', '"乱扣费"', '"要求退费"', '"网速很慢"', "宽带断网", '"打了10086"']
# what users type as often as whole words: single characters and parts of words
PARTS = ["卡", "慢", "坑", "网", "费", "速慢", "网速慢", "信号差", "086", "扣了"]
CITIES = ["长沙", "株洲", "湘潭", "衡阳", "邵阳", "岳阳", "常德", "张家界", "益阳", "郴州",
          "永州", "怀化", "娄底", "湘西"]


def _options(argv: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg.startswith("--"):
            key, eq, value = arg[2:].partition("=")
            if not eq and i + 1 < len(argv) and not argv[i + 1].startswith("--"):
                value, i = argv[i + 1], i + 1
            out[key] = value
        i += 1
    return out


class Corpus:
    """Sentences of the demo posts with their tokens and the analysis of the post they came from."""

    def __init__(self) -> None:
        from nlp.analyzer import Analyzer
        from nlp.tokenizer import search_tokens
        from core.post import Post

        analyzer = Analyzer(ROOT / "keywords", use_model=False)
        self.posts: list[dict[str, Any]] = []
        for line in (ROOT / "demo" / "posts.jsonl").read_text(encoding="utf-8").splitlines():
            raw = json.loads(line)
            post = analyzer.analyse(Post(source="demo", url="", title=raw["title"],
                                         content=raw["content"]))
            sentences = [s.strip() for s in _SENTENCE.findall(raw["content"]) if s.strip()]
            self.posts.append({
                "sentences": [(s, search_tokens(s)) for s in sentences],
                "title": (raw["title"], search_tokens(raw["title"])),
                "city": raw.get("city") or post.city, "tier": raw.get("tier", post.severity),
                "categories": raw.get("categories") or post.categories,
                "keywords": post.keywords, "relevant": bool(post.relevant),
            })

    def generate(self, n: int, seed: int = 7, start: int = 0,
                 total: int | None = None) -> Iterator[Any]:
        """n posts, deterministic for (seed, start). With `total`, post i of the total is
        published in time order; without, at a random time of the year. Either way the times
        follow the same distribution."""
        from indexer.documents import attach_tokens
        from core.post import Post, iso

        rng = random.Random(seed * 1_000_003 + start)
        span = 365 * 86400
        for i in range(start, start + n):
            base = rng.choice(self.posts)
            other = rng.choice(self.posts)
            picked = rng.sample(base["sentences"], min(len(base["sentences"]), rng.randint(2, 4)))
            picked += rng.sample(other["sentences"], min(len(other["sentences"]), rng.randint(0, 2)))
            title, (title_words, title_sub) = base["title"]
            content = "".join(s for s, _ in picked)
            words = title_words + [t for _, (w, _) in picked for t in w]
            subwords = title_sub + [t for _, (_, sw) in picked for t in sw]
            position = 1 - (i + rng.random()) / total if total else rng.random()
            published = END - timedelta(seconds=int(span * (position ** 1.3)))
            text = title + content
            keywords = [k for k in dict.fromkeys(base["keywords"] + other["keywords"]) if k in text]
            post = Post(
                source=rng.choice(SOURCES), url=f"https://bench.example/{seed}/thread-{i}",
                title=title, content=content, author=f"用户{rng.randint(1, 50000)}",
                published_at=iso(published), crawled_at=iso(published + timedelta(minutes=5)),
                engagement={"replies": rng.randint(0, 300), "views": rng.randint(0, 20000)},
                severity=base["tier"] if rng.random() < 0.8 else rng.randint(0, 4),
                negative=round(rng.random(), 3), relevant=base["relevant"] or rng.random() < 0.5,
                categories=list(base["categories"]), keywords=keywords,
                city=base["city"] if rng.random() < 0.7 else rng.choice(CITIES),
                influence=round(rng.random() ** 3, 4))
            yield attach_tokens(post, words, subwords)


def _percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]
    return statistics.median(ordered) * 1000, p95 * 1000


def _workload(rng: random.Random) -> dict[str, Callable[[Any], Any]]:
    from indexer.base import Filters
    from core.vocab import CATEGORIES
    from core.post import iso
    from nlp.dictionary import get_dictionary

    last30 = iso(END - timedelta(days=30))
    last7 = iso(END - timedelta(days=7))

    def word(s):
        return s.search(rng.choice(WORDS))

    def part_word(s):
        return s.search(rng.choice(PARTS))

    def two_words_city_30d(s):
        a, b = rng.sample(WORDS, 2)
        return s.search(f"{a} {b}", Filters(cities=[rng.choice(CITIES)], since=last30))

    def phrase_or_exclusion(s):
        return s.search(f"{rng.choice(PHRASES)} OR {rng.choice(WORDS)} -联通",
                        Filters(severity_min=2))

    def filters_only_by_severity(s):
        return s.search("", Filters(categories=["宽带/家宽"], relevant=True), sort="severity")

    def relevance(s):
        return s.search(f"{rng.choice(WORDS)} OR {rng.choice(WORDS)}", sort="relevance")

    def histogram_30d(s):
        return s.date_histogram("day", Filters(since=last30, relevant=True))

    def histogram_30d_by_severity(s):
        return s.date_histogram("day", Filters(since=last30), split_by="severity")

    def terms_city_30d(s):
        return s.terms("city", Filters(since=last30))

    def hot_words_7d(s):
        return s.hot_words(Filters(since=last7, cities=[rng.choice(CITIES)]))

    last365 = iso(END - timedelta(days=365))

    def hot_words_365d_city(s):
        return s.hot_words(Filters(since=last365, cities=[rng.choice(CITIES)]), size=20)

    def hot_words_365d_category(s):
        return s.hot_words(Filters(since=last365, categories=[rng.choice(CATEGORIES)]), size=20)

    def slices_city_category_7d(s):
        return s.slice_counts(["city", "category"], Filters(since=last7), interval="day")

    # The console's 趋势 page (dashboard/views/trends.py): relevant posts since "now" (mid-day,
    # so a partial first day is in the window) minus 30 or 365 days.
    now = END - timedelta(hours=11, minutes=17)
    trend30 = Filters(since=iso(now - timedelta(days=30)), relevant=True)
    trend365 = Filters(since=iso(now - timedelta(days=365)), relevant=True)
    not_hot = sorted(get_dictionary(ROOT / "keywords").hot_words_stop)

    def trends_30d_by_severity(s):
        return s.date_histogram("day", trend30, split_by="severity")

    def trends_30d_cities(s):
        return s.terms("city", trend30, size=50)

    def trends_30d_hot_words(s):
        return s.hot_words(trend30, size=20, exclude=not_hot)

    def trends_365d_by_category(s):
        return s.date_histogram("month", trend365, split_by="category")

    def trends_365d_cities(s):
        return s.terms("city", trend365, size=50)

    def trends_365d_hot_words(s):
        return s.hot_words(trend365, size=20, exclude=not_hot)

    return {f.__name__: f for f in (word, part_word, two_words_city_30d, phrase_or_exclusion,
                                    filters_only_by_severity, relevance, histogram_30d,
                                    histogram_30d_by_severity, terms_city_30d, hot_words_7d,
                                    hot_words_365d_city, hot_words_365d_category,
                                    slices_city_category_7d, trends_30d_by_severity,
                                    trends_30d_cities, trends_30d_hot_words,
                                    trends_365d_by_category, trends_365d_cities,
                                    trends_365d_hot_words)}


SEARCHES = {"word", "part_word", "two_words_city_30d", "phrase_or_exclusion",
            "filters_only_by_severity", "relevance"}


class _TimedConnection:
    """A SQLite connection that adds up the CPU time of each kind of statement (`--breakdown`)."""

    def __init__(self, conn: Any) -> None:
        self.conn = conn
        self.seconds: dict[str, float] = {}

    def _timed(self, method: Any, sql: str, *args: Any) -> Any:
        words = sql.split()
        kind = " ".join(words[:words.index("INTO") + 2] if "INTO" in words[:4] else words[:2]
                        if words[0] in ("DELETE", "UPDATE") else words[:1])
        start = time.process_time()
        try:
            return method(sql, *args)
        finally:
            self.seconds[kind] = self.seconds.get(kind, 0.0) + time.process_time() - start

    def execute(self, sql: str, *args: Any) -> Any:
        return self._timed(self.conn.execute, sql, *args)

    def executemany(self, sql: str, *args: Any) -> Any:
        return self._timed(self.conn.executemany, sql, *args)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.conn, name)


def _open(backend: str, size: int, workdir: Path, es_url: str) -> Any:
    if backend == "sqlite":
        from indexer.sqlite_store import SqliteStore

        return SqliteStore(workdir / f"bench-{size}.db")
    from indexer.elasticsearch_store import ElasticsearchStore

    store = ElasticsearchStore([es_url], f"tousu-bench-{size}-{os.getpid()}", request_timeout=120)
    return store


def _node_cpu_ms(store: Any) -> int:
    """CPU milliseconds the Elasticsearch node processes have used since they started."""
    nodes = store.client.nodes.stats(metric="process")["nodes"].values()
    return sum(node["process"]["cpu"]["total_in_millis"] for node in nodes)


def run_one(backend: str, size: int, corpus: Corpus, workdir: Path, es_url: str,
            queries: int, budget: float, in_time_order: bool = True,
            breakdown: bool = False) -> dict[str, Any]:
    store = _open(backend, size, workdir, es_url)
    timed = None
    if breakdown and backend == "sqlite":
        timed = _TimedConnection(store._conn())
        store._conn = lambda: timed  # this thread's connection, timed while ingesting
    node_ms = _node_cpu_ms(store) if breakdown and backend == "elasticsearch" else None
    stored, elapsed, cpu, failed = 0, 0.0, 0.0, 0
    started = time.perf_counter()
    reused = backend == "sqlite" and store.count() >= size  # a store kept by --keep
    if reused:
        print(f"  {backend}: reusing the {size:,} posts in {workdir} (ingest not measured)")
        stored = size
    try:
        while stored < size and not reused:
            chunk = list(corpus.generate(min(CHUNK, size - stored), start=stored,
                                         total=size if in_time_order else None))
            t0, c0 = time.perf_counter(), time.process_time()
            result = store.upsert_many(chunk)
            elapsed += time.perf_counter() - t0
            cpu += time.process_time() - c0
            failed += len(result.failed)
            stored += len(chunk)
            if time.perf_counter() - started > budget:
                print(f"  {backend}: stopped at {stored:,} posts (time budget {budget:.0f}s)")
                break
        row: dict[str, Any] = {"backend": backend, "size": stored,
                               "order": "time" if in_time_order else "random",
                               "ingest_s": round(elapsed, 1),
                               "ingest_per_s": round(stored / elapsed) if elapsed else 0,
                               "failed": failed}
        if backend == "sqlite":  # all of SQLite's work is in this process: its CPU time is the
            row["ingest_per_cpu_s"] = round(stored / cpu) if cpu else 0  # rate on an idle machine
        if timed is not None:
            del store._conn
            in_sql = sum(timed.seconds.values())
            row["ingest_cpu_us_per_post"] = {
                **{kind: round(s / stored * 1e6, 1) for kind, s in
                   sorted(timed.seconds.items(), key=lambda i: -i[1])},
                "Python (the rest)": round((cpu - in_sql) / stored * 1e6, 1)}
        if node_ms is not None:
            row["ingest_cpu_us_per_post"] = {
                "Elasticsearch node": round((_node_cpu_ms(store) - node_ms) / stored * 1e3, 1),
                "Python client": round(cpu / stored * 1e6, 1)}
        if hasattr(store, "path"):
            row["db_mb"] = round(sum(p.stat().st_size for p in workdir.glob(f"bench-{size}.db*"))
                                 / 2**20)
        rng = random.Random(11)
        work = _workload(rng)
        for fn in work.values():  # warm-up: caches, JIT, first-query costs
            fn(store)
        samples: dict[str, list[float]] = {name: [] for name in work}
        cpu_samples: dict[str, list[float]] = {name: [] for name in work}
        for _ in range(queries):
            for name, fn in work.items():
                t0, c0 = time.perf_counter(), time.process_time()
                fn(store)
                samples[name].append(time.perf_counter() - t0)
                cpu_samples[name].append(time.process_time() - c0)
        for key, data in (("", samples), ("cpu_", cpu_samples)):
            if key and backend != "sqlite":
                continue
            row[f"{key}latency_ms"] = {name: [round(v, 1) for v in _percentiles(s)]
                                       for name, s in data.items()}
            every_search = [v for name in SEARCHES for v in data[name]]
            row[f"{key}search_ms"] = [round(v, 1) for v in _percentiles(every_search)]
        return row
    finally:
        if backend == "elasticsearch":
            store.drop()
        store.close()


def main(argv: list[str]) -> None:
    """Print one JSON line per backend and size, then a table."""
    opts = _options(argv)
    sizes = [int(s) for s in opts.get("sizes", "100000").split(",") if s]
    backends = [b for b in opts.get("backends", "sqlite,elasticsearch").split(",") if b]
    es_url = opts.get("es-url") or os.environ.get("TOUSU_ES_URL", "")
    queries = int(opts.get("queries", "40"))
    budget = float(opts.get("budget", "900"))
    in_time_order = opts.get("order", "time") != "random"
    if "elasticsearch" in backends and not es_url:
        print("  elasticsearch: skipped (no --es-url and no TOUSU_ES_URL)")
        backends.remove("elasticsearch")
    t0 = time.perf_counter()
    corpus = Corpus()
    print(f"  corpus: {sum(len(p['sentences']) for p in corpus.posts)} sentences from "
          f"{len(corpus.posts)} demo posts ({time.perf_counter() - t0:.1f}s)")
    workdir = Path(opts["keep"]) if opts.get("keep") else Path(tempfile.mkdtemp(prefix="tousu-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    rows = []
    try:
        for size in sizes:
            for backend in backends:
                row = run_one(backend, size, corpus, workdir, es_url, queries, budget,
                              in_time_order, "breakdown" in opts)
                rows.append(row)
                print(json.dumps(row, ensure_ascii=False), flush=True)
    finally:
        if not opts.get("keep"):
            shutil.rmtree(workdir, ignore_errors=True)
    print()
    print("| backend | posts | ingest posts/s | search p50/p95 ms | 30-day daily histogram p50/p95 ms |")
    print("|---|---:|---:|---:|---:|")
    for r in rows:
        for key, label in (("", "wall"), ("cpu_", "CPU")):
            if f"{key}latency_ms" not in r:
                continue
            h = r[f"{key}latency_ms"]["histogram_30d"]
            rate = r["ingest_per_s"] if not key else r["ingest_per_cpu_s"]
            print(f"| {r['backend']} ({label}) | {r['size']:,} | {rate:,} | "
                  f"{r[f'{key}search_ms'][0]} / {r[f'{key}search_ms'][1]} | {h[0]} / {h[1]} |")
    print()
    print("| kind | " + " | ".join(f"{r['backend']} {r['size']:,} {label} p50 / p95 ms"
                                    for r in rows for key, label in (("", "wall"), ("cpu_", "CPU"))
                                    if f"{key}latency_ms" in r) + " |")
    print("|---|" + "---:|" * sum(f"{key}latency_ms" in r for r in rows for key in ("", "cpu_")))
    for kind in rows[0]["latency_ms"] if rows else []:
        cells = [" / ".join(str(v) for v in r[f"{key}latency_ms"][kind])
                 for r in rows for key in ("", "cpu_") if f"{key}latency_ms" in r]
        print(f"| {kind} | " + " | ".join(cells) + " |")
    for r in rows:
        if "ingest_cpu_us_per_post" in r:
            print(f"\n| {r['backend']} ingest of {r['size']:,} posts, by part | CPU µs per post |")
            print("|---|---:|")
            for kind, us in r["ingest_cpu_us_per_post"].items():
                print(f"| {kind} | {us} |")
