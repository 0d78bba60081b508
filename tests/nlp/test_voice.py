"""The author's own words apart from the repost chain (nlp/voice.py)."""

import pytest

from nlp.voice import chain_start, own_words, passed_on_from


@pytest.mark.parametrize("text,own", [
    ("我也是 //@小王: 移动乱扣费，已经投诉到工信部了", "我也是"),
    ("太坑了//@某人：移动又断网 //@另一人: 转发", "太坑了"),
    ("回复@客服小李: 还是没有修好，明天再打10086", "还是没有修好，明天再打10086"),
    ("回复 米粉要加码 :我明天再催一次，不行就投诉", "我明天再催一次，不行就投诉"),  # Tieba's 楼中楼
    ("回复：宽带又断了", "回复：宽带又断了"),
    ("转发微博 //@A: 移动宽带断网三天", ""),
    ("转发微博", ""),
    ("移动信号差，邮箱 a//b@c.com 也收不到", "移动信号差，邮箱 a//b@c.com 也收不到"),
    ("没有转发链的普通帖子", "没有转发链的普通帖子"),
])
def test_own_words(text, own):
    assert own_words(text) == own


def test_chain_start_is_the_first_repost_marker():
    text = "赞同//@甲:好 //@乙:也好"
    assert text[chain_start(text):].startswith("//@甲")
    assert chain_start("无链") == len("无链")


@pytest.mark.parametrize("text,name", [
    ("要求赔偿 //@耒阳小吃货 :我家也是//@衡阳本地通:转发扩散", "耒阳小吃货"),  # the nearest repost
    ("//@甲：原话", "甲"),
    ("回复@客服小李: 还是没有修好", "客服小李"),
    ("回复 米粉要加码 :我明天再催一次", "米粉要加码"),
    ("回复：宽带又断了", None),
    ("邮箱 a//b@c.com 也收不到", None),
    ("转发微博", None),
])
def test_passed_on_from_names_the_nearest_account(text, name):
    assert passed_on_from(text) == name
