import pytest

from nlp.analyzer import Analyzer
from nlp.dictionary import DictionaryError, get_dictionary, load_dictionary
from nlp.influence import influence
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


def test_influence_grows_with_engagement_and_source_weight():
    low = influence({"views": 10})
    high = influence({"views": 50000, "replies": 300, "reposts": 800})
    assert 0 <= low < high <= 1
    assert influence({"views": 1000}, 2.0) > influence({"views": 1000}, 1.0)
    assert influence({"views": "oops"}) == 0


def test_dictionary_reloads_when_a_file_changes(keywords_copy):
    before = get_dictionary(keywords_copy)
    brand = keywords_copy / "brand.yaml"
    brand.write_text(brand.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    import os
    os.utime(brand, (before.signature[0] + 10, before.signature[0] + 10))
    assert get_dictionary(keywords_copy) is not before


@pytest.mark.parametrize("name,content,expected,zh", [
    ("severity.yaml", "cues: {7: {x: 1.0}}\n", "tiers must be 0-4", "cues：等级只能是 0–4，不能是 7"),
    ("severity.yaml", "cues: {3: {x: 9}}\n", "weight 9.0 not in (0, 5]",
     "3级线索词「x」的权重 9.0 须大于 0、不大于 5"),
    ("categories.yaml", "categories: {不存在的分类: [a]}\n", "unknown categories",
     "没有这个分类：不存在的分类"),
    ("categories.yaml", "categories: []\n", "Input should be a valid dictionary", "应为映射（键: 值）"),
    ("brand.yaml", "operator: [\n", "invalid YAML", "第 2 行：不是有效的 YAML：这里缺少内容"),
    ("brand.yaml", "operator: [' ']\n", "empty term", "operator：不能有空词"),
    ("regions.yaml", "province: 湖南\ncities: {长沙: {aliases: [雨湖区]}, 湘潭: {aliases: [雨湖区]}}\n",
     "belongs to both", "别名「雨湖区」同时属于 长沙 和 湘潭"),
])
def test_bad_dictionary_file_is_named(keywords_copy, name, content, expected, zh):
    """English for the CLI, Chinese for the console; both name the file and the key."""
    (keywords_copy / name).write_text(content, encoding="utf-8")
    with pytest.raises(DictionaryError) as err:
        load_dictionary(keywords_copy)
    assert name in str(err.value) and expected in str(err.value)
    assert name in err.value.zh and zh in err.value.zh
