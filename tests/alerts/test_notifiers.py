"""Channel formats, signing, the SMS template, and errors that never show a secret."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import urllib.parse

import pytest

from alerts.notifiers import REGISTRY, NotifierError, webhook_body
from tests.alerts.conftest import MESSAGE, make_config


def notifier(tmp_path, **spec):
    config = make_config(tmp_path, notifiers=[{"name": "n", **spec}])
    return REGISTRY[spec["type"]](config.warnings.notifiers[0], config)


HOSTILE = {**MESSAGE,
           "title": "【一级预警·红色】衡阳 点击[官方客服](http://phish.example/login)",
           "body": "来源：forum\n点击[官方客服](http://phish.example/login) **加急** <font color=red>x</font>",
           "posts": [{**MESSAGE["posts"][0], "title": "[领流量](http://phish.example/a)"},
                     {**MESSAGE["posts"][0], "id": "js", "title": "脚本链接",
                      "url": "javascript:alert(document.cookie)"}]}


@pytest.mark.parametrize("fmt", ["wecom", "dingtalk", "feishu"])
def test_robot_formats_carry_grade_post_link_and_console_link(fmt):
    body = json.dumps(webhook_body(fmt, MESSAGE), ensure_ascii=False)
    assert "一级预警" in body and "http://forum.test/t-1.html" in body
    assert MESSAGE["console"] in body


def test_plain_json_is_the_message():
    assert webhook_body("json", MESSAGE) == MESSAGE


def test_dingtalk_and_feishu_are_signed(tmp_path, receiver):
    notifier(tmp_path, type="webhook", format="dingtalk", url=receiver.url + "?access_token=t",
             secret="SEC").send(MESSAGE)
    query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(receiver.paths[0]).query))
    expected = base64.b64encode(hmac.new(b"SEC", f"{query['timestamp']}\nSEC".encode(),
                                         hashlib.sha256).digest()).decode()
    assert query["sign"] == expected and query["access_token"] == "t"
    notifier(tmp_path, type="webhook", format="feishu", url=receiver.url, secret="SEC").send(MESSAGE)
    body = receiver.bodies[1]
    expected = base64.b64encode(hmac.new(f"{body['timestamp']}\nSEC".encode(), b"",
                                         hashlib.sha256).digest()).decode()
    assert body["sign"] == expected and body["msg_type"] == "post"


def test_robot_error_code_is_a_failure(tmp_path, receiver):
    receiver.reply = {"errcode": 93000, "errmsg": "invalid webhook url"}
    hook = notifier(tmp_path, type="webhook", format="wecom", url=receiver.url + "?key=SECRETKEY")
    with pytest.raises(NotifierError, match="notifier n: rejected: 93000"):
        hook.send(MESSAGE)


def test_errors_name_the_notifier_never_the_url(tmp_path, monkeypatch):
    monkeypatch.setenv("TOUSU_TEST_KEY", "SECRETKEY")
    config = make_config(tmp_path, notifiers=[
        {"name": "wecom-hy", "type": "webhook", "format": "wecom",
         "url": "http://127.0.0.1:9/send?key=${TOUSU_TEST_KEY}"},
        {"name": "mail", "type": "smtp", "host": "127.0.0.1", "port": 9, "security": "none",
         "sender": "a@test", "to": ["b@test"], "username": "u", "password": "${TOUSU_TEST_KEY}"}])
    for spec in config.warnings.notifiers:
        with pytest.raises(NotifierError) as err:
            REGISTRY[spec.type](spec, config).send(MESSAGE)
        assert spec.name in str(err.value) and "SECRETKEY" not in str(err.value)
        assert "127.0.0.1:9/send" not in str(err.value)


def test_sms_gateway_template_one_request_per_phone(tmp_path, receiver):
    sms = notifier(tmp_path, type="sms", url=receiver.url, phones=["13800000001", "13800000002"],
                   headers={"Authorization": "Bearer T"}, body={"mobile": "{phone}",
                                                               "content": "{text}", "sign": "投诉雷达"},
                   max_chars=70)
    sms.send(MESSAGE)
    assert [b["mobile"] for b in receiver.bodies] == ["13800000001", "13800000002"]
    text = receiver.bodies[0]["content"]
    assert len(text) <= 70 and text.startswith("【一级预警·红色】") and text.endswith(MESSAGE["console"])
    assert receiver.headers[0]["Authorization"] == "Bearer T"
    sms.send({**MESSAGE, "recipient": "13800000002"})
    assert receiver.bodies[-1]["mobile"] == "13800000002" and len(receiver.bodies) == 3


def test_sms_form_encoding_and_get(tmp_path, receiver):
    requests = notifier(tmp_path, type="sms", url="http://gw.test/send", phones=["1"],
                        method="GET", params={"to": "{phone}", "msg": "{text}"}).requests(MESSAGE)
    url, data, _ = requests[0]
    assert data is None and "to=1" in url and "msg=" in url
    form = notifier(tmp_path, type="sms", url="http://gw.test/send", phones=["1"],
                    encoding="form").requests(MESSAGE)
    assert form[0][1].startswith(b"phone=1&text=")


def test_mail_is_html_with_the_posts(tmp_path):
    mail = notifier(tmp_path, type="smtp", host="h", sender="radar@test", to=["a@test", "b@test"]
                    ).build(MESSAGE)
    assert mail["To"] == "a@test, b@test" and mail["Message-ID"] == "<7-new-1-hook@tousu-radar>"
    html = mail.get_body(("html",)).get_content()
    assert '<a href="http://forum.test/t-1.html">' in html and "在控制台查看与处理" in html
    assert "衡阳" in mail.get_body(("plain",)).get_content()


@pytest.mark.parametrize("fmt", ["wecom", "dingtalk"])
def test_robot_markdown_keeps_crawled_text_inert(tmp_path, receiver, fmt):
    """Crawled text arrives as text: no link of its own, no javascript: link, ours intact."""
    notifier(tmp_path, type="webhook", format=fmt, url=receiver.url).send(HOSTILE)
    markdown = receiver.bodies[0]["markdown"]["content" if fmt == "wecom" else "text"]
    assert "](http://phish" not in markdown and "javascript:" not in markdown
    assert "**加急**" not in markdown and "<font color=red>" not in markdown
    assert "官方客服" in markdown and "领流量" in markdown
    assert "](http://forum.test/t-1.html)" in markdown and f"]({MESSAGE['console']})" in markdown


def test_feishu_links_only_http(tmp_path, receiver):
    notifier(tmp_path, type="webhook", format="feishu", url=receiver.url).send(HOSTILE)
    tags = [t for line in receiver.bodies[0]["content"]["post"]["zh_cn"]["content"] for t in line]
    hrefs = [t["href"] for t in tags if t["tag"] == "a"]
    assert hrefs == ["http://forum.test/t-1.html", MESSAGE["console"]]


def test_mail_html_links_only_http_in_a_real_browser(tmp_path):
    """The e-mail's HTML, opened in Chromium: every link is http(s); crawled markup is text."""
    from tests.dashboard.browser import chromium, require_chromium

    html = notifier(tmp_path, type="smtp", host="h", sender="radar@test", to=["a@test"]
                    ).build(HOSTILE).get_body(("html",)).get_content()
    assert "javascript:" not in html
    require_chromium()
    path = tmp_path / "mail.html"
    path.write_text(html, encoding="utf-8")
    with chromium() as page:
        page.goto(path.as_uri())
        hrefs = page.eval_on_selector_all("a", "els => els.map(e => e.href)")
        fonts = page.eval_on_selector_all("font", "els => els.length")
        text = page.inner_text("body")
    assert hrefs and all(h.startswith(("http://", "https://")) for h in hrefs)
    assert "http://forum.test/t-1.html" in hrefs and not any("phish" in h for h in hrefs)
    assert fonts == 0 and "<font color=red>" in text and "脚本链接" in text
