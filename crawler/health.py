"""Source health: one row per crawl run in the state database.

An error arrives redacted (crawler.extensions.record_error: no ${VAR} value, no credential in a
URL) and is redacted again when read, for rows written before redaction existed."""

from __future__ import annotations

from typing import Any

from core.db import StateDB
from core.post import iso, now_cst
from core.secrets import redact
from crawler.schema import SCHEMA


def start_run(state: StateDB, source: str) -> int:
    """Record that a crawl of `source` started; returns the run id."""
    state.ensure(SCHEMA)
    cur = state.execute("INSERT INTO source_runs (source, started_at) VALUES (?, ?)",
                        (source, iso(now_cst())))
    return int(cur.lastrowid)


def finish_run(state: StateDB, run_id: int, *, pages: int, items: int, new: int, errors: int,
               last_error: str | None, status: str) -> None:
    """Record the outcome of a crawl run."""
    state.ensure(SCHEMA)
    state.execute(
        "UPDATE source_runs SET finished_at = ?, pages = ?, items = ?, new = ?, errors = ?, "
        "last_error = ?, status = ? WHERE run_id = ?",
        (iso(now_cst()), pages, items, new, errors, last_error, status, run_id))


def source_health(state: StateDB, names: list[str]) -> list[dict[str, Any]]:
    """For each source: last run, items new/total over all runs, errors, last error, and what
    the last run could not see ({kind: count}, crawler.blind_spots)."""
    state.ensure(SCHEMA)
    out = []
    for name in names:
        last = state.query("SELECT * FROM source_runs WHERE source = ? ORDER BY run_id DESC LIMIT 1",
                           (name,))
        totals = state.query("SELECT count(*) AS runs, coalesce(sum(items), 0) AS items, "
                             "coalesce(sum(new), 0) AS new, coalesce(sum(errors), 0) AS errors "
                             "FROM source_runs WHERE source = ?", (name,))[0]
        error = state.query("SELECT last_error, finished_at FROM source_runs WHERE source = ? AND "
                            "last_error IS NOT NULL ORDER BY run_id DESC LIMIT 1", (name,))
        run = last[0] if last else {}
        blind = state.query("SELECT kind, count FROM blind_spots WHERE run_id = ?",
                            (run.get("run_id"),)) if run else []
        out.append({
            "source": name,
            "last_run": run.get("started_at"),
            "last_finished": run.get("finished_at"),
            "last_status": run.get("status"),
            "last_items": run.get("items", 0),
            "last_new": run.get("new", 0),
            "runs": totals["runs"],
            "items_total": totals["items"],
            "new_total": totals["new"],
            "errors_total": totals["errors"],
            "last_error": redact(error[0]["last_error"]) if error else None,
            "last_error_at": error[0]["finished_at"] if error else None,
            "last_blind_spots": {r["kind"]: r["count"] for r in blind},
        })
    return out


def runs_since(state: StateDB, source: str, since: str) -> dict[str, Any] | None:
    """A source's first run ever, its runs and failed runs from `since` (ISO) on, and its latest
    run (status, items, last_error); None when it has never been crawled."""
    state.ensure(SCHEMA)
    runs = state.query(
        "SELECT min(started_at) AS first, sum(started_at >= ?) AS recent, "
        "sum(status = 'failed' AND started_at >= ?) AS failed FROM source_runs WHERE source = ?",
        (since, since, source))[0]
    if runs["first"] is None:
        return None
    last = state.query("SELECT status, items, last_error FROM source_runs WHERE source = ? "
                       "ORDER BY run_id DESC LIMIT 1", (source,))[0]
    if last["last_error"]:
        last["last_error"] = redact(last["last_error"])
    return {"first": runs["first"], "recent": runs["recent"] or 0, "failed": runs["failed"] or 0,
            "last": last}
