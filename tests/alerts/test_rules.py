"""The rule registry: every configurable type has a class; build_rules keeps enabled rules in config
order."""

from __future__ import annotations

from alerts.config import Notifier, Rule
from alerts.notifiers import REGISTRY
from alerts.rules import RULE_TYPES, build_rules
from core.config import union_members
from tests.alerts.conftest import make_config


def test_every_rule_and_notifier_type_has_a_class():
    assert set(RULE_TYPES) == set(union_members(Rule))
    assert set(REGISTRY) == set(union_members(Notifier))


def test_build_rules_keeps_enabled_rules_in_config_order(tmp_path):
    config = make_config(tmp_path, rules=[
        {"name": "burst", "type": "volume", "group_by": ["city"], "window": "hour"},
        {"name": "off", "type": "post", "enabled": False},
        {"name": "quiet", "type": "flatline"}])
    built = build_rules(config)
    assert [(spec.name, type(rule)) for spec, rule in built] == [
        ("burst", RULE_TYPES["volume"]), ("quiet", RULE_TYPES["flatline"])]
