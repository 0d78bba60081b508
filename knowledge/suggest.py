"""Guides and typical cases for a case or a text, ranked the way scripts are (reply_scripts.suggest:
TF-IDF cosine of the text to each entry, plus the categories they share)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from accounts.models import User
from cases.service import CaseService
from knowledge.guides import GuideService
from knowledge.typical import TypicalCaseService
from reply_scripts.suggest import CATEGORY_WEIGHT, TEXT_WEIGHT, case_text, category_fit, terms, text_fit


@dataclass
class Match:
    """One suggested guide or typical case: its id and code, score in [0, 1], why (Chinese)."""

    entry_id: int
    code: str
    title: str
    score: float
    why: str
    shared_terms: list[str] = field(default_factory=list)
    shared_categories: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return self.__dict__.copy()


def _rank(key: str, entries: list[tuple[Any, Any]], texts: list[str], text: str,
          categories: list[str] | None, limit: int) -> list[Match]:
    if not entries:
        return []
    cosines, shared_terms = text_fit(text, [terms(t) for t in texts])
    wanted = [c for c in (categories or []) if c != "其他"]
    out = []
    for (entry, version), cosine, shared in zip(entries, cosines, shared_terms):
        cat_score, shared_cats = category_fit(wanted, version.categories)
        score = TEXT_WEIGHT * cosine + CATEGORY_WEIGHT * cat_score
        if score <= 0:
            continue
        reasons = ([f"分类相同：{'、'.join(shared_cats)}"] if shared_cats else []) + \
                  ([f"共同词：{'、'.join(shared[:6])}"] if shared else [])
        out.append(Match(getattr(entry, key), entry.code, version.title, round(score, 3), "；".join(reasons),
                         shared[:6], shared_cats))
    out.sort(key=lambda m: (-m.score, m.code))
    return out[:limit]


def guides_for(guides: GuideService, actor: User, text: str, categories: list[str] | None = None,
               limit: int = 3) -> list[Match]:
    """The approved guides that best fit a text (its symptoms, title and topic)."""
    guides._reader(actor)
    entries = guides.official_versions()
    return _rank(guides.KEY, entries, [f"{v.title}\n{v.topic}\n{v.symptoms}\n{' '.join(v.categories)}"
                           for _, v in entries], text, categories, limit)


def typical_for(typical: TypicalCaseService, actor: User, text: str,
                categories: list[str] | None = None, limit: int = 3,
                exclude_case: int | None = None) -> list[Match]:
    """The approved typical cases closest to a text (their complaint and title), leaving out the
    one made from `exclude_case`."""
    typical._reader(actor)
    entries = [(e, v) for e, v in typical.official_versions() if e.case_id != exclude_case]
    return _rank(typical.KEY, entries,
                 [f"{v.title}\n{v.problem}\n{' '.join(v.categories)}" for _, v in entries],
                 text, categories, limit)


def for_case(guides: GuideService, typical: TypicalCaseService, cases: CaseService, actor: User,
             case_id: int, limit: int = 3) -> tuple[list[Match], list[Match]]:
    """(guides, typical cases) for a case the actor may see (the case service checks the branch)."""
    case, _, text = case_text(cases, actor, case_id)
    return (guides_for(guides, actor, text, case.categories, limit),
            typical_for(typical, actor, text, case.categories, limit, exclude_case=case.case_id))
