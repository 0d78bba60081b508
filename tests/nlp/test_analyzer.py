import pytest

from nlp.analyzer import Analyzer
from tests.conftest import ROOT


@pytest.fixture(scope="module")
def analyzer():
    return Analyzer(ROOT / "keywords")


@pytest.mark.parametrize("text,tier", [
    ("湖南移动乱扣费三个月了，再不退费我就去工信部投诉，还要找媒体曝光", 4),
    ("中国移动宽带断了三天，打10086打了几次都没用，我要投诉，要求退费", 3),
    ("移动的网速太慢了，真是垃圾，无语", 2),
    ("请问湖南移动的流量包怎么取消？", 1),
    ("感谢长沙移动营业厅的小姐姐，服务很好，点赞", 0),
])
def test_clear_cases_get_their_tier(analyzer, text, tier):
    assert analyzer.analyse_text(text).severity == tier


def test_negation_prevents_escalation(analyzer):
    result = analyzer.analyse_text("我不会去投诉的，只是问问移动的套餐怎么改")
    assert result.severity <= 1
    assert any("否定" in r for r in result.reasons)


@pytest.mark.parametrize("text", ["这个移动硬盘读写速度挺快的", "买了个移动电源，充电很快",
                                  "联通的宽带太垃圾了，天天断网"])
def test_not_about_the_operator(analyzer, text):
    result = analyzer.analyse_text(text)
    assert result.relevant is False
    assert result.severity == 0 and result.categories == []


def test_competitor_complaint_has_intent_but_no_severity(analyzer):
    result = analyzer.analyse_text("联通的宽带断了三天，打10010投诉了，要求退费")
    assert result.operators == ["中国联通"] and result.relevant is False
    assert result.intent == 3 and result.severity == 0


@pytest.mark.parametrize("text,operators", [
    ("楼上说得对 +10086", []),
    ("电信诈骗又换新花样了，大家小心", []),
    ("移动联通电信都一个样，套餐越来越贵", ["中国移动", "中国联通", "中国电信"]),
    ("广电5G的信号到底行不行", ["中国广电"]),
])
def test_operators_named(analyzer, text, operators):
    assert analyzer.analyse_text(text).operators == operators


def test_repost_chain_gives_the_target_not_the_intent(analyzer):
    """The author only agrees; the chain's escalation is someone else's act."""
    result = analyzer.analyse_text("哈哈哈 //@小王: 湖南移动乱扣费，已经向工信部申诉了，大家转发")
    assert result.relevant is True and result.operators == ["中国移动"]
    assert result.intent < 4
    own = analyzer.analyse_text("我也去工信部申诉了 //@小王: 湖南移动乱扣费")
    assert own.relevant is True and own.intent == 4


@pytest.mark.parametrize("text,counted", [
    ("移动宽带断了三天，打12300投诉有用吗？", False),
    ("要不要去工信部投诉呢，移动乱扣费", False),
    ("听说找12315管用，移动宽带一直不修", False),
    ("再不退钱我就去工信部投诉，湖南移动", True),
    ("湖南移动乱扣费，我已经向工信部申诉了", True),
])
def test_an_escalation_asked_about_is_not_one_made(analyzer, text, counted):
    """docs/labeling.md: asked-about escalation does not count; an ultimatum does."""
    result = analyzer.analyse_text(text)
    assert (result.intent == 4) is counted, result.reasons
    assert any("只是询问" in r for r in result.reasons) is not counted


def test_categories(analyzer):
    result = analyzer.analyse_text("移动宽带老是断网，光猫重启也没用")
    assert "宽带/家宽" in result.categories


def test_city_from_alias_then_location_then_source(analyzer):
    assert analyzer.analyse_text("浏阳这边移动信号太差").city == "长沙"
    assert analyzer.analyse_text("移动信号太差", location="IP属地：湖南衡阳").city == "衡阳"
    assert analyzer.analyse_text("移动信号太差", default_city="岳阳").city == "岳阳"
    assert analyzer.analyse_text("移动信号太差").city is None


def test_about_operator_source_makes_telecom_posts_relevant(analyzer):
    text = "家里宽带又断网了，光猫一直红灯"
    assert analyzer.analyse_text(text).relevant is False
    assert analyzer.analyse_text(text, about_operator=True).relevant is True
