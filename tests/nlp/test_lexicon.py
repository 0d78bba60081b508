"""Grading from the dictionary alone: tier, negation, relevance, city and the model's features."""

from __future__ import annotations

from nlp.dictionary import get_dictionary
from nlp.lexicon import N_FEATURES, lexicon_analyse
from tests.conftest import ROOT

D = get_dictionary(ROOT / "keywords")


def test_an_escalation_threat_is_the_top_tier_with_its_reasons():
    result = lexicon_analyse(D, "长沙移动乱扣费三个月了，再不退费我就去工信部投诉")
    analysis = result.analysis
    assert analysis.severity == 4 and analysis.relevant and analysis.city == "长沙"
    assert analysis.operators == ["中国移动"] and "资费计费/乱扣费" in analysis.categories
    assert analysis.reasons and len(result.features) == N_FEATURES


def test_a_negated_cue_does_not_escalate():
    threat = lexicon_analyse(D, "移动宽带断网了，我要去工信部投诉").analysis.severity
    negated = lexicon_analyse(D, "移动宽带断网了，不会去工信部投诉的，修好就行").analysis.severity
    assert negated < threat


def test_a_text_not_about_the_operator_is_not_relevant_unless_its_source_is():
    text = "家里宽带又断网了，光猫一直红灯"
    assert lexicon_analyse(D, text).analysis.relevant is False
    assert lexicon_analyse(D, text, about_operator=True).analysis.relevant is True
    assert lexicon_analyse(D, "这个移动硬盘很好用").analysis.severity == 0


def test_city_falls_back_to_the_location_then_the_default():
    text = "移动信号太差了，打电话老断"
    assert lexicon_analyse(D, text, location="湖南 株洲").analysis.city == "株洲"
    assert lexicon_analyse(D, text, default_city="岳阳").analysis.city == "岳阳"


def test_operator_words_in_an_ordinary_sense_name_no_operator():
    """docs/labeling.md: the industry (移动通信, 中国移动互联网), a phone's carrier edition and
    a server's data centre are not the operator; the company's full name still is."""
    for text in ("做移动通信这行十几年了，头发都白了", "中国移动互联网的用户规模又创新高",
                 "红米电信版什么时候到货", "服务器放在联通机房，延迟还行",
                 "某某改变移动生活",
                 # docs/labeling.md's own traps, and more ordinary senses of 移动 / 铁通 / 全球通
                 "台风中心正向西北移动", "把沙发往左移动一下", "可移动的隔板也坏了",
                 "开车别用移动电话", "股价跌破了移动平均线", "地铁通勤两小时", "在读全球通史"):
        assert lexicon_analyse(D, text).analysis.operators == [], text
    company = lexicon_analyse(D, "投诉对象：中国移动通信集团湖南有限公司").analysis
    assert company.relevant and company.operators == ["中国移动"]


def test_an_operator_named_only_as_the_standard_of_a_comparison_is_not_the_target():
    """docs/labeling.md: 「电信的宽带又断了，还是以前用移动的时候稳定」 is about 电信 alone."""
    for text, operators in (("联通晚上居然比移动还卡", ["中国联通"]),
                            ("都说电信没移动的稳，我看差不多", ["中国电信"]),
                            ("移动比联通便宜", ["中国移动"]),
                            # named elsewhere as well, or as the subject: still about it
                            ("电信不如移动，但移动最近也老断网", ["中国移动", "中国电信"]),
                            ("家里联通有信号，没移动信号", ["中国移动", "中国联通"])):
        assert lexicon_analyse(D, text).analysis.operators == operators, text


def test_an_operators_own_account_addressed_names_it_a_person_or_a_tag_list_does_not():
    addressed = {
        "@中国移动 又乱扣费，再看@中国联通 怎么说": {"中国移动", "中国联通"},
        "能不能给个说法 @某省移动10086 @某市联通客服": {"中国移动", "中国联通"},
        "@10086 我的积分怎么清零了": {"中国移动"},
        "抽我抽我 //@某市移动:转发抽奖送流量": {"中国移动"},
        "@某市移动小张 周末一起钓鱼": set(),  # a person
        "@中国移动某某商城 这手机还有货吗": set(),  # another unit
        "@甲 @乙 @某区移动 @丙 @丁 周末快乐": set(),  # tags mostly of other accounts
        "@某市广电 @某人": set(),  # the handles are all it says
    }
    for text, names in addressed.items():
        assert lexicon_analyse(D, text).addressed == names, text


def test_the_operator_the_author_means_to_switch_to_is_not_the_target():
    for text, operators in (("套餐又涨价了，我打算换个联通的号", []),
                            ("移动信号差得离谱，下个月准备转投电信", ["中国移动"]),
                            # leaving it, or telling how it is after switching: about it
                            ("以后再也不用移动了", ["中国移动"]),
                            ("上个月换了联通，晚上网速比以前快", ["中国联通"])):
        assert lexicon_analyse(D, text).analysis.operators == operators, text
    assert lexicon_analyse(D, "想换成移动的宽带，晚上网速怎么样？").analysis.operators == ["中国移动"]


def test_last_year_and_over_there_are_not_a_switch():
    # 去 is a switch word in 去换/去办, not inside 去年 (when one joined) or 过去 (a call put through)
    for text in ("去年入移动的坑，宽带天天断网，报修三次没人管",
                 "打电话过去转到移动客服，等了半小时没人接"):
        assert lexicon_analyse(D, text).analysis.operators == ["中国移动"], text


def test_addressing_an_operators_service_account_is_telling_the_operator():
    tells = {
        "宽带又断了 @某省移动客服 到底管不管": True,
        "回复@某市联通10010:单号私信发了，麻烦尽快处理": True,
        "@10086 怎么又多扣了二十块": True,
        "又断网了，服了 @某省移动10086 [怒]": False,  # a tag signing the post off
        "@某省移动 太慢了": False,  # the operator's account, not its service desk
        "太好笑了 //@某市移动客服:活动开始啦": False,  # the chain's, not the author's words
        "@热线小王 你说得对": False,  # a person
    }
    for text, expected in tells.items():
        assert lexicon_analyse(D, text).tells_service is expected, text


def test_a_hotline_called_is_a_complaint_act_and_still_names_the_operator():
    """docs/labeling.md: 3 when the author has complained to the operator, said in passing."""
    for text, operator in (("网速慢得离谱，昨天打了10086说让等通知", "中国移动"),
                           ("宽带又断了，打过10010也没用", "中国联通")):
        analysis = lexicon_analyse(D, text).analysis
        assert analysis.intent == 3 and analysis.operators == [operator], text
    assert lexicon_analyse(D, "请问打10086能查积分吗").analysis.intent < 3
