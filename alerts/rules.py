"""The rule registry: config `type` → rule class. A rule class takes its validated options and
the config, and implements `evaluate(ctx) -> list[Match]` (the conditions that hold now); its
`reopen` says whether a key may alert again after it resolved, and `reminders` whether an
ongoing alert is re-notified on the realert schedule."""

from __future__ import annotations

from typing import Any

from alerts.coverage_rule import CoverageRuleType
from alerts.event_rule import EventRuleType
from alerts.flatline_rule import FlatlineRuleType
from alerts.post_rule import PostRuleType
from alerts.volume_rules import SpikeRuleType, VolumeRuleType
from alerts.config import AppConfig

RULE_TYPES: dict[str, type] = {"post": PostRuleType, "volume": VolumeRuleType,
                               "spike": SpikeRuleType, "event": EventRuleType,
                               "flatline": FlatlineRuleType, "coverage": CoverageRuleType}


def build_rules(config: AppConfig) -> list[tuple[Any, Any]]:
    """(options, rule instance) for every enabled rule, in config order."""
    return [(spec, RULE_TYPES[spec.type](spec, config))
            for spec in config.warnings.rules if spec.enabled]
