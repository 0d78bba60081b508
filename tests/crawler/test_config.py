"""Adapter source types in config.yaml: defaults, and errors that name the key."""

import pytest

from core.config import ConfigError, union_members
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
                                                         "heimao", "discuz"}
