"""Personal data is removed from a case's text before it becomes a typical case."""

from __future__ import annotations

import pytest

from knowledge.scrub import scrub, scrub_all


@pytest.mark.parametrize("text, gone, kept", [
    ("我的手机13812345678一直没信号", ["13812345678"], ["[电话]", "一直没信号"]),
    ("请拨 +86 138-1234-5678 联系", ["1234-5678"], ["[电话]"]),
    ("座机0731-88123456打不通", ["88123456"], ["[电话]"]),
    ("身份证430102199003071234，老身份证430102900307123", ["430102199003071234", "430102900307123"],
     ["[证件号]"]),
    ("宽带账号07318812345，银行卡6222021234567890123", ["07318812345", "6222021234567890123"], ["[账号]"]),
    ("邮箱 a.b@qq.com，QQ：12345678，微信号: zhang_san88", ["a.b@qq.com", "12345678", "zhang_san88"],
     ["[邮箱]", "[账号]"]),
    ("@小明同学 你好", ["小明同学"], ["@网友"]),
    ("联系人：张三，机主是李四", ["张三", "李四"], ["联系人：[姓名]", "机主是[姓名]"]),
    ("王先生反映营业厅态度差，刘女士也说了", ["王先生", "刘女士"], ["某先生", "某女士", "营业厅态度差"]),
    ("住在阳光花园小区3栋2单元1201室", ["阳光花园", "1201"], ["[地址]"]),
    ("芙蓉中路188号营业厅", ["芙蓉中路188号"], ["[地址]营业厅"]),
    ("家在12栋3单元502", ["12栋", "502"], ["[地址]"]),
])
def test_personal_data_is_replaced(text, gone, kept):
    out = scrub(text)
    for piece in gone:
        assert piece not in out, out
    for piece in kept:
        assert piece in out, out


@pytest.mark.parametrize("text", [
    "打10086没用，准备打12315和工信部12300投诉",
    "工单号TS2026112200001已办结，退费120元，3天内到账",
    "我家小区信号差，5G 网速只有 2M",
    "首次响应按时，建单至办结 5.5 小时",
])
def test_what_is_not_personal_stays(text):
    assert scrub(text) == text


def test_the_customers_nickname_is_replaced_wherever_it_appears():
    out = scrub("湘江边的风说：我是湘江边的风本人，湘江边的风的宽带坏了", names=["湘江边的风", "", "x"])
    assert "湘江边的风" not in out and out.count("网友") == 3


def test_a_name_labelled_in_one_text_goes_from_all():
    out = scrub_all({"problem": "联系人：张三，宽带断了", "fix": "客户张三确认恢复", "reply": "已处理"},
                    names=["湘江边的风"])
    assert out == {"problem": "联系人：[姓名]，宽带断了", "fix": "客户[姓名]确认恢复", "reply": "已处理"}
