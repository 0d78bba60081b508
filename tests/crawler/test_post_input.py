"""Each line for `tousu ingest` and `tousu analyze` validates into a Post: the error names the
field, computed fields are never read from the file, a post's text is capped. The commands (the
line named, what was stored before a bad line kept): tests/tousu/cli/test_posts.py."""

from __future__ import annotations

import re

import pytest

from crawler.post_input import InputError, post_from_input


@pytest.mark.parametrize("line, message", [
    ({"text": "移动宽带断网", "engagement": "many"}, "engagement: Input should be a valid dictionary"),
    ({"text": "移动宽带断网", "engagement": {"views": "lots"}}, "engagement.views: Input should be a valid integer"),
    ({"title": 12345, "content": "移动宽带"}, "title: Input should be a valid string"),
    ({"text": ["移动"]}, "text: Input should be a valid string"),
    ({"text": "移动", "published_at": "下辈子"}, "published_at: not a date"),
    ({"text": "移动", "engagement": {"views": -3}}, "engagement: counts cannot be negative"),
    ({"nothing": 1}, "a line needs `text`"),
    ([1, 2], "a line must be a JSON object"),
])
def test_a_bad_field_is_named(line, message):
    with pytest.raises(InputError, match=message.replace("(", r"\(")):
        post_from_input(line)


def test_computed_fields_are_ignored_and_dates_normalised():
    post = post_from_input({"text": "移动宽带断网", "url": "http://crm/1", "id": ["x"],
                            "dup_of": "abc", "fingerprint": "f", "severity": 4,
                            "published_at": 1764547200, "title": None})
    assert post.id != ["x"] and post.dup_of is None and post.fingerprint != "f"
    assert post.severity is None and post.published_at == "2025-12-01T08:00:00+08:00"


def test_text_is_capped():
    with pytest.raises(InputError, match="more than store.max_post_chars"):
        post_from_input({"text": "移" * 2001}, max_chars=2000)
    assert post_from_input({"text": "移" * 2000}, max_chars=2000).content == "移" * 2000


def test_reply_to_is_stored_as_the_parents_canonical_url():
    post = post_from_input({"text": "转发", "url": "http://weibo.test/2",
                            "reply_to": " HTTP://Weibo.test/1?utm_source=share#top "})
    assert post.reply_to == "http://weibo.test/1"
    for absent in (None, ""):
        assert post_from_input({"text": "原帖", "reply_to": absent}).reply_to is None


@pytest.mark.parametrize("reply_to, message", [
    (123, "reply_to: must be the link (a string) of the post replied to or reposted (got 123)"),
    (["http://a.test/1"], "reply_to: must be the link (a string)"),
    ("javascript:alert(1)", "reply_to: not an http(s) link (got 'javascript:alert(1)')"),
    ("/p/123", "reply_to: not an http(s) link"),
    ("http://[::1", "reply_to: not a valid link"),
    ("http://Weibo.test/2?utm_source=x", "reply_to: points at the post itself"),
])
def test_a_bad_reply_to_is_named_in_chinese(reply_to, message):
    with pytest.raises(InputError, match=re.escape(message)):
        post_from_input({"text": "转发", "url": "http://weibo.test/2", "reply_to": reply_to})


def test_a_url_that_cannot_be_parsed_is_a_named_error_not_a_crash():
    with pytest.raises(InputError, match=re.escape("url: not a valid link")):
        post_from_input({"text": "移动", "url": "http://[::1"})
