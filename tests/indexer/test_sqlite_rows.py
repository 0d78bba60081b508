"""A post written as a posts row and read back unchanged; keywords stored once each."""

from __future__ import annotations

import sqlite3
from datetime import datetime

from core.post import CST
from indexer.sqlite_rows import COLUMNS, row_to_post, row_values
from tests.indexer.test_base import make

TS = int(datetime(2026, 11, 20, 10, 0, tzinfo=CST).timestamp())  # 2026-11-20T10:00:00+08:00


def test_a_post_round_trips_through_its_row(tmp_path):
    post = make(1, "家里宽带又断网了", city=None, relevant=None)
    post.keywords, post.engagement, post.operators = ["宽带", "断网", "宽带"], {"views": 3}, ["中国移动"]
    conn = sqlite3.connect(tmp_path / "rows.db")
    conn.row_factory = sqlite3.Row
    conn.execute(f"CREATE TABLE posts ({', '.join(COLUMNS)}, case_status)")
    conn.execute(f"INSERT INTO posts ({', '.join(COLUMNS)}, case_status) VALUES "
                 f"({', '.join('?' * len(COLUMNS))}, '已派单')", row_values(post, TS, "dup1"))
    back = row_to_post(conn.execute("SELECT * FROM posts").fetchone())
    assert back.keywords == ["宽带", "断网"] and back.engagement == {"views": 3}
    assert back.relevant is None and back.city is None and back.operators == ["中国移动"]
    assert back.dup_of == "dup1" and back.case_status == "已派单"
    assert (back.id, back.content, back.published_at) == (post.id, post.content, post.published_at)
