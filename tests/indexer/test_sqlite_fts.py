"""The SQL of parsed queries over FTS5: the rank covers every positive token."""

from __future__ import annotations

from indexer.query import parse_query
from indexer.sqlite_fts import rank_expression


def test_rank_expression_covers_every_positive_token():
    expression = rank_expression(parse_query('"网速慢" OR 断网 -电信'))
    assert '"断网"' in expression and '网速' in expression
    assert "电信" not in expression
