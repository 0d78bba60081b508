"""Warning rules and notifiers are data checked against a schema."""

from __future__ import annotations

import pytest

from alerts.config import Notifier, PostRule, Rule
from alerts.notifiers import REGISTRY
from alerts.rules import RULE_TYPES
from core.config import ConfigError, ConfigInvalid, union_members
from tests.conftest import ROOT
from tousu.config import load, parse, validate


def warnings(**section):
    return parse({"warnings": section}, "w.yaml").warnings


def test_shipped_config_has_every_rule_type():
    config = load(ROOT / "config.yaml")
    assert {r.type for r in config.warnings.rules} == {"post", "volume", "spike", "event", "flatline",
                                                         "coverage"}


def test_legacy_post_section_becomes_the_post_rule():
    section = warnings(post={"lookback_hours": 200})
    assert [(r.type, r.name) for r in section.rules] == [("post", "post")]
    assert section.rules[0].lookback_hours == 200


def test_no_rules_means_the_default_post_rule():
    assert warnings().rules == [PostRule()]


@pytest.mark.parametrize("section, expected", [
    ({"rules": [{"name": "v", "type": "volume", "window": "week"}]},
     "warnings.rules[0].window: Input should be 'hour' or 'day'"),
    ({"rules": [{"name": "v", "type": "volume", "group_by": ["province"]}]},
     "warnings.rules[0].group_by[0]"),
    ({"rules": [{"name": "x", "type": "sentiment"}]}, "warnings.rules[0]: type 'sentiment' is not one of"),
    ({"rules": [{"name": "e", "type": "event", "window": "*/5 * * * *"}]}, "not a duration"),
    ({"rules": [{"name": "a", "type": "post"}, {"name": "a", "type": "spike"}]},
     "duplicate rule name 'a'"),
    ({"rules": [{"name": "s", "type": "spike", "coefficient": 3}]}, "Extra inputs are not permitted"),
    ({"notifiers": [{"name": "m", "type": "smtp", "host": "h"}]},
     "warnings.notifiers[0].sender: Field required\nw.yaml: warnings.notifiers[0].to: Field required"),
    ({"notifiers": [{"name": "s", "type": "sms", "url": "http://gw"}]},
     "w.yaml: warnings.notifiers[0].phones: Field required"),
    ({"notifiers": [{"name": "s", "type": "sms", "url": "http://gw", "phones": []}]},
     "warnings.notifiers[0].phones: List should have at least 1 item"),
    ({"notifiers": [{"name": "h", "type": "webhook", "url": ""}]},
     "warnings.notifiers[0].url: String should not be empty"),
    ({"notifiers": [{"name": "f", "type": "file", "path": "x", "url": "http://h"}]},
     "warnings.notifiers[0].url: Extra inputs are not permitted"),
    ({"notifiers": [{"name": "p", "type": "pigeon"}]}, "warnings.notifiers[0]: type 'pigeon' is not one of"),
    ({"notifiers": [{"name": "n", "type": "file", "path": "x", "rules": ["nope"]}]},
     "routes unknown rule 'nope'"),
])
def test_bad_rules_are_named(section, expected):
    with pytest.raises(ConfigError) as err:
        parse({"warnings": section}, "w.yaml")
    assert expected in str(err.value)


def test_smtp_password_only_from_environment(monkeypatch):
    monkeypatch.setenv("TOUSU_TEST_SMTP", "pw")
    section = warnings(notifiers=[{"name": "m", "type": "smtp", "host": "h", "sender": "a@b",
                                   "to": ["c@d"], "password": "${TOUSU_TEST_SMTP}"}])
    assert section.notifiers[0].password == "pw"


def test_every_rule_and_notifier_type_has_a_class():
    assert set(RULE_TYPES) == set(union_members(Rule))
    assert set(REGISTRY) == set(union_members(Notifier))


@pytest.mark.parametrize("section, path, zh", [
    ({"quiet": {"send_during": {3: "night"}}}, "warnings",
     "没有名为「night」的时段；可选：always、office"),
    ({"notifiers": [{"name": "f", "type": "file", "path": "x", "send_during": {2: "lunch"}}],
      "quiet": {"time_intervals": {"night": {"times": ["20:00-24:00"]}}}}, "warnings",
     "没有名为「lunch」的时段；可选：always、night"),
    ({"quiet": {"time_intervals": {"office": {"times": ["8:30-18"]}}}},
     "warnings.quiet.time_intervals.office.times", "时段「8:30-18」格式应为 时:分-时:分，如 08:30-18:00"),
    ({"quiet": {"time_intervals": {"office": {"times": ["18:00-08:30"]}}}},
     "warnings.quiet.time_intervals.office.times", "时段「18:00-08:30」的结束时间须晚于开始时间"),
    ({"quiet": {"time_intervals": {"office": {"weekdays": [0]}}}},
     "warnings.quiet.time_intervals.office.weekdays[0]", "不能小于 1"),
    ({"quiet": {"group_wait": {3: "soon"}}}, "warnings.quiet.group_wait[3]", "取值无效：'soon' is not a duration"),
    ({"quiet": {"send_during": {4: "office"}}}, "warnings.quiet.send_during[4]", "只能是 1, 2 或 3"),
])
def test_quiet_options_are_checked_in_chinese(section, path, zh):
    with pytest.raises(ConfigInvalid) as err:
        validate({"warnings": section})
    problem = err.value.problems[0]
    assert problem.path.startswith(path) and zh in problem.message("zh"), \
        (problem.path, problem.message("zh"))
