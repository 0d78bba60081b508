"""One warning cycle: evaluate the rules, queue what they raise, deliver what is due."""

from __future__ import annotations

from typing import Any

from alerts.notifiers import build_notifiers
from alerts.outbox import deliver_due, enqueue
from alerts.post_rule import evaluate_post_rule
from indexer import open_store
from tousu.config import Config
from tousu.state import StateDB


def run_cycle(config: Config) -> dict[str, Any]:
    """Evaluate, enqueue, deliver; returns counts for logs and the CLI."""
    state = StateDB(config.state_path)
    with open_store(config) as store:
        new_alerts = evaluate_post_rule(store, state, config.warnings.post)
    queued = enqueue(state, config, new_alerts)
    delivered = deliver_due(state, build_notifiers(config))
    state.close()
    return {"new_alerts": len(new_alerts), "queued": queued, **delivered}


def list_alerts(config: Config, limit: int = 50) -> list[dict[str, Any]]:
    """Open and recent alerts, most urgent and newest first."""
    state = StateDB(config.state_path)
    rows = state.query("SELECT alert_id, key, rule, level, title, body, city, post_ids, status, "
                       "created_at, updated_at FROM alerts ORDER BY status = 'open' DESC, "
                       "created_at DESC, level LIMIT ?", (limit,))
    state.close()
    return rows
