"""The analyser with a trained model: floors, negation, batches, fallback."""

import logging

import pytest

from core.post import Post
from nlp.analyzer import Analyzer
from nlp.predictor import META_FILE
from tests.conftest import ROOT


@pytest.fixture(scope="module")
def analyzer(model_dir):
    return Analyzer(ROOT / "keywords", model_dir)


def test_uses_the_model_when_present(analyzer):
    result = analyzer.analyse_text("移动宽带断了三天，打10086没用，我要投诉，要求退费")
    assert analyzer.mode == "model"
    assert result.relevant and result.severity >= 2
    assert any(r.startswith("模型") for r in result.reasons)
    assert 0.0 <= result.negative <= 1.0


def test_escalation_floor_and_negation(analyzer):
    assert analyzer.analyse_text("湖南移动乱扣费三个月，我已经向工信部申诉了").severity == 4
    assert analyzer.analyse_text("我不会去工信部投诉的，只是问问移动的套餐怎么改").severity < 4


@pytest.mark.parametrize("text", ["这个移动硬盘读写速度挺快的", "联通的宽带太垃圾了，天天断网"])
def test_not_about_the_operator(analyzer, text):
    result = analyzer.analyse_text(text)
    assert result.relevant is False and result.severity == 0 and result.categories == []


def test_city_and_about_operator_come_from_the_lexicon(analyzer):
    assert analyzer.analyse_text("浏阳这边移动信号太差").city == "长沙"
    assert analyzer.analyse_text("移动信号太差", location="IP属地：湖南衡阳").city == "衡阳"
    assert analyzer.analyse_text("家里宽带又断网了，光猫一直红灯", about_operator=True).relevant


def test_batch_equals_one_by_one(analyzer):
    texts = ["请问移动的流量包怎么取消？", "感谢长沙移动营业厅的小姐姐，服务很好", "移动网速太慢了，垃圾"]
    posts = [Post(source="t", url=f"http://x/{i}", content=t) for i, t in enumerate(texts)]
    batch = analyzer.analyse_many(posts, source_weight=1.5, default_city="岳阳")
    for post, text in zip(batch, texts):
        single = analyzer.analyse_text(text, default_city="岳阳")
        assert (post.severity, post.relevant, post.categories, post.city) == \
               (single.severity, single.relevant, single.categories, single.city)
        assert post.influence is not None


def test_falls_back_to_the_lexicon_and_says_so(tmp_path, caplog):
    (tmp_path / META_FILE).write_text("{not json", encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="tousu.nlp"):
        analyzer = Analyzer(ROOT / "keywords", tmp_path)
        analyzer.analyse_text("移动信号差")
        analyzer.analyse_text("移动信号差")
    assert analyzer.mode == "lexicon"
    assert len([r for r in caplog.records if "lexicon" in r.getMessage()]) == 1


def test_a_retrained_model_is_picked_up_without_a_restart(model_copy):
    import os
    import time

    from nlp.model import NlpModel

    analyzer = Analyzer(ROOT / "keywords", model_copy)
    analyzer.analyse_text("移动宽带断网三天，要求退费")
    first = analyzer.model
    model, _ = NlpModel.load(model_copy)
    model.category_threshold = 1.1  # no category passes: a model that visibly differs
    model.save(model_copy, {"trained_at": "later"})
    later = time.time() + 5  # as if saved a clock tick later, whatever the file system's resolution
    os.utime(model_copy / META_FILE, (later, later))
    analyzer.analyse_text("移动宽带断网三天，要求退费")
    assert analyzer.model is not first and analyzer.model_meta["trained_at"] == "later"
    assert analyzer.model.category_threshold == 1.1
    assert analyzer.model.predict(analyzer.docs(["移动宽带断网"], [analyzer.lexicon("移动宽带断网")])
                                  ).categories == [[]]


def test_an_operators_account_addressed_is_a_target_whatever_the_model_says(analyzer):
    result = analyzer.analyse_text("@中国移动 @中国联通 @中国电信 一个比一个能装")
    assert result.relevant and result.operators == ["中国移动", "中国联通", "中国电信"]


def test_a_grumble_addressed_to_the_service_account_is_a_complaint(analyzer):
    """docs/labeling.md: telling the operator (tagging its hotline account) is a complaint act."""
    result = analyzer.analyse_text("晚上八点准时卡成幻灯片，@中国移动10086 你们到底管不管")
    assert result.intent == 3 and any("客服账号" in r for r in result.reasons)
    signed_off = analyzer.analyse_text("晚上八点准时卡成幻灯片 @中国移动10086")
    assert signed_off.intent != 3 or not any("客服账号" in r for r in signed_off.reasons)
