"""One spider class per source type; `SPIDERS` maps config `type` to the class."""

from crawler.spiders.discuz import DiscuzSpider
from crawler.spiders.feed import FeedSpider
from crawler.spiders.heimao import HeimaoSpider
from crawler.spiders.html import HtmlSpider
from crawler.spiders.json_api import JsonApiSpider
from crawler.spiders.tieba import TiebaSpider
from crawler.spiders.weibo import WeiboSpider
from crawler.spiders.weibo_search import WeiboSearchSpider

SPIDERS = {"html": HtmlSpider, "rss": FeedSpider, "json": JsonApiSpider, "tieba": TiebaSpider,
           "weibo": WeiboSpider, "weibo_search": WeiboSearchSpider, "heimao": HeimaoSpider,
           "discuz": DiscuzSpider}
