"""Safe rendering in the console: snippets keep only <mark>; capped counts read as "at least"."""


from dashboard.render import count_text, mark_only
from indexer.base import TOTAL_CAP, SearchResult


def test_mark_only_keeps_mark_and_neutralises_other_tags():
    assert mark_only("a <mark>b</mark> c") == "a <mark>b</mark> c"
    assert "<script" not in mark_only("<script>alert(1)</script><mark>x</mark>")
    assert "<img" not in mark_only('<img src=x onerror="alert(1)">')


def test_a_capped_total_reads_as_at_least():
    assert count_text(SearchResult(total=9876, hits=[])) == "9,876"
    assert count_text(SearchResult(total=TOTAL_CAP, hits=[], total_is_lower_bound=True)) == \
        f"{TOTAL_CAP:,}+"
