"""The duplicate-linking rule both backends apply (indexer/duplicates.py)."""

from indexer.duplicates import Original, Originals, needs_original
from tests.indexer.test_base import make

TEXT = "乱扣费三个月了，要求退费，不然去工信部"


def test_the_earliest_original_other_than_the_post_itself_is_linked():
    originals = Originals()
    post = make(5, TEXT)
    assert originals.link(post, None) is None  # nothing of its text yet: an original
    originals.add(post.fingerprint, Original(300, 3, "c"))
    originals.add(post.fingerprint, Original(100, 9, "b"))
    originals.add(post.fingerprint, Original(100, 2, post.id))  # the post's own stored row
    assert originals.link(post, None) == "b"
    originals.add(post.fingerprint, Original(100, 1, "a"))  # same time: the tie decides
    assert originals.link(post, None) == "a"


def test_a_post_keeps_the_link_it_carries_or_was_stored_with():
    originals = Originals()
    post = make(1, TEXT)
    originals.add(post.fingerprint, Original(0, 0, "first"))
    assert originals.link(post, "stored") == "stored"
    post.dup_of = "given"
    assert originals.link(post, "stored") == "given"
    assert not needs_original(post, None)


def test_a_short_text_is_never_linked():
    post = make(1, "断网了")
    originals = Originals()
    originals.add(post.fingerprint, Original(0, 0, "first"))
    assert not needs_original(post, None)
    assert originals.link(post, None) is None


def test_only_the_originals_a_write_stores_become_candidates():
    originals = Originals()
    first, repost, later = make(1, TEXT), make(2, TEXT), make(3, TEXT)
    originals.stored(first, 200, 1, None)
    originals.stored(repost, 100, 2, first.id)  # earlier, but a repost: never linked to
    assert originals.link(later, None) == first.id
