import sqlite3

from indexer.base import Filters, make_snippet
from tousu.post import Post


def make(n, content, *, city="长沙", severity=2, source="forum", published="2026-11-20T10:00:00+08:00",
         categories=("宽带/家宽",), relevant=True, title=None):
    return Post(source=source, url=f"http://forum.test/thread-{n}", title=title or f"帖子{n}",
                content=content, published_at=published, severity=severity, relevant=relevant,
                city=city, categories=list(categories), keywords=["宽带"], influence=0.1 * (n % 10))


def seed(store):
    posts = [
        make(1, "家里宽带又断网了，装维师傅说明天来", city="长沙", severity=2),
        make(2, "移动的信号太差了，在家一格信号，要求退费", city="衡阳", severity=3,
             categories=["网络覆盖/信号"]),
        make(3, "准备去工信部投诉，乱扣费三个月了", city="衡阳", severity=4,
             categories=["资费计费/乱扣费"], published="2026-11-21T09:00:00+08:00"),
        make(4, "联通的宽带也断网，大家都一样", city="株洲", severity=0, relevant=False),
        make(5, "请问携号转网怎么办理", city="岳阳", severity=1,
             categories=["业务办理/销户携号转网"], published="2026-11-19T23:30:00+08:00"),
    ]
    return posts, store.upsert_many(posts)


def test_upsert_is_idempotent_and_reports_inserted_updated(store):
    posts, first = seed(store)
    assert sorted(first.inserted) == sorted(p.id for p in posts) and not first.updated
    posts[0].engagement = {"replies": 9}
    second = store.upsert_many(posts)
    assert not second.inserted and len(second.updated) == 5
    assert store.count() == 5
    assert store.get(posts[0].id).engagement == {"replies": 9}


def test_a_bad_post_fails_alone(store):
    good = make(1, "宽带断网")
    bad = make(2, "没有日期", published="not a date")
    bad.crawled_at = "also not a date"
    result = store.upsert_many([good, bad])
    assert result.inserted == [good.id]
    assert bad.id in result.failed
    assert store.count() == 1


def test_search_words_phrase_or_exclusion(store):
    seed(store)
    assert store.search("宽带").total == 2
    assert store.search("宽带 -联通").total == 1
    assert store.search('"信号太差"').total == 1
    assert store.search('"太差信号"').total == 0
    assert store.search("退费 OR 工信部").total == 2
    assert store.search("乱扣费").hits[0].post.city == "衡阳"


def test_subword_matches_part_of_a_long_word(store):
    seed(store)
    assert store.search("转网").total == 1


def test_filters_and_sorts(store):
    seed(store)
    assert store.search("", Filters(cities=["衡阳"])).total == 2
    assert store.search("", Filters(severity_min=3)).total == 2
    assert store.search("", Filters(relevant=True)).total == 4
    assert store.search("", Filters(categories=["资费计费/乱扣费"])).total == 1
    assert store.search("", Filters(since="2026-11-20T00:00:00+08:00")).total == 4
    assert store.search("", Filters(until="2026-11-20T00:00:00+08:00")).total == 1
    by_time = store.search("", sort="time").hits
    assert by_time[0].post.published_at == "2026-11-21T09:00:00+08:00"
    assert store.search("", sort="severity").hits[0].post.severity == 4


def test_paging(store):
    seed(store)
    pages = [store.search("", size=2, page=p).hits for p in (1, 2, 3)]
    ids = [h.post.id for page in pages for h in page]
    assert len(ids) == 5 == len(set(ids))


def test_highlight_is_escaped_and_marked(store):
    store.upsert_many([make(9, "<script>alert(1)</script> 宽带断网了")])
    hit = store.search("宽带").hits[0]
    assert "<mark>宽带</mark>" in hit.highlight
    assert "<script>" not in hit.highlight and "&lt;script&gt;" in hit.highlight


def test_histogram_uses_china_time(store):
    seed(store)
    days = store.date_histogram("day")
    # 2026-11-19T23:30+08:00 is 15:30 UTC: it belongs to the 19th in China.
    assert {"bucket": "2026-11-19T00:00:00+08:00", "key": None, "count": 1} in days
    by_sev = store.date_histogram("day", split_by="severity")
    assert sum(b["count"] for b in by_sev) == 5
    weeks = store.date_histogram("week")
    assert weeks[0]["bucket"] == "2026-11-16T00:00:00+08:00"


def test_terms_and_hot_words(store):
    seed(store)
    assert store.terms("city")[0] == ("衡阳", 2)
    assert dict(store.terms("category"))["宽带/家宽"] == 2
    assert store.hot_words()[0] == ("宽带", 5)


def test_exact_duplicate_is_linked(store):
    original = make(1, "乱扣费三个月了，要求退费，不然去工信部")
    repost = make(2, "乱扣费三个月了，要求退费，不然去工信部！", published="2026-11-21T00:00:00+08:00")
    store.upsert_many([original])
    store.upsert_many([repost])
    assert store.get(repost.id).dup_of == original.id
    assert store.search("", Filters(include_duplicates=False)).total == 1


def test_retention_and_iteration(store):
    seed(store)
    assert store.delete_older_than("2026-11-20T00:00:00+08:00") == 1
    assert len(list(store.iter_posts(batch=2))) == 4
    assert store.search("携号转网").total == 0


def test_wal_mode_and_concurrent_reader(store, tmp_path):
    seed(store)
    other = sqlite3.connect(store.path)
    assert other.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert other.execute("SELECT count(*) FROM posts").fetchone()[0] == 5


def test_make_snippet_windows_long_text():
    text = "前" * 200 + "宽带" + "后" * 200
    out = make_snippet(text, ["宽带"], width=60)
    assert out.startswith("…") and out.endswith("…") and "<mark>宽带</mark>" in out


def test_unquoted_chinese_phrase_matches_as_substring(store):
    seed(store)
    # jieba cuts 信号太差 alone as 信号/太/差 but in the post as 信号/太差: still found.
    assert store.search("信号太差").total == 1
    assert store.search("太差信号").total == 0
