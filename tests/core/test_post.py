import json
from dataclasses import fields
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import pytest

from core.post import Post, canonical_url, content_fingerprint, post_id


def test_same_post_same_id_despite_tracking_params_and_fragment():
    a = post_id("https://Bbs.Example.com/thread-1-1-1.html?utm_source=wx&from=timeline#pid5")
    b = post_id("https://bbs.example.com/thread-1-1-1.html")
    assert a == b
    assert post_id("https://bbs.example.com/thread-2-1-1.html") != a


def test_query_order_does_not_matter_but_values_do():
    assert canonical_url("http://x.cn/p?b=2&a=1") == canonical_url("http://x.cn/p?a=1&b=2")
    assert canonical_url("http://x.cn/p?a=1") != canonical_url("http://x.cn/p?a=2")
    assert canonical_url("http://x.cn:80/p") == "http://x.cn/p"


def test_id_without_url_uses_source_and_text():
    a = Post(source="crm", url="", title="t", content="宽带又断了")
    b = Post(source="crm", url="", title="t", content="宽带又断了")
    c = Post(source="crm", url="", title="t", content="宽带又断了！！")
    assert a.id == b.id != c.id


def test_fingerprint_ignores_spacing_and_punctuation():
    assert content_fingerprint("", "网速 太慢了！！") == content_fingerprint("", "网速太慢了")
    assert content_fingerprint("", "网速太慢了") != content_fingerprint("", "网速太快了")


def test_round_trip_keeps_public_fields():
    post = Post(source="s", url="http://x.cn/1", title="标题", content="内容",
                published_at="2026-11-20T14:32:00+08:00", engagement={"replies": 3})
    data = post.to_dict()
    for key in ("id", "source", "url", "title", "content", "author", "published_at", "crawled_at",
                "engagement", "severity", "negative", "relevant", "categories", "city", "keywords"):
        assert key in data
    assert Post.from_dict(data) == post
    assert data["crawled_at"].endswith("+08:00")


def test_fingerprint_is_stable_across_releases():
    # fingerprints are stored with the posts: the normalisation may not change under them
    text = "转发：湖南移动宽带晚上经常断网，打了10086好几次都没人上门处理，太坑了！这个月还多扣了我20块钱，要求退费"
    assert content_fingerprint("", text) == "d0964c78cc5e72bc21b6"


@pytest.mark.parametrize("url", [
    "https://bbs.example.com/thread-1-1-1.html", "http://a.example.com/", "HTTP://A.example.com/p",
    "http://a.example.com:80/p", "https://a.example.com/p?b=1&a=2#top", "http://a.example.com/x y",
])
def test_canonical_url_fast_path_agrees_with_full_normalisation(url):
    parts = urlsplit(url.strip())
    expected = urlunsplit((parts.scheme.lower(), parts.netloc.lower().removesuffix(":80"),
                           parts.path or "/", urlencode(sorted(parse_qsl(parts.query))), ""))
    assert canonical_url(url) == expected


def test_to_dict_does_not_share_containers_with_the_post():
    post = Post(source="s", url="http://a.example.com/1", categories=["网络质量"],
                engagement={"likes": 3})
    data = post.to_dict()
    data["categories"].append("资费")
    data["engagement"]["likes"] = 99
    assert post.categories == ["网络质量"] and post.engagement == {"likes": 3}
    assert list(data) == [f.name for f in fields(Post)]


def test_lone_surrogates_from_broken_json_escapes_are_replaced():
    post = Post.from_dict(json.loads('{"source": "weibo", "url": "", "text": "断网\\ud83d了"}'))
    assert post.content == "断网\ufffd了"
    assert post.id and post.fingerprint  # hashing UTF-8 no longer fails


def test_crawl_stamp_is_the_current_second_in_china_time():
    from datetime import datetime

    from core.post import CST, now_iso

    before = datetime.now(CST).replace(microsecond=0)
    stamps = {Post(source="s", url=f"http://x/{i}", content="c").crawled_at for i in range(3)}
    after = datetime.now(CST)
    stamp = now_iso()
    assert stamp.endswith("+08:00")
    assert all(before <= datetime.fromisoformat(s) <= after for s in stamps)
    assert before <= datetime.fromisoformat(stamp) <= datetime.now(CST)
