"""One message rendered for each channel: titles by kind, plain text, a digest, SMS cut to fit;
only http(s) posts are linked; an event's spread summary on its notices but not on its resolution."""

from __future__ import annotations

import json

from alerts.messages import (digest_payload, notice_title, payload, post_lines, render_sms,
                             render_text, spread_lines)
from tests.alerts.conftest import MESSAGE, NOW, make_config


def test_sms_text_is_cut_to_fit():
    text = render_sms({**MESSAGE, "title": "【二级预警·橙色】" + "很长的标题" * 30}, 80)
    assert len(text) <= 80 and "…" in text and text.endswith(MESSAGE["console"])


def test_titles_by_kind():
    assert notice_title("new", 1, "衡阳 乱扣费") == "【一级预警·红色】衡阳 乱扣费"
    assert notice_title("escalated", 2, "x") == "【二级预警·橙色·升级】x"
    assert notice_title("resolved", 3, "x") == "【三级预警解除】x"


def test_plain_text_links_only_http_posts_and_the_console():
    message = {**MESSAGE, "posts": [*MESSAGE["posts"], {"id": "js", "title": "脚本",
                                                       "url": "javascript:alert(1)", "city": "长沙"}]}
    assert post_lines(message) == [("衡阳 乱扣费要找媒体曝光", "http://forum.test/t-1.html"), ("长沙 脚本", "")]
    text = render_text(message)
    assert text.splitlines()[0] == MESSAGE["title"] and "· 衡阳 乱扣费要找媒体曝光 http://forum.test/t-1.html" in text
    assert "javascript:" not in text and text.endswith(f"控制台：{MESSAGE['console']}")


def test_digest_gathers_titles_cities_and_the_highest_level(tmp_path):
    config = make_config(tmp_path)
    low = {**MESSAGE, "level": 3, "title": "【三级预警·黄色】长沙 信号差", "city": "长沙"}
    digest = digest_payload(config, "hook", [MESSAGE, low], "digest:hook:1", NOW)
    assert digest["title"] == "【预警汇总】2 条（衡阳、长沙）" and digest["level"] == 3
    assert digest["body"].splitlines()[1].startswith("2. 【三级预警·黄色】长沙 信号差")
    assert digest["console"].endswith("/warnings") and digest["post_ids"] == ["abc", "abc"]


def test_an_events_spread_is_on_its_notices_not_on_its_resolution(tmp_path):
    config = make_config(tmp_path)
    spread = {"posts": 9, "relations": 7, "depth": 3,
              "amplifiers": [{"author": "湘南观察", "source": "weibo", "reach": 5}]}
    alert = {"alert_id": 3, "key": "event:ev:x", "rule": "ev", "level": 2, "title": "t",
             "body": "相似帖子 6 条", "city": "衡阳", "categories": "[]", "post_ids": "[]",
             "data": json.dumps({"subject": "衡阳 热点事件", "rule_type": "event", "spread": spread})}
    new = payload(config, alert, "new", "3:new:1:n", NOW)
    assert spread_lines(new) == ["可追溯的转发/回复 7 条（共 9 帖），最长传播链 3 层",
                                 "主要扩散账号：湘南观察（weibo，带动 5 帖）"]
    assert "传播：\n· 可追溯的转发/回复 7 条" in render_text(new)
    resolved = payload(config, alert, "resolved", "3:resolved:2:n", NOW)
    assert resolved["spread"] is None and "传播" not in render_text(resolved)
