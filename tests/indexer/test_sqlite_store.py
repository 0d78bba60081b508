"""What only the SQLite backend promises (the shared contract is in test_store_contract.py)."""

import sqlite3

import pytest

from tests.indexer.test_store_contract import seed


@pytest.fixture
def store(tmp_path):
    from indexer.sqlite_store import SqliteStore

    s = SqliteStore(tmp_path / "posts.db")
    yield s
    s.close()


def test_wal_mode_and_concurrent_reader(store, tmp_path):
    seed(store)
    other = sqlite3.connect(store.path)
    assert other.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert other.execute("SELECT count(*) FROM posts").fetchone()[0] == 5



def test_a_writer_and_readers_at_once(store):
    """The scheduler writes while the console reads: neither waits for nor breaks the other."""
    import threading

    from tests.indexer.test_store_contract import make

    errors = []

    def write():
        try:
            for batch in range(10):
                store.upsert_many([make(batch * 50 + i, f"宽带断网第{batch}批{i}号")
                                   for i in range(50)])
        except Exception as exc:  # noqa: BLE001 - surfaced by the assert below
            errors.append(exc)

    def read():
        try:
            for _ in range(30):
                store.search("宽带")
                store.date_histogram("day")
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=write)] + [threading.Thread(target=read) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert store.count() == 500 == store.search("断网").total


def test_an_update_replaces_the_indexed_text(store):
    from tests.indexer.test_store_contract import make

    post = make(1, "宽带断网")
    store.upsert_many([post])
    post.content = "信号很差"
    store.upsert_many([post])
    assert store.search("宽带").total == 0 and store.search("信号").total == 1
    assert store.hot_words() == [("宽带", 1)]
