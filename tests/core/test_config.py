"""Config problems: key paths as written, one message table in two languages, did-you-mean."""

from __future__ import annotations

from typing import Annotated, Literal, Union

import pytest
from pydantic import Field, TypeAdapter, ValidationError

from core.config import (MESSAGES, ConfigInvalid, Problem, Strict, expand_env, format_loc,
                         schema_problems, union_members)


class Limits(Strict):
    window: Literal["hour", "day"] = "day"
    ratio: float = Field(3.0, gt=1)


class Feed(Strict):
    type: Literal["feed"]
    name: str = Field(min_length=1)
    interval: str = "1h"
    limits: Limits = Limits()


class Forum(Strict):
    type: Literal["forum"]
    name: str
    pages: list[int] = []


Item = Annotated[Union[Feed, Forum], Field(discriminator="type")]


class Whole(Strict):
    items: list[Item] = []
    by_city: dict[str, Limits] = {}


def problems(data, root=Whole):
    with pytest.raises(ValidationError) as err:
        TypeAdapter(root).validate_python(data)
    return schema_problems(err.value, root)


def test_union_members_by_tag():
    assert union_members(Item) == {"feed": Feed, "forum": Forum}
    assert union_members(Feed) == {} and union_members(list[Item]) == {}


def test_paths_leave_out_the_union_member_pydantic_tried():
    found = problems({"items": [{"type": "feed", "name": "a", "limits": {"ratio": 1}},
                                {"type": "forum", "name": "b", "pages": ["x"]}],
                      "by_city": {"长沙": {"window": "week"}}})
    assert [(p.path, p.kind) for p in found] == [
        ("items[0].limits.ratio", "greater_than"), ("items[1].pages[0]", "int_parsing"),
        ("by_city.长沙.window", "literal_error")]
    assert found[0].ctx == {"gt": 1}


def test_an_item_alone_has_paths_relative_to_it():
    found = problems({"type": "feed", "name": ""}, Item)
    assert [(p.loc, p.kind) for p in found] == [(("name",), "string_too_short")]
    assert [(p.loc, p.kind) for p in problems({"type": "fax"}, Item)] == [((), "union_tag_invalid")]


@pytest.mark.parametrize("data, path, suggestion", [
    ({"itemz": []}, "itemz", "items"),
    ({"items": [{"type": "feed", "name": "a", "intervall": "2h"}]}, "items[0].intervall", "interval"),
    ({"items": [{"type": "feed", "name": "a", "limits": {"windw": "day"}}]},
     "items[0].limits.windw", "window"),
    ({"items": [{"type": "forum", "name": "a", "interval": "2h"}]}, "items[0].interval", None),
])
def test_unknown_key_gets_the_closest_field_of_its_own_model(data, path, suggestion):
    [found] = problems(data)
    assert (found.path, found.kind, found.ctx.get("suggestion")) == (path, "extra_forbidden",
                                                                     suggestion)


def test_messages_come_from_one_table_in_both_languages():
    typo = Problem(("limits", "windw"), "extra_forbidden", {"suggestion": "window"})
    assert typo.message("zh") == "没有这个字段，是不是 window？"
    assert typo.message("en") == "Extra inputs are not permitted; did you mean 'window'?"
    plain = Problem(("x",), "extra_forbidden")
    assert plain.message("zh") == "没有这个字段（拼写错误？）"
    literal = Problem(("window",), "literal_error", {"expected": "'hour' or 'day'"})
    assert literal.message("zh") == "只能是 'hour' 或 'day'"
    assert literal.message("en") == "Input should be 'hour' or 'day'"
    own = Problem(("sources", 0), "value_error", {}, "set exactly one of forum, keyword")
    assert own.message("zh") == "取值无效：set exactly one of forum, keyword"
    assert own.message("en") == "set exactly one of forum, keyword"
    assert all(len(pair) == 2 and all(pair) for pair in MESSAGES.values())


def test_config_invalid_lists_every_problem_with_file_and_path():
    exc = ConfigInvalid([Problem(("a", 0, "b"), "missing"), Problem((), "value_error", {}, "bad")],
                        "c.yaml")
    assert str(exc) == "c.yaml: a[0].b: Field required\nc.yaml: (top level): bad"


def test_unset_environment_variable_is_a_problem_at_its_key(monkeypatch):
    monkeypatch.delenv("TOUSU_TEST_NOT_SET", raising=False)
    with pytest.raises(ConfigInvalid) as err:
        expand_env({"warnings": {"notifiers": [{"url": "https://h/${TOUSU_TEST_NOT_SET}"}]}})
    [found] = err.value.problems
    assert (found.path, found.kind) == ("warnings.notifiers[0].url", "env_missing")
    assert found.message("zh") == "环境变量 TOUSU_TEST_NOT_SET 未设置"
    assert found.message("en") == "environment variable TOUSU_TEST_NOT_SET is not set"


def test_format_loc():
    assert format_loc(("sources", 2, "list", "links")) == "sources[2].list.links"
    assert format_loc(()) == ""


def test_a_mistyped_type_gets_the_closest_type_suggested():
    [found] = problems({"items": [{"type": "forun", "name": "x"}]})
    assert found.kind == "union_tag_invalid" and found.path == "items[0]"
    assert "did you mean 'forum'?" in found.message("en")
    assert "是不是 forum" in found.message("zh")
    [far] = problems({"items": [{"type": "zzz", "name": "x"}]})
    assert "did you mean" not in far.message("en") and "'feed', 'forum'" in far.message("en")
