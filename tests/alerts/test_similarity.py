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
