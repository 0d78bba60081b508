"""One spider class per source type; `SPIDERS` maps config `type` to the class."""

from crawler.spiders.feed import FeedSpider
from crawler.spiders.html import HtmlSpider
from crawler.spiders.json_api import JsonApiSpider

SPIDERS = {"html": HtmlSpider, "rss": FeedSpider, "json": JsonApiSpider}
