"""`tousu crawl` and `tousu sources`: run the sources and show their health."""

from __future__ import annotations

from typing import Optional

import typer

from core.config import ConfigError
from core.db import StateDB
from crawler.blind_spots import describe
from crawler.health import source_health
from tousu.cli.common import config, emit, fail


def crawl(
    source: Optional[list[str]] = typer.Option(None, "--source", "-s", help="only this source"),
    quiet: bool = typer.Option(False, help="log warnings only"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Run configured sources once, to completion, and store their posts."""
    from crawler.run import run_crawl  # lazy: Scrapy and Twisted load only for a crawl

    cfg = config()
    try:
        crawled = run_crawl(cfg, source or None, log_level="WARNING" if quiet or as_json else "INFO")
    except ConfigError as exc:
        fail(str(exc), 2)
    health = source_health(StateDB(cfg.state_path), [s.name for s in crawled])
    if as_json:
        emit(health)
        return
    for row in health:
        typer.echo(f"{row['source']}: {row['last_status']} — {row['last_items']} items, "
                   f"{row['last_new']} new" + (f", error: {row['last_error']}" if row['last_status']
                                                 != "ok" and row['last_error'] else ""))


def sources(as_json: bool = typer.Option(False, "--json")) -> None:
    """Each source with its last run, items, errors and last error."""
    cfg = config()
    rows = source_health(StateDB(cfg.state_path), [s.name for s in cfg.sources])
    for row, spec in zip(rows, cfg.sources):
        row.update(type=spec.type, enabled=spec.enabled, interval=spec.interval)
    if as_json:
        emit(rows)
        return
    for row in rows:
        state = "启用" if row["enabled"] else "停用"
        typer.echo(f"{row['source']} ({row['type']}, {state}, 每 {row['interval']}): "
                   f"last run {row['last_run'] or 'never'} {row['last_status'] or ''}, "
                   f"items {row['items_total']} ({row['new_total']} new), errors {row['errors_total']}"
                   + (f", last error: {row['last_error']}" if row["last_error"] else "")
                   + (f", 盲区: {describe(row['last_blind_spots'])}" if row["last_blind_spots"] else ""))
