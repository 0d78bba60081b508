import pytest

from indexer.query import QuerySyntaxError, parse_query


def test_words_phrases_or_and_exclusion():
    q = parse_query('宽带 "信号太差" 退费 OR 赔偿 -联通')
    assert [[t.text for t in g] for g in q.groups] == [["宽带"], ["信号太差"], ["退费", "赔偿"]]
    assert q.groups[1][0].phrase
    assert [t.text for t in q.excluded] == ["联通"]


def test_unclosed_quote_is_an_error():
    with pytest.raises(QuerySyntaxError):
        parse_query('"网速')


def test_punctuation_only_query_is_empty():
    assert parse_query("，。！").empty
