"""Normalising crawled values: HTML → text with paragraphs, Chinese dates → ISO +08:00, counts."""

from __future__ import annotations

import html
import re
from datetime import datetime, timedelta

import lxml.html
from lxml import etree

from core.post import CST, iso, now_cst

_BLOCK_TAGS = {"p", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote",
               "section", "article", "table", "ul", "ol", "pre", "dd", "dt"}
_DROP_TAGS = ("script", "style", "noscript", "template", "iframe")
_PREFIX = re.compile(r"^\s*(发表于|发布于|发布时间|时间|更新于|于)[:：\s]*")
_RELATIVE = re.compile(r"^(\d+)\s*(秒|分钟|分|小时|天|周)前$")
_DAY_WORD = re.compile(r"^(今天|昨天|前天)\s*(\d{1,2}):(\d{2})(?::(\d{2}))?$")
_MONTH_DAY = re.compile(r"^(\d{1,2})[-/月](\d{1,2})日?\s+(\d{1,2}):(\d{2})(?::(\d{2}))?$")
_FULL = re.compile(r"^(\d{4})[-/年.](\d{1,2})[-/月.](\d{1,2})日?(?:[\sT]+(\d{1,2}):(\d{2})(?::(\d{2}))?)?$")
_UNIX = re.compile(r"^\d{10}(\d{3})?$")
_COUNT = re.compile(r"(\d+(?:\.\d+)?)\s*(万|w|k|千)?", re.IGNORECASE)
_SPACES = re.compile(r"[ \t\r\f\v\u3000\xa0]+")


def element_text(element: etree._Element) -> str:
    """Visible text of an element, paragraphs kept as newlines, scripts and styles dropped."""
    element = lxml.html.fromstring(etree.tostring(element, encoding="unicode"))
    for bad in element.iter(*_DROP_TAGS):
        bad.drop_tree()
    for node in element.iter():
        if not isinstance(node.tag, str):
            continue
        if node.tag == "br":
            node.tail = "\n" + (node.tail or "")
        elif node.tag in _BLOCK_TAGS:
            node.tail = "\n" + (node.tail or "")
            node.text = "\n" + (node.text or "")
    return clean_text(element.text_content())


def html_to_text(markup: str) -> str:
    """Visible text of an HTML fragment or page."""
    if not markup or "<" not in markup:
        return clean_text(html.unescape(markup or ""))
    try:
        return element_text(lxml.html.fragment_fromstring(markup, create_parent="div"))
    except (etree.ParserError, ValueError):
        return clean_text(re.sub(r"<[^>]+>", " ", markup))


def clean_text(text: str) -> str:
    """Collapse spaces inside lines, drop empty lines, keep one newline between paragraphs."""
    lines = (_SPACES.sub(" ", line).strip() for line in text.splitlines())
    return "\n".join(line for line in lines if line)


def _at(day: datetime, hour: str, minute: str, second: str | None) -> datetime:
    return day.replace(hour=int(hour), minute=int(minute), second=int(second or 0), microsecond=0)


def parse_date(raw: object, now: datetime | None = None) -> str | None:
    """Forum/Weibo date strings and unix times → ISO 8601 +08:00, or None when unreadable."""
    now = (now or now_cst()).astimezone(CST)
    if raw is None or raw == "":
        return None
    if isinstance(raw, (int, float)) or (isinstance(raw, str) and _UNIX.match(raw.strip())):
        value = float(raw)
        return iso(datetime.fromtimestamp(value / 1000 if value > 1e12 else value, CST))
    text = _PREFIX.sub("", str(raw)).strip()
    if not text:
        return None
    if text in ("刚刚", "刚才"):
        return iso(now)
    if m := _RELATIVE.match(text):
        unit = {"秒": "seconds", "分钟": "minutes", "分": "minutes", "小时": "hours", "天": "days",
                "周": "weeks"}[m.group(2)]
        return iso(now - timedelta(**{unit: int(m.group(1))}))
    if m := _DAY_WORD.match(text):
        day = now - timedelta(days={"今天": 0, "昨天": 1, "前天": 2}[m.group(1)])
        return iso(_at(day, m.group(2), m.group(3), m.group(4)))
    if m := _MONTH_DAY.match(text):
        try:
            value = _at(now.replace(month=int(m.group(1)), day=int(m.group(2))), m.group(3),
                        m.group(4), m.group(5))
        except ValueError:
            return None
        if value > now + timedelta(days=1):  # "12-31 23:00" read in January is last year
            value = value.replace(year=value.year - 1)
        return iso(value)
    if m := _FULL.match(text):
        try:
            value = datetime(int(m.group(1)), int(m.group(2)), int(m.group(3)), tzinfo=CST)
        except ValueError:
            return None
        return iso(_at(value, m.group(4) or "0", m.group(5) or "0", m.group(6)))
    try:
        value = datetime.fromisoformat(text)
        return iso(value if value.tzinfo else value.replace(tzinfo=CST))
    except ValueError:
        pass
    try:  # Weibo's created_at: "Tue Nov 17 10:00:00 +0800 2026"
        return iso(datetime.strptime(text, "%a %b %d %H:%M:%S %z %Y"))
    except ValueError:
        pass
    import dateparser  # lazy: slow to import and to run, only for forms the above did not cover

    parsed = dateparser.parse(text, languages=["zh", "en"], settings={
        "TIMEZONE": "Asia/Shanghai", "RETURN_AS_TIMEZONE_AWARE": True,
        "PREFER_DATES_FROM": "past", "RELATIVE_BASE": now.replace(tzinfo=None)})
    return iso(parsed) if parsed else None


def parse_count(raw: object) -> int | None:
    """'1.2万' → 12000, '3k' → 3000, '查看: 45' → 45; None when there is no number."""
    if raw is None:
        return None
    if isinstance(raw, bool):
        return int(raw)
    if isinstance(raw, (int, float)):
        return int(raw)
    m = _COUNT.search(str(raw).replace(",", ""))
    if not m:
        return None
    value = float(m.group(1))
    unit = (m.group(2) or "").lower()
    return int(value * {"万": 10000, "w": 10000, "k": 1000, "千": 1000}.get(unit, 1))
