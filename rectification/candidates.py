"""Recurring problems worth a 督办 item: many cases of one category in one city or district.

The district is not a field of a case: it is the first district or county of the case's city
(keywords/regions.yaml aliases ending in 区, 县 or 市) named in the case's title or summary, so
"弱覆盖 in 珠晖区 across many cases" shows up even though cases only carry the city.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from cases.reporting import created_between
from core.db import StateDB
from nlp.dictionary import Dictionary
from rectification.models import OPEN

SUFFIXES = ("区", "县", "市")


@dataclass
class Candidate:
    """One recurring problem: a category in a place, with the cases that show it."""

    category: str
    city: str
    district: str
    case_ids: list[int]
    case_nos: list[str] = field(default_factory=list)
    open_items: list[str] = field(default_factory=list)   # item numbers already on it

    @property
    def count(self) -> int:
        return len(self.case_ids)

    @property
    def place(self) -> str:
        return " ".join(p for p in (self.city, self.district) if p)

    @property
    def label(self) -> str:
        """'衡阳 珠晖区「网络覆盖/信号」6 张工单'."""
        return f"{self.place}「{self.category}」{self.count} 张工单"

    def to_dict(self) -> dict[str, Any]:
        return {"category": self.category, "city": self.city, "district": self.district,
                "count": self.count, "case_ids": self.case_ids, "case_nos": self.case_nos,
                "open_items": self.open_items}


def _districts(dictionary: Dictionary, city: str) -> tuple[tuple[str, str], ...]:
    """(name as written, district) pairs of a city, longest first: 珠晖区 and its short 珠晖."""
    spec = dictionary.regions.cities.get(city)
    if spec is None:
        return ()
    full = [a for a in spec.aliases if a.endswith(SUFFIXES) and a != f"{city}市" and len(a) > 2]
    pairs = {a: a for a in full}
    pairs.update({a[:-1]: a for a in full if a[:-1] in spec.aliases})
    return tuple(sorted(pairs.items(), key=lambda p: -len(p[0])))


def districts(dictionary: Dictionary, city: str | None) -> list[str]:
    """The districts and counties of a city, in the dictionary's order."""
    return list(dict.fromkeys(d for _, d in _districts(dictionary, city))) if city else []


def district_in(dictionary: Dictionary, city: str | None, text: str) -> str:
    """The first district of `city` named in `text` (the earliest mention), or ''."""
    if not city:
        return ""
    found = [(text.find(name), district) for name, district in _districts(dictionary, city)
             if name in text]
    return min(found)[1] if found else ""


def find(db: StateDB, dictionary: Dictionary, since: str, until: str,
         min_cases: int) -> list[Candidate]:
    """Categories with at least `min_cases` cases in one district, or else in one city, among the
    cases created in [since, until); most cases first. A city is left out when one of its
    districts already holds all its cases. `open_items` names the open items already on it: on
    the same category and place, or linking one of its cases."""
    by_city: dict[tuple[str, str], list[dict[str, Any]]] = {}
    by_district: dict[tuple[str, str, str], list[dict[str, Any]]] = {}
    for case in created_between(db, since, until):
        if not case["city"]:
            continue
        district = district_in(dictionary, case["city"], f"{case['title']}\n{case['summary']}")
        for category in json.loads(case["categories"]):
            by_city.setdefault((category, case["city"]), []).append(case)
            if district:
                by_district.setdefault((category, case["city"], district), []).append(case)
    found = [_candidate(cases, *key) for key, cases in by_district.items() if len(cases) >= min_cases]
    covered = {(c.category, c.city, c.count) for c in found}
    found += [_candidate(cases, *key, "") for key, cases in by_city.items()
              if len(cases) >= min_cases and (*key, len(cases)) not in covered]
    open_items = db.query("SELECT item_id, item_no, category, city, district FROM rectify_items "
                          "WHERE status = ?", (OPEN,))
    linking: dict[int, set[int]] = {}   # case id → open items linking it
    for link in db.query("SELECT l.item_id, l.ref FROM rectify_links l JOIN rectify_items i "
                         "USING (item_id) WHERE l.kind = 'case' AND i.status = ?", (OPEN,)):
        linking.setdefault(int(link["ref"]), set()).add(link["item_id"])
    for candidate in found:
        linked = set().union(*(linking.get(c, set()) for c in candidate.case_ids))
        candidate.open_items = [i["item_no"] for i in open_items if i["item_id"] in linked or (
            (i["category"], i["city"]) == (candidate.category, candidate.city)
            and i["district"] in ("", candidate.district))]
    return sorted(found, key=lambda c: (-c.count, c.district == "", c.city, c.category, c.district))


def _candidate(cases: list[dict[str, Any]], category: str, city: str, district: str) -> Candidate:
    return Candidate(category, city, district, [c["case_id"] for c in cases],
                     [c["case_no"] for c in cases])
