from tousu.post import Post, canonical_url, content_fingerprint, post_id


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
