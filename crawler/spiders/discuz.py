"""`type: discuz` — a Discuz! X board: the html spider with the standard Discuz! selectors."""

from __future__ import annotations

from typing import Any

from crawler.presets import load_preset
from crawler.spiders.html import HtmlSpider
from crawler.config import HtmlSource


def as_html_source(source: Any) -> HtmlSource:
    """The discuz source as an html source: preset selectors, then the source's overrides."""
    preset = load_preset("discuz")
    data = source.model_dump(exclude={"type", "forum_url", "base_url", "list", "detail",
                                      "max_pages", "cookie_env"})
    return HtmlSource.model_validate({
        **data, "type": "html", "start_urls": [source.forum_url],
        "list": {**preset["list"], "max_pages": source.max_pages, **source.list},
        "detail": {**preset["detail"], **source.detail}})


class DiscuzSpider(HtmlSpider):
    """Crawls one Discuz! board (forumdisplay → viewthread)."""

    def __init__(self, source: Any, **kwargs: Any):
        super().__init__(as_html_source(source), **kwargs)
