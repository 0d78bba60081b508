"""Personal data out of a case's text before it becomes a typical case for everyone to read.

What a machine can find goes: mobile and landline numbers, ID-card numbers, bank-card and other
long account numbers, e-mail addresses, QQ/微信 ids, @handles, the customer's own nickname, a
name after 姓名/联系人/机主/客户, a surname with 先生/女士/小姐 (not 师傅: 装维师傅 is a trade), and street, estate and door
addresses. A name written bare in a sentence cannot be told from other words; the reviewer reads
every draft before approving it and edits what is left (see docs/cases.md).
"""

from __future__ import annotations

import re
from typing import Iterable

PHONE, ID_NUMBER, ACCOUNT, EMAIL, HANDLE, NAME, ADDRESS = (
    "[电话]", "[证件号]", "[账号]", "[邮箱]", "@网友", "[姓名]", "[地址]")

_CN = "\u4e00-\u9fff"
# A character of a place name: not one of the little words that join a sentence to it, so the
# match starts at the name ("反映芙蓉中路188号" → 反映[地址]).
_PLACE = rf"(?:(?![在住于是的了到去从和与及说反映家向对给把被])[{_CN}A-Za-z0-9])"
# Order matters: an ID number holds a run that looks like a phone number, a mobile number looks
# like an account number, and an address's door number is digits too.
_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+"), EMAIL),
    (re.compile(r"(?<!\d)\d{6}(?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx](?!\d)"),
     ID_NUMBER),
    (re.compile(r"(?<!\d)\d{8}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}(?!\d)"), ID_NUMBER),
    (re.compile(r"(?<![\dA-Za-z])(?:\+?86[- ]?)?1[3-9]\d(?:[- ]?\d{4}){2}(?!\d)"), PHONE),
    (re.compile(r"(?<!\d)0\d{2,3}-\d{7,8}(?!\d)"), PHONE),
    (re.compile(r"(?i)(?:QQ|微信|vx|wx)\s*(?:号)?\s*[:：]?\s*[A-Za-z0-9_-]{5,20}"), ACCOUNT),
    (re.compile(r"(?<![\dA-Za-z])\d{7,}(?!\d)"), ACCOUNT),
    (re.compile(rf"@[^\s@:：，,。；;！!？?）)]{{1,30}}"), HANDLE),
    (re.compile(rf"(?:姓名|联系人|机主|客户|户主|用户名)\s*[:：是为]\s*[{_CN}A-Za-z·]{{2,4}}"), NAME),
    (re.compile(rf"[{_CN}](?:先生|女士|小姐)"), NAME),
    (re.compile(rf"{_PLACE}{{2,6}}(?:路|街|大道|巷|弄)\s*\d+\s*号(?:院)?"), ADDRESS),
    (re.compile(rf"(?:(?<=在)|(?<=住)|(?<=于)|(?<=址)|(?<=:)|(?<=：)){_PLACE}{{2,10}}?"
                rf"(?:小区|花园|公寓|大厦|家园|新村|广场|苑)+"
                rf"(?:\s*[A-Za-z0-9一二三四五六七八九十]+\s*(?:栋|幢|号楼|单元|楼|层|室|号))*"), ADDRESS),
    (re.compile(r"(?<![\d号])\d+\s*(?:栋|幢|号楼)(?:\s*\d+\s*单元)?(?:\s*\d+\s*(?:楼|层))?"
                r"(?:\s*\d+\s*(?:室|号|户)?)?"), ADDRESS),
    (re.compile(r"(?<!\d)\d+\s*单元\s*\d+\s*(?:室|号|户)?"), ADDRESS),
)
# Keep the label, drop the value: "联系人：张三" → "联系人：[姓名]".
_LABELLED = re.compile(r"^(姓名|联系人|机主|客户|户主|用户名)(\s*[:：是为]\s*)")
_LABELLED_NAME = re.compile(r"(?:姓名|联系人|机主|客户|户主|用户名)\s*[:：是为]\s*([\u4e00-\u9fffA-Za-z·]{2,4})")
_SURNAME_TITLE = re.compile(r"^[\u4e00-\u9fff](先生|女士|小姐)$")


def _replacement(match: re.Match[str], mask: str) -> str:
    text = match.group(0)
    if mask == NAME:
        labelled = _LABELLED.match(text)
        if labelled:
            return labelled.group(0) + NAME
        titled = _SURNAME_TITLE.match(text)
        if titled:
            return "某" + titled.group(1)
    return mask


def _longest_first(names: Iterable[str]) -> list[str]:
    return sorted({n.strip() for n in names if n and len(n.strip()) >= 2}, key=len, reverse=True)


def scrub(text: str, names: Iterable[str] = (), people: Iterable[str] = ()) -> str:
    """The text with personal data replaced by a marker; `names` (the customer's nickname …)
    become 网友 and `people` (real names) [姓名] wherever they occur."""
    out = text or ""
    for name in _longest_first(names):
        out = out.replace(name, "网友")
    for person in _longest_first(people):
        out = out.replace(person, NAME)
    for pattern, mask in _PATTERNS:
        out = pattern.sub(lambda m, mask=mask: _replacement(m, mask), out)
    return out


def scrub_all(texts: dict[str, str], names: Iterable[str] = ()) -> dict[str, str]:
    """Each text scrubbed; a real name labelled in one of them (联系人：张三) is removed from all,
    so the offline result's bare 客户张三 goes too."""
    people = {m.group(1) for text in texts.values() for m in _LABELLED_NAME.finditer(text or "")}
    return {key: scrub(text, names, people) for key, text in texts.items()}
