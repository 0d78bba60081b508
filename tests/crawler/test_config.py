"""Adapter source types in config.yaml: defaults, and errors that name the key."""

from datetime import date, datetime

import pytest

from core.config import ConfigError, ConfigInvalid, union_members
from core.post import CST
from crawler.config import Source
from crawler.spiders import SPIDERS
from tousu.config import parse


@pytest.mark.parametrize("source,message", [
    ({"type": "tieba"}, "sources[0]: set exactly one of forum, keyword"),
    ({"type": "tieba", "forum": "a", "keyword": "b"}, "set exactly one of forum, keyword"),
    ({"type": "weibo"}, "set exactly one of query, uid"),
    ({"type": "weibo", "uid": "1", "base_url": "m.weibo.cn"}, "sources[0].base_url: base_url must"),
    ({"type": "discuz"}, "sources[0].forum_url: Field required"),
    ({"type": "discuz", "forum_url": "http://x/", "detail": {"colour": "b::text"}},
     "sources[0].detail: unknown field 'colour'"),
    ({"type": "heimao", "concurrency": 0}, "sources[0].concurrency"),
    ({"type": "weibo_search", "max_pages": 51}, "sources[0].max_pages"),
])
def test_bad_adapter_sources_are_named(source, message):
    with pytest.raises(ConfigError) as err:
        parse({"sources": [{"name": "s", **source}]}, "config.yaml")
    assert message in str(err.value)


def test_adapter_defaults_point_at_the_real_sites():
    sources = parse({"sources": [{"name": "t", "type": "tieba", "forum": "湖南移动"},
                                 {"name": "w", "type": "weibo", "query": "湖南移动"},
                                 {"name": "h", "type": "heimao", "keyword": "湖南移动"}]}).sources
    assert [s.base_url for s in sources] == ["https://tieba.baidu.com", "https://m.weibo.cn",
                                             "https://tousu.sina.com.cn"]
    assert [s.cookie_env for s in sources] == ["TIEBA_COOKIE", "WEIBO_COOKIE", "HEIMAO_COOKIE"]


def test_every_source_type_has_a_spider():
    assert set(SPIDERS) == set(union_members(Source)) == {"html", "rss", "json", "tieba", "weibo",
                                                         "weibo_search", "heimao", "discuz"}


@pytest.mark.parametrize("fields, where, message", [
    ({"window": "90m"}, "sources[0].window", "「90m」应为整小时数，如 1h、6h、1d（微博搜索的时间精度是小时）"),
    ({"min_window": "30m"}, "sources[0].min_window", "「30m」应为整小时数"),
    ({"since": "2026-11-20 08:30"}, "sources[0].since",
     "「2026-11-20 08:30」应为整点时间，如 2026-11-20 或 2026-11-20 08:00（北京时间）"),
    ({"since": "昨天"}, "sources[0].since", "「昨天」应为整点时间"),
    ({"window": "2d", "since": "2026-11-20"}, "sources[0]",
     "window（最近一段时间）与 since/until（固定时段）只能二选一"),
    ({"until": "2026-11-21"}, "sources[0]", "设置了 until 就要同时设置 since"),
    ({"since": "2026-11-21", "until": "2026-11-20"}, "sources[0]", "until 必须晚于 since"),
    ({"since": "2999-11-20"}, "sources[0]", "since（2999-11-20 00:00）还没到"),
    ({"window": "6h", "min_window": "12h"}, "sources[0]", "min_window（12h）不能长于要搜索的时段"),
    ({"since": "2026-11-20", "until": "2026-11-20 06:00", "min_window": "12h"}, "sources[0]",
     "min_window（12h）不能长于要搜索的时段"),
])
def test_a_bad_search_window_is_named_in_chinese(fields, where, message):
    with pytest.raises(ConfigInvalid) as err:
        parse({"sources": [{"name": "s", "type": "weibo_search", **fields}]}, "config.yaml")
    [problem] = err.value.problems
    assert problem.path == where and problem.message("zh").startswith(message)


def test_search_window_defaults_and_a_yaml_date():
    [relative, fixed] = parse({"sources": [
        {"name": "r", "type": "weibo_search"},
        {"name": "f", "type": "weibo_search", "since": date(2026, 11, 20)}]}).sources
    assert (relative.base_url, relative.window, relative.min_window, relative.max_pages,
            relative.cookie_env) == ("https://s.weibo.com", "1d", "1h", 10, "WEIBO_COOKIE")
    assert fixed.since == datetime(2026, 11, 20, tzinfo=CST) and fixed.until is None
