"""The author's own words apart from the repost chain (nlp/voice.py)."""

import pytest

from nlp.voice import chain_start, own_words


@pytest.mark.parametrize("text,own", [
    ("我也是 //@小王: 移动乱扣费，已经投诉到工信部了", "我也是"),
    ("太坑了//@某人：移动又断网 //@另一人: 转发", "太坑了"),
    ("回复@客服小李: 还是没有修好，明天再打10086", "还是没有修好，明天再打10086"),
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
