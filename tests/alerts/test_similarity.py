"""Event clustering: similar (not only identical) posts group; unrelated ones do not."""

from alerts.similarity import cluster

SAME_GRIEVANCE = [
    "衡阳移动宽带又断网了，打10086也没人管，要求赔偿损失",
    "衡阳移动宽带断网三天，打10086没人管，我们要求赔偿",
    "衡阳这边移动宽带又断网了，10086打了没人管，要求赔偿",
    "蒸湘区移动宽带又断网了，打10086也没人管，要求赔偿！",
]
OTHERS = [
    "套餐莫名其妙多了一个视频会员，每月扣十五块钱",
    "营业厅工作人员态度很差，办个销户推三阻四",
    "5G套餐网速还不如以前4G，晚上高峰期基本用不了",
]


def test_case_and_punctuation_do_not_separate_texts():
    assert [0, 1] in cluster(["Hello，World！宽带断网", "hello world 宽带断网"], threshold=0.99)


def test_similar_posts_cluster_and_others_stay_apart():
    groups = cluster(OTHERS[:1] + SAME_GRIEVANCE + OTHERS[1:])
    assert [1, 2, 3, 4] in groups
    assert [0] in groups and [5] in groups and [6] in groups


def test_known_duplicate_links_join_even_dissimilar_texts():
    assert [0, 1] in cluster(["完全不同的一段话", "另外一个内容"], links=[(0, 1)])


def test_many_near_duplicates_cluster_in_linear_time():
    texts = [f"{SAME_GRIEVANCE[i % 4]}（{i}楼）" for i in range(400)] + OTHERS
    groups = cluster(texts)
    assert max(len(g) for g in groups) == 400


def _han(start: int, stop: int) -> str:
    return "".join(chr(0x4E00 + i) for i in range(start, stop))


def test_groups_are_connected_components_of_similar_pairs():
    """A ~ B and B ~ C join A and C although A and C are not similar; a link joins two groups."""
    a, b, c = _han(0, 20), _han(6, 26), _han(12, 32)   # Jaccard 0.52, 0.52; A–C 0.23
    other, its_twin = _han(100, 120), _han(100, 121)
    assert cluster([a, b, c, other, its_twin]) == [[0, 1, 2], [3, 4]]
    assert cluster([a, b, c, other, its_twin], links=[(4, 2)]) == [[0, 1, 2, 3, 4]]


def test_long_texts_count_every_shared_gram():
    """Hundreds of shared bigrams are counted exactly (no small-integer overflow)."""
    long_text = _han(0, 400)
    assert cluster([long_text, _han(0, 380) + _han(500, 520)], threshold=0.9) == [[0, 1]]
    assert cluster([long_text, _han(0, 300) + _han(500, 600)], threshold=0.7) == [[0], [1]]


def test_jaccard_in_steps_gives_the_same_groups(monkeypatch):
    from alerts import similarity

    texts = [f"{SAME_GRIEVANCE[i % 4]}（{i}楼）" for i in range(60)] + OTHERS
    whole = cluster(texts)
    monkeypatch.setattr(similarity, "PAIRS_AT_ONCE", 7)
    assert cluster(texts) == whole and max(map(len, whole)) == 60
