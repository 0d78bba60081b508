"""One warning cycle: evaluate the rules, record and queue what they raise, deliver what is due."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from alerts.engine import apply_matches, silenced_targets
from alerts.model import AlertsError, Context
from alerts.notifiers import build_notifiers
from alerts.outbox import deliver_due
from alerts.quiet import release_held
from alerts.review import escalate_due
from alerts.rules import build_rules
from alerts.schema import SCHEMA
from indexer import StoreError, open_store
from alerts.config import AppConfig
from core.post import now_cst
from core.db import StateDB

log = logging.getLogger("tousu.alerts")


def run_cycle(config: AppConfig, now: datetime | None = None) -> dict[str, Any]:
    """Evaluate every rule, queue the notices, deliver what is due; returns counts for logs and
    the CLI. A rule that fails is reported in `errors` and leaves its alerts as they were."""
    now = now or now_cst()
    state = StateDB(config.state_path)
    state.ensure(SCHEMA)
    counts: dict[str, Any] = {"new_alerts": 0, "updated": 0, "resolved": 0, "queued": 0,
                              "sent": 0, "failed": 0, "errors": []}
    notifiers = build_notifiers(config)
    down: set[str] = set()
    try:
        muted = silenced_targets(state, now)
        with open_store(config) as store:
            ctx = Context(store=store, state=state, now=now, config=config)
            for spec, rule in build_rules(config):
                try:
                    matches = rule.evaluate(ctx)
                except (StoreError, AlertsError) as exc:
                    log.error("warning rule %s failed: %s", spec.name, exc)
                    counts["errors"].append(f"rule {spec.name}: {exc}")
                    continue
                done = apply_matches(state, config, spec, rule, matches, now, muted)
                counts["new_alerts"] += done["new"]
                counts["updated"] += done["updated"]
                counts["resolved"] += done["resolved"]
                counts["queued"] += done["queued"]
                if done["queued"]:
                    # Deliver now rather than after the slower rules: a tier-4 post should not
                    # wait for event clustering.
                    _add(counts, deliver_due(state, notifiers, now, down))
        counts["review_escalations"] = escalate_due(state, config, now)
        counts["digests"] = release_held(state, config, now)
        _add(counts, deliver_due(state, notifiers, now, down))
    finally:
        state.close()
    return counts


def _add(counts: dict[str, Any], more: dict[str, int]) -> None:
    for key, value in more.items():
        counts[key] += value


def list_alerts(config: AppConfig, limit: int = 50) -> list[dict[str, Any]]:
    """Open and recent alerts, open first, then most urgent and newest, with their `origin` and
    `review` state (alerts.api.recent_alerts)."""
    state = StateDB(config.state_path)
    state.ensure(SCHEMA)
    rows = state.query("SELECT a.alert_id, a.key, a.rule, a.level, a.title, a.body, a.city, "
                       "a.source, a.post_ids, a.status, a.created_at, a.updated_at, a.resolved_at, "
                       "a.notices, coalesce(r.origin, 'auto') AS origin, r.state AS review "
                       "FROM alerts a LEFT JOIN alert_reviews r USING (alert_id) "
                       "ORDER BY a.status = 'resolved', a.level, a.created_at DESC, a.alert_id DESC "
                       "LIMIT ?", (limit,))
    state.close()
    return rows
