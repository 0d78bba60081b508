"""The Store contract: every test runs on SQLite and on Elasticsearch (see conftest.py)."""

import json
import random
from pathlib import Path

from core.post import Post
from indexer.base import Filters, make_snippet

DEMO_POSTS = Path(__file__).resolve().parents[2] / "demo" / "posts.jsonl"


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


def test_hot_words_count_posts_not_repeats_within_one(store):
    seed(store)
    extra = make(6, "宽带宽带宽带，全是宽带问题", city="衡阳")
    extra.keywords = ["宽带", "宽带", "断网"]
    store.upsert_many([extra])
    assert dict(store.hot_words())["宽带"] == 6  # five seeded posts and this one
    assert store.hot_words(Filters(cities=["衡阳"])) == [("宽带", 3), ("断网", 1)]


def test_exact_duplicate_is_linked(store):
    original = make(1, "乱扣费三个月了，要求退费，不然去工信部")
    repost = make(2, "乱扣费三个月了，要求退费，不然去工信部！", published="2026-11-21T00:00:00+08:00")
    store.upsert_many([original])
    store.upsert_many([repost])
    assert store.get(repost.id).dup_of == original.id
    assert store.search("", Filters(include_duplicates=False)).total == 1


def test_every_copy_of_a_much_reposted_text_links_to_its_original(store):
    text = "乱扣费三个月了，要求退费，不然去工信部"
    first = make(1, text, published="2026-11-20T08:00:00+08:00")
    store.upsert_many([make(n, text, published=f"2026-11-20T{8 + n}:00:00+08:00")
                       for n in range(2, 6)])
    store.upsert_many([first])  # crawled late, published first
    copies = [make(n, text, published="2026-11-21T09:00:00+08:00") for n in range(6, 9)]
    store.upsert_many(copies)
    original = make(2, text).id  # the first stored: `first`, crawled later, is its duplicate
    assert store.get(first.id).dup_of == original
    assert {store.get(c.id).dup_of for c in copies} == {original}


def test_a_repost_links_to_an_original_never_to_another_repost(store):
    text = "乱扣费三个月了，要求退费，不然去工信部"
    original = make(1, text, published="2026-11-20T10:00:00+08:00")
    store.upsert_many([original])
    early = make(2, text, published="2026-11-19T10:00:00+08:00")  # published before, stored after
    later = make(3, text, published="2026-11-21T10:00:00+08:00")
    store.upsert_many([early, later])
    assert store.get(early.id).dup_of == original.id
    assert store.get(later.id).dup_of == original.id  # not `early`: it is a repost itself


def test_a_link_is_kept_and_a_short_text_is_never_linked(store):
    text = "乱扣费三个月了，要求退费，不然去工信部"
    first, second = make(1, text), make(2, text, published="2026-11-21T10:00:00+08:00")
    store.upsert_many([first, second])
    given = make(3, "另一段完全不同的文字，说的是信号问题")
    given.dup_of = second.id  # a link the caller made is kept as it is
    short = [make(n, "断网了", published=f"2026-11-2{n}T10:00:00+08:00") for n in (4, 5)]
    store.upsert_many([given, *short])
    store.upsert_many([second])  # sent again: it keeps its link
    assert store.get(given.id).dup_of == second.id
    assert store.get(second.id).dup_of == first.id
    assert [store.get(p.id).dup_of for p in short] == [None, None]


def test_retention_and_iteration(store):
    seed(store)
    assert store.delete_older_than("2026-11-20T00:00:00+08:00") == 1
    assert len(list(store.iter_posts(batch=2))) == 4
    assert store.search("携号转网").total == store.search("携").total == 0


def test_make_snippet_windows_long_text():
    text = "前" * 200 + "宽带" + "后" * 200
    out = make_snippet(text, ["宽带"], width=60)
    assert out.startswith("…") and out.endswith("…") and "<mark>宽带</mark>" in out


def test_unquoted_chinese_phrase_matches_as_substring(store):
    seed(store)
    # jieba cuts 信号太差 alone as 信号/太/差 but in the post as 信号/太差: still found.
    assert store.search("信号太差").total == 1
    assert store.search("太差信号").total == 0


def test_get_unknown_is_none_and_count_takes_a_query(store):
    seed(store)
    assert store.get("no-such-id") is None
    assert store.count() == 5
    assert store.count(Filters(cities=["衡阳"]), query="退费") == 1


def test_case_status_survives_a_re_upsert_and_filters(store):
    posts, _ = seed(store)
    store.set_case_status(posts[1].id, "处理中")
    store.set_case_status("no-such-id", "处理中")  # ignored, like an UPDATE of no row
    posts[1].severity = 4
    store.upsert_many([posts[1]])
    again = store.get(posts[1].id)
    assert again.case_status == "处理中" and again.severity == 4
    assert store.search("", Filters(case_status=["处理中"])).total == 1
    assert dict(store.terms("case_status"))[None] == 4


def test_set_grade_is_the_grade_everywhere_at_once(store):
    """A monitor's correction: filters, counts and aggregations see it as soon as it is set;
    the text, the case and the other analysis fields stay."""
    posts, _ = seed(store)
    store.set_case_status(posts[2].id, "处理中")
    graded = store.set_grade(posts[2].id, severity=0, relevant=False, categories=["其他"],
                             city="长沙", reasons=["人工修正：0级 无关/正面（monitor）"])
    assert graded.severity == 0 and graded.id == posts[2].id
    again = store.get(posts[2].id)
    assert (again.severity, again.relevant, again.categories, again.city, again.reasons) == (
        0, False, ["其他"], "长沙", ["人工修正：0级 无关/正面（monitor）"])
    assert (again.case_status, again.content, again.keywords, again.influence) == (
        "处理中", posts[2].content, posts[2].keywords, posts[2].influence)
    assert store.count(Filters(severity_min=4)) == 0
    assert store.count(Filters(relevant=True)) == 3
    assert store.search("工信部").hits[0].post.severity == 0  # still found by its words
    assert dict(store.terms("severity")) == {0: 2, 1: 1, 2: 1, 3: 1}
    assert dict(store.terms("city"))["衡阳"] == 1 and dict(store.terms("category"))["其他"] == 1
    days = store.date_histogram("day", Filters(severity_min=4))
    assert days == []
    by_city = {r["slice"]["city"]: r["count"]
               for r in store.slice_counts(["city"], Filters(relevant=True))}
    assert by_city == {"长沙": 1, "衡阳": 1, "岳阳": 1}
    assert store.set_grade("no-such-id", severity=0, relevant=False, categories=[], city=None,
                           reasons=[]) is None


def test_sort_by_influence_and_relevance(store):
    seed(store)
    top = store.search("", sort="influence").hits[0].post
    assert top.influence == max(p.influence for p in store.iter_posts())
    store.upsert_many([make(7, "宽带宽带宽带，宽带又断了，宽带师傅不来", title="宽带宽带")])
    ranked = store.search("宽带", sort="relevance")
    assert ranked.total == 3
    assert ranked.hits[0].post.url.endswith("thread-7")
    assert ranked.hits[0].score is not None and ranked.hits[0].score >= ranked.hits[-1].score
    assert store.search("", sort="relevance").total == 6  # no words: falls back to time


def test_phrase_highlight_marks_the_whole_phrase(store):
    seed(store)
    hit = store.search('"信号太差" 退费').hits[0]
    assert "<mark>信号太差</mark>" in hit.highlight and "<mark>退费</mark>" in hit.highlight
    plain = store.search("", Filters(cities=["岳阳"])).hits[0]
    assert plain.highlight.startswith("帖子5 请问携号转网") and "<mark>" not in plain.highlight
    assert store.search("宽带", highlight=False).hits[0].highlight == ""


def test_long_text_snippet_is_a_window_around_the_match(store):
    store.upsert_many([make(8, "前" * 300 + "宽带断网" + "后" * 300)])
    snippet = store.search("断网").hits[0].highlight
    assert snippet.startswith("…") and snippet.endswith("…") and "<mark>断网</mark>" in snippet
    assert len(snippet) < 250


def test_histogram_intervals_and_split_by_category(store):
    seed(store)
    months = store.date_histogram("month")
    assert months == [{"bucket": "2026-11-01T00:00:00+08:00", "key": None, "count": 5}]
    hours = store.date_histogram("hour", Filters(cities=["衡阳"]))
    assert [(h["bucket"], h["count"]) for h in hours] == [
        ("2026-11-20T10:00:00+08:00", 1), ("2026-11-21T09:00:00+08:00", 1)]
    by_cat = store.date_histogram("day", split_by="category")
    assert {"bucket": "2026-11-20T00:00:00+08:00", "key": "宽带/家宽", "count": 2} in by_cat
    assert all(b["key"] is not None for b in by_cat)
    by_relevant = store.date_histogram("day", split_by="relevant")
    assert {"bucket": "2026-11-20T00:00:00+08:00", "key": 0, "count": 1} in by_relevant


def test_slice_counts_per_slice_and_window(store):
    seed(store)
    store.upsert_many([make(6, "宽带和信号都差", city=None, categories=["宽带/家宽", "网络覆盖/信号"])])
    by_city = {r["slice"]["city"]: r["count"] for r in store.slice_counts(["city"])}
    assert by_city == {"长沙": 1, "衡阳": 2, "株洲": 1, "岳阳": 1, None: 1}
    pairs = store.slice_counts(["city", "category"], Filters(relevant=True))
    assert {(r["slice"]["city"], r["slice"]["category"]): r["count"] for r in pairs} == {
        ("长沙", "宽带/家宽"): 1, ("衡阳", "网络覆盖/信号"): 1, ("衡阳", "资费计费/乱扣费"): 1,
        ("岳阳", "业务办理/销户携号转网"): 1, (None, "宽带/家宽"): 1, (None, "网络覆盖/信号"): 1}
    assert store.slice_counts([]) == [{"slice": {}, "bucket": None, "count": 6}]
    assert store.slice_counts([], Filters(since="2027-01-01T00:00:00+08:00")) == []
    daily = store.slice_counts(["source"], interval="day")
    assert sorted((r["slice"]["source"], r["bucket"], r["count"]) for r in daily) == [
        ("forum", "2026-11-19T00:00:00+08:00", 1), ("forum", "2026-11-20T00:00:00+08:00", 4),
        ("forum", "2026-11-21T00:00:00+08:00", 1)]
    totals = store.slice_counts([], interval="day")
    assert [r["count"] for r in sorted(totals, key=lambda r: r["bucket"])] == [1, 4, 1]


def test_grouping_by_an_unknown_field_is_a_store_error(store):
    import pytest

    from indexer.base import StoreError

    with pytest.raises(StoreError):
        store.slice_counts(["colour"])
    with pytest.raises(StoreError):
        store.terms("colour")


def test_terms_severity_and_hot_words_exclusion(store):
    seed(store)
    assert dict(store.terms("severity")) == {0: 1, 1: 1, 2: 1, 3: 1, 4: 1}
    assert store.terms("source") == [("forum", 5)]
    assert store.terms("city", size=1) == [("衡阳", 2)]
    store.upsert_many([make(6, "信号差", city="衡阳")])
    assert store.hot_words(Filters(cities=["衡阳"])) == [("宽带", 3)]
    assert store.hot_words(exclude=["宽带"]) == []


def test_filters_combine(store):
    seed(store)
    f = Filters(sources=["forum"], cities=["衡阳", "长沙"], severity_min=2, severity_max=3,
                relevant=True, since="2026-11-20T00:00:00+08:00", until="2026-11-21T00:00:00+08:00")
    assert {h.post.city for h in store.search("", f).hits} == {"衡阳", "长沙"}
    assert store.search("", Filters(sources=["weibo"])).total == 0
    assert store.search("宽带 OR 信号", Filters(severity_max=2)).total == 2


def test_iter_posts_with_filters_and_precomputed_tokens(store):
    from indexer.documents import attach_tokens

    seed(store)
    assert {p.city for p in store.iter_posts(Filters(cities=["衡阳"]), batch=1)} == {"衡阳"}
    # Tokens handed over by the analysis stage are indexed as given (not tokenised again): they
    # rank the posts the text matches; a token the text lacks matches nothing.
    given = attach_tokens(make(6, "标题以外的正文，专用通道"), ["专用", "专用词"], [])
    newer = attach_tokens(make(7, "另一段正文，专用通道", published="2026-11-22T10:00:00+08:00"),
                          ["专用通道"], [])
    store.upsert_many([given, newer])
    ranked = store.search("专用", sort="relevance")
    assert [h.post.id for h in ranked.hits] == [given.id, newer.id]
    assert store.search("专用词").total == 0


def test_a_second_upsert_in_one_batch_wins(store):
    first = make(1, "第一版内容")
    second = make(1, "第二版内容，已更新")
    result = store.upsert_many([first, second])
    assert store.count() == 1 and store.get(first.id).content == "第二版内容，已更新"
    assert len(result.inserted) + len(result.updated) >= 1 and not result.failed


def test_groups_of_words_and_phrases_with_exclusions_and_a_time_range(store):
    seed(store)
    assert store.search('"信号太差" OR 断网 -联通').total == 2
    assert store.search('"信号太差" OR 工信部 退费').total == 1
    assert store.search('宽带 -"也断网"').total == 1
    assert store.search("-联通").total == 4
    recent = Filters(since="2026-11-20T10:00:00+08:00", until="2026-11-21T09:00:00+08:00")
    assert {h.post.url[-1] for h in store.search("宽带 OR 投诉 OR 信号", recent).hits} == {"1", "2", "4"}
    assert store.search("投诉", recent).total == 0


def _operator_posts():
    """Posts about one, several or no operators, with their authors' intent."""
    rows = [(1, "移动宽带断网三天，投诉了", ["移动"], 3, 3, True),
            (2, "联通信号差，打了10010投诉", ["联通"], 3, 0, False),
            (3, "电信宽带晚上卡成狗", ["电信"], 2, 0, False),
            (4, "移动联通都一样坑", ["移动", "联通"], 2, 2, True),
            (5, "广电5G怎么办理", ["广电"], 1, 0, False),
            (6, "移动硬盘坏了", [], 2, 0, False)]
    posts = []
    for n, content, operators, intent, severity, relevant in rows:
        post = make(n, content, severity=severity, relevant=relevant)
        post.intent, post.operators = intent, operators
        posts.append(post)
    return posts


def test_intent_and_operators_are_stored_filtered_and_grouped(store):
    posts = _operator_posts()
    store.upsert_many(posts)
    got = store.get(posts[3].id)
    assert (got.intent, got.operators) == (2, ["移动", "联通"])
    assert store.count(Filters(operators=["联通"])) == 2
    assert store.count(Filters(operators=["电信", "广电"])) == 2
    assert store.count(Filters(intent_min=3)) == 2
    assert store.count(Filters(intent_min=2, intent_max=2, operators=["移动"])) == 1
    assert store.search("", Filters(operators=["联通"], intent_min=3)).hits[0].post.id == posts[1].id
    assert dict(store.terms("operator")) == {"移动": 2, "联通": 2, "电信": 1, "广电": 1}
    pairs = {(r["slice"]["operator"], r["slice"]["intent"]): r["count"]
             for r in store.slice_counts(["operator", "intent"])}
    assert pairs == {("移动", 3): 1, ("移动", 2): 1, ("联通", 3): 1, ("联通", 2): 1,
                     ("电信", 2): 1, ("广电", 1): 1}
    by_day = store.date_histogram("day", split_by="operator")
    assert {"bucket": "2026-11-20T00:00:00+08:00", "key": "联通", "count": 2} in by_day


def _demo_posts():
    """The demo forum's posts (real complaint language), an hour apart."""
    rows = [json.loads(line) for line in DEMO_POSTS.read_text(encoding="utf-8").splitlines()]
    return [Post(source="demo", url=f"http://demo.test/{row['tid']}", title=row["title"],
                 content=row["content"],
                 published_at=f"2026-11-{10 + i // 24:02d}T{i % 24:02d}:00:00+08:00")
            for i, row in enumerate(rows)]


def _containing(posts, needle):
    return {p.id for p in posts if needle.lower() in f"{p.title}\n{p.content}".lower()}


def _found(store, query):
    result = store.search(query, size=300, highlight=False)
    ids = {h.post.id for h in result.hits}
    assert result.total == len(ids) == store.count(query=query), query
    return ids


def _substrings(posts, rng, n):
    """Random parts of the posts' titles and contents that a user could type as one term:
    one to eight characters, no whitespace or quote, at least one letter or digit."""
    out = []
    while len(out) < n:
        post = rng.choice(posts)
        text = rng.choice([post.title, post.content])
        length = rng.choice([1, 1, 2, 2, 2, 3, 4, 5, 8])
        start = rng.randrange(max(len(text) - length, 0) + 1)
        part = text[start:start + length]
        typable = not any(c.isspace() or c == '"' for c in part)
        if part and typable and any(c.isalnum() for c in part):
            out.append(part)
    return out


def test_any_part_of_a_post_finds_exactly_the_posts_containing_it(store):
    """Matched as written: a single character, part of a word, a run across words or through
    punctuation, quoted or not, with OR and -exclusion; whole words rank first."""
    from nlp.tokenizer import search_tokens, tokenize

    posts = _demo_posts()
    store.upsert_many(posts)
    rng = random.Random(17)
    parts = ["慢", "卡", "网", "费", "速慢", "坑", "信号", "086", "G",  # the issue's, and Latin
             *_substrings(posts, rng, 150)]
    for part in parts:
        quoted = '"' + part + '"'
        unquoted = part if not part.startswith("-") and part != "OR" else quoted
        assert _found(store, rng.choice([quoted, unquoted])) == _containing(posts, part), part
    for a, b in zip(parts[::2], parts[1::2]):
        with_a, with_b = _containing(posts, a), _containing(posts, b)
        assert _found(store, f'"{a}" OR "{b}"') == with_a | with_b, (a, b)
        assert _found(store, f'"{a}" -"{b}"') == with_a - with_b, (a, b)
        assert _found(store, f'"{a}" "{b}"') == with_a & with_b, (a, b)
    tokens = {p.id: set(sum(search_tokens(f"{p.title}\n{p.content}"), [])) for p in posts}
    ranked_terms = [part for part in parts if tokenize(part) == [part.lower()]]
    assert len(ranked_terms) > 20
    for part in ranked_terms:
        hits = store.search(part, sort="relevance", size=300, highlight=False).hits
        whole = [part.lower() in tokens[h.post.id] for h in hits]
        assert len(hits) == len(_containing(posts, part)), part
        assert whole == sorted(whole, reverse=True), part  # every whole word before any part


def test_get_many_is_the_stored_posts_of_the_ids_by_id(store):
    posts, _ = seed(store)
    posts[1].reply_to = posts[0].url
    store.upsert_many([posts[1]])
    found = store.get_many([posts[1].id, "no-such-post", posts[3].id, posts[1].id])
    assert set(found) == {posts[1].id, posts[3].id}
    assert found[posts[1].id] == store.get(posts[1].id) and found[posts[1].id].reply_to == posts[0].url
    assert found[posts[3].id].content == posts[3].content
    assert store.get_many([]) == {} and store.get_many(["no-such-post"]) == {}


def test_replies_are_the_posts_whose_reply_to_is_one_of_the_urls_oldest_first(store):
    root = make(1, "长沙宽带断网一周没人修", published="2026-11-20T08:00:00+08:00")
    floors = [make(n, f"第{n}楼：我家也断", published=f"2026-11-20T{8 + n:02d}:00:00+08:00")
              for n in (4, 2, 3)]
    for floor in floors:
        floor.reply_to = root.url
    nested = make(5, "楼中楼：同小区", published="2026-11-20T09:30:00+08:00")
    nested.reply_to = floors[1].url
    other = make(6, "别的帖子", published="2026-11-20T07:00:00+08:00")
    store.upsert_many([root, *floors, nested, other])
    assert store.get(floors[0].id).reply_to == root.url and store.get(root.id).reply_to is None
    assert [p.id for p in store.replies([root.url])] == [floors[1].id, floors[2].id, floors[0].id]
    assert [p.id for p in store.replies([root.url, floors[1].url], limit=2)] == [
        nested.id, floors[1].id]
    assert store.replies([other.url]) == [] and store.replies([]) == []
