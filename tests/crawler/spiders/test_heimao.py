"""黑猫投诉 adapter: result.data.lists[].main with company, issue, appeal and status."""

import pytest

from crawler.items import RawPost
from crawler.pipelines import NormalisePipeline
from crawler.spiders.heimao import status_label
from tests.crawler.replay import make_spider, saved_response

BASE = "https://tousu.sina.com.cn"


def spider(**extra):
    return make_spider({"name": "hm", "type": "heimao", "keyword": "湖南移动", **extra})


def test_search_request_uses_the_real_path():
    [request] = spider(base_url="http://127.0.0.1:1").initial_requests()
    assert request.url == ("http://127.0.0.1:1/api/index/s?keywords=%E6%B9%96%E5%8D%97%E7%A7%BB"
                           "%E5%8A%A8&page_size=10&page=1")


def test_complaints_with_structured_fields_and_status():
    s = spider(max_pages=5)
    out = list(s.parse_page(saved_response("heimao", "search_p1.json", f"{BASE}/api/index/s",
                                           tousu_page=1, tousu_keyword="湖南移动")))
    posts = [o for o in out if isinstance(o, RawPost)]
    assert len(posts) == 2
    post = NormalisePipeline().process_item(posts[0])
    assert post.url == f"{BASE}/complaint/view/17381234501/"
    assert post.title == "湖南移动未经同意开通增值业务乱扣费"  # search highlight removed
    assert "【投诉对象】湖南移动" in post.content and "【投诉进度】已完成" in post.content
    assert "【投诉问题】乱扣费" in post.content and "【投诉要求】退款,道歉" in post.content
    assert post.author == "黑猫用户A7x3" and post.published_at == "2025-11-20T08:53:20+08:00"
    assert post.engagement == {"replies": 3, "likes": 12, "reposts": 0}
    assert out[-1].url.endswith("&page=2") and out[-1].meta["tousu_next"]


def test_last_page_stops():
    out = list(spider(max_pages=5).parse_page(saved_response(
        "heimao", "search_p2.json", f"{BASE}/x", tousu_page=2, tousu_keyword="湖南移动")))
    assert len(out) == 1 and isinstance(out[0], RawPost)


def test_refused_signature_is_an_error():
    s = spider()
    out = list(s.parse_page(saved_response("heimao", "signature_refused.json", f"{BASE}/x",
                                           tousu_page=1, tousu_keyword="k")))
    assert out == [] and "status code -1" in s.crawler.stats.get_value("tousu/last_error")


@pytest.mark.parametrize("code,label", [(4, "已完成"), ("2", "处理中"), (9, "状态 9"), (None, None)])
def test_status_labels(code, label):
    assert status_label(code, {2: "处理中", 4: "已完成"}) == label


def test_keywords_from_the_source_list_when_no_keyword():
    s = make_spider({"name": "hm", "type": "heimao", "keywords": ["湖南移动", "长沙移动"]})
    assert len(list(s.initial_requests())) == 2
