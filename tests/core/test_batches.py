import pytest

from core.batches import batched


def test_batches_keep_order_and_the_short_last_one():
    assert list(batched(range(7), 3)) == [[0, 1, 2], [3, 4, 5], [6]]
    assert list(batched([], 3)) == []


def test_batches_are_read_lazily():
    seen = []

    def items():
        for i in range(10):
            seen.append(i)
            yield i

    first = next(batched(items(), 4))
    assert first == [0, 1, 2, 3] and seen == [0, 1, 2, 3]


def test_a_batch_size_below_one_is_refused():
    with pytest.raises(ValueError, match="at least 1"):
        next(batched([1], 0))
