"""`tousu analyze`, `ingest`, `search`, `reanalyse`, `retention`: posts in files and in the store."""

from __future__ import annotations

import gc
import html
import sys
from pathlib import Path
from typing import Any, Iterable, Optional, TextIO

import orjson
import typer

from core.batches import batched
from core.db import StateDB
from core.markup import terminal
from crawler.normalise import parse_date
from crawler.post_input import BadLine, iter_posts
from indexer import Filters, StoreError, open_store
from indexer.query import QuerySyntaxError
from indexer.reanalyse import reanalyse as run_reanalyse
from indexer.reanalyse import retention_cutoff
from nlp.analyzer import Analyzer
from nlp.labels import apply_labels
from tousu.cli.common import config, config_or_defaults, emit, fail
from tousu.config import Config

ANALYZE_BATCH = 2000


def _analyzer(cfg: Config) -> Any:
    """The analyser of a file command, loaded, with what it loaded kept out of garbage collection."""
    analyzer = Analyzer(cfg.keywords_dir, cfg.model_dir)
    analyzer.analyse_text("")  # loads the dictionary, the model and the tokeniser
    # They live as long as the command; frozen, the collections that a batch's garbage triggers
    # no longer walk their ~60,000 objects, which halved the time the command spends collecting.
    gc.freeze()
    return analyzer


def analyze(
    infile: Path = typer.Argument(..., help="JSON lines; each needs text, or title/content ('-' = stdin)"),
    output: Optional[Path] = typer.Option(None, "-o", "--output", help="write here (default stdout)"),
) -> None:
    """Add the analysis fields to posts from a JSON-lines file. No store and no config file
    needed: without one, the built-in defaults and the installed keyword dictionary."""
    analyzer = _analyzer(config_or_defaults())
    out = output.open("w", encoding="utf-8") if output else sys.stdout
    try:
        write_analysed(analyzer, iter_posts(infile), out)
    except BadLine as exc:
        fail(str(exc), 2)
    finally:
        if output:
            out.close()


def write_analysed(analyzer: Any, posts: Iterable[Any], out: TextIO) -> None:
    """Analyse posts and write them as JSON lines, in batches: a file of any size streams
    through in bounded memory, and each batch is vectorised once."""
    for batch in batched(posts, ANALYZE_BATCH):
        out.writelines([orjson.dumps(post.to_dict(), option=orjson.OPT_APPEND_NEWLINE).decode()
                        for post in analyzer.analyse_many(batch)])


def ingest(infile: Path = typer.Argument(..., help="JSON lines of posts ('-' = stdin)"),
           as_json: bool = typer.Option(False, "--json")) -> None:
    """Analyse and store posts from a file (e.g. an export from CRM), in batches of 2,000.

    A file of any size streams through. A bad line stops the import; every post before it is
    stored, and running the fixed file again is safe (the same post is stored once).
    """
    cfg = config()
    analyzer = _analyzer(cfg)
    state = StateDB(cfg.state_path)
    inserted = updated = 0
    failed: list[Any] = []
    pending: list[Any] = []
    with open_store(cfg) as store:

        def flush() -> None:
            nonlocal inserted, updated, failed
            if pending:
                graded = analyzer.analyse_many(pending)
                apply_labels(state, graded)  # a monitor's correction stays the grade of record
                result = store.upsert_many(graded)
                inserted += len(result.inserted)
                updated += len(result.updated)
                failed += result.failed
                pending.clear()

        try:
            for post in iter_posts(infile, cfg.store.max_post_chars):
                pending.append(post)
                if len(pending) >= ANALYZE_BATCH:
                    flush()
        except BadLine as exc:
            flush()
            typer.echo(str(exc), err=True)
            typer.echo(f"已写入 {inserted + updated} 条 — before that line: {inserted} inserted, "
                       f"{updated} updated, {len(failed)} failed; fix the line and run the file "
                       "again", err=True)
            raise typer.Exit(2) from None
        flush()
    summary = {"inserted": inserted, "updated": updated, "failed": failed}
    if as_json:
        emit(summary)
    else:
        typer.echo(f"{inserted} inserted, {updated} updated, {len(failed)} failed")
    if failed:
        raise typer.Exit(1)


def search(
    query: str = typer.Argument("", help='words, "phrase", OR, -exclusion'),
    limit: int = typer.Option(20, "--limit", "-n", min=1, max=1000),
    city: Optional[str] = typer.Option(None, "--city"),
    severity_min: Optional[int] = typer.Option(None, "--severity-min", min=0, max=4),
    operator: Optional[list[str]] = typer.Option(
        None, "--operator", help="posts about this operator (移动/联通/电信/广电); repeatable"),
    intent_min: Optional[int] = typer.Option(None, "--intent-min", min=0, max=4,
                                             help="the author's intent, whoever the target"),
    since: Optional[str] = typer.Option(None, "--since", help="date or datetime, e.g. 2026-11-01"),
    sort: str = typer.Option("time", help="time | relevance | severity | influence"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Search stored posts."""
    cfg = config()
    since_iso = None
    if since:
        since_iso = parse_date(since)
        if since_iso is None:
            fail(f"--since: cannot read {since!r} as a date", 2)
    filters = Filters(since=since_iso, cities=[city] if city else None, severity_min=severity_min,
                      operators=operator or None, intent_min=intent_min)
    try:
        with open_store(cfg) as store:
            result = store.search(query, filters, sort=sort, size=limit)  # type: ignore[arg-type]
    except QuerySyntaxError as exc:
        fail(f"query: {exc}", 2)
    except StoreError as exc:
        fail(str(exc))
    if as_json:
        emit({"total": result.total, "hits": [h.to_dict() for h in result.hits]})
        return
    typer.echo(f"{result.total} hits")
    for hit in result.hits:
        p = hit.post
        snippet = html.unescape(hit.highlight.replace("<mark>", "【").replace("</mark>", "】"))
        about = f" {'/'.join(p.operators)}" if p.operators else ""
        # Crawled text never reaches the terminal raw: an ESC sequence in a title could rewrite it.
        typer.echo(f"[{p.severity}级]{about} {p.published_at or ''} {terminal(p.city or '-')} "
                   f"{terminal(p.source)} {terminal(p.title[:40])}\n    {terminal(snippet)}\n"
                   f"    {terminal(p.url)}")


def reanalyse(
    since: Optional[str] = typer.Option(None, "--since", help="only posts published since (date)"),
    source: Optional[list[str]] = typer.Option(None, "--source", "-s", help="only this source"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Re-grade stored posts with the current model and dictionary (no re-crawl)."""
    cfg = config()
    since_iso = parse_date(since) if since else None
    if since and since_iso is None:
        fail(f"--since: cannot read {since!r} as a date", 2)
    analyzer = Analyzer(cfg.keywords_dir, cfg.model_dir)
    try:
        with open_store(cfg) as store:
            result = run_reanalyse(store, analyzer, Filters(since=since_iso, sources=source),
                                   {s.name: s for s in cfg.sources})
    except StoreError as exc:
        fail(str(exc))
    summary = {"seen": result.seen, "changed": result.changed, "failed": result.failed,
               "graded_by": analyzer.mode}
    if as_json:
        emit(summary)
    else:
        typer.echo(f"{result.seen} posts re-graded ({analyzer.mode}), {result.changed} changed, "
                   f"{len(result.failed)} failed")
    if result.failed:
        raise typer.Exit(1)


def retention(days: int = typer.Option(..., "--days", min=1, help="keep posts of the last N days"),
              as_json: bool = typer.Option(False, "--json")) -> None:
    """Delete stored posts published more than N days ago."""
    cfg = config()
    cutoff = retention_cutoff(days)
    try:
        with open_store(cfg) as store:
            deleted = store.delete_older_than(cutoff)
    except StoreError as exc:
        fail(str(exc))
    if as_json:
        emit({"deleted": deleted, "cutoff": cutoff})
    else:
        typer.echo(f"{deleted} posts published before {cutoff} deleted")
