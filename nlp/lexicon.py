"""The lexicon grader: relevance, categories, severity cues (negation, degree, sarcasm) and city.

It is the fallback when no trained model is available, a source of features for the model, and
the floor rules the model must respect (see nlp/analyzer.py).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field

from nlp.dictionary import Dictionary, Hit
from nlp.dictionary_schema import CATEGORIES

TIER_LABELS = {0: "无关/正面", 1: "咨询求助", 2: "抱怨吐槽", 3: "投诉", 4: "曝光/升级"}
# Minimum cue score for a tier to be assigned from the lexicon alone.
TIER_THRESHOLDS = {4: 2.0, 3: 1.5, 2: 1.0, 1: 1.0}
_CLAUSE_END = re.compile(r"[，。！？!?；;,\n]")
_NEGATION_REACH = 6  # characters before a cue that a negation word still governs
_DEGREE_REACH = 3
N_FEATURES = 36


@dataclass
class Analysis:
    """The analysis fields of a post."""

    severity: int
    negative: float
    relevant: bool
    categories: list[str]
    city: str | None
    keywords: list[str]
    reasons: list[str] = field(default_factory=list)
    scores: dict[int, float] = field(default_factory=dict)


@dataclass
class LexiconResult:
    """The lexicon's analysis plus the numbers the model reads as features."""

    analysis: Analysis
    features: list[float]
    all_categories: list[str]  # category terms found, even when the post is not relevant


def _clause_prefix(text: str, start: int, reach: int) -> str:
    """Up to `reach` characters before `start`, cut at the last clause boundary."""
    prefix = text[max(0, start - reach):start]
    parts = _CLAUSE_END.split(prefix)
    return parts[-1]


def lexicon_analyse(d: Dictionary, text: str, location: str | None = None,
                    default_city: str | None = None, about_operator: bool = False) -> LexiconResult:
    """Grade one text from the dictionary alone."""
    hits = list(d.scan(text))
    by_kind: dict[str, list[Hit]] = {}
    for hit in hits:
        by_kind.setdefault(hit.kind, []).append(hit)

    relevant, relevance_reason = _relevance(by_kind, about_operator)
    found = {h.value for h in by_kind.get("category", [])}
    categories = [c for c in d.categories.categories if c in found]
    scores, reasons, negated = _cue_scores(text, by_kind)
    severity = _tier(scores, relevant, bool(categories))
    if relevance_reason:
        reasons.insert(0, relevance_reason)
    negative = 1.0 / (1.0 + math.exp(-(1.2 * scores[4] + scores[3] + 0.9 * scores[2]
                                       - 1.2 * scores[0] - 0.8)))
    city = _city(by_kind, location, d) or default_city
    keywords = list(dict.fromkeys(
        h.term for h in hits if h.kind in ("operator", "category", "cue", "competitor")))
    analysis = Analysis(severity=severity, negative=round(negative, 4), relevant=relevant,
                        categories=categories if relevant else [], city=city, keywords=keywords,
                        reasons=reasons, scores=scores)
    features = [math.log1p(scores[t]) for t in range(5)]
    features += [math.log1p(negated[t]) for t in (2, 3, 4)]
    features += [1.0 if severity == t else 0.0 for t in range(5)]
    blocked = bool(by_kind.get("not_operator"))
    features += [float(bool(by_kind.get("operator"))), float(bool(by_kind.get("ambiguous"))),
                 float(bool(by_kind.get("competitor"))), float(blocked), float(about_operator),
                 float(relevant), float(bool(by_kind.get("sarcasm")))]
    features += [1.0 if c in found else 0.0 for c in CATEGORIES]
    features += [float("?" in text or "？" in text or "吗" in text[-6:]),
                 math.log1p(text.count("!") + text.count("！")),
                 math.log1p(len(text)) / 5.0,
                 math.log1p(len(by_kind.get("city", [])))]
    assert len(features) == N_FEATURES
    return LexiconResult(analysis, features, categories)


def _relevance(by_kind: dict[str, list[Hit]], about_operator: bool) -> tuple[bool, str]:
    blocked = [(h.start, h.end) for h in by_kind.get("not_operator", [])]

    def free(hit: Hit) -> bool:
        return not any(s <= hit.start and hit.end <= e for s, e in blocked)

    operator = [h for h in by_kind.get("operator", []) if free(h)]
    operator += [h for h in by_kind.get("ambiguous", []) if free(h)]
    if operator:
        return True, f"提及运营商「{operator[0].term}」"
    competitors = by_kind.get("competitor", [])
    if competitors:
        return False, f"仅涉及友商「{competitors[0].term}」"
    if by_kind.get("not_operator"):
        return False, f"非运营商含义「{by_kind['not_operator'][0].term}」"
    if about_operator and by_kind.get("category"):
        return True, "信源为运营商话题且含业务词"
    return False, ""


def _cue_scores(text: str, by_kind: dict[str, list[Hit]]
                ) -> tuple[dict[int, float], list[str], dict[int, float]]:
    negations = by_kind.get("negation", [])
    degrees = by_kind.get("degree", [])
    scores = {t: 0.0 for t in range(5)}
    negated_scores = {t: 0.0 for t in range(5)}
    reasons: list[str] = []
    seen: set[str] = set()
    for hit in by_kind.get("cue", []):
        tier, weight = hit.value  # type: ignore[misc]
        prefix = _clause_prefix(text, hit.start, _NEGATION_REACH)
        negated = any(n.end <= hit.start and n.term in prefix for n in negations
                      if n.start >= hit.start - _NEGATION_REACH and n.term not in hit.term)
        if negated and tier >= 2:
            negated_scores[tier] += weight
            if hit.term not in seen:
                reasons.append(f"「{hit.term}」被否定，不计")
                seen.add(hit.term)
            continue
        mult = 1.0
        for deg in degrees:
            if 0 <= hit.start - deg.end <= _DEGREE_REACH:
                mult = max(mult, float(deg.value))  # type: ignore[arg-type]
        scores[tier] += weight * mult
        if hit.term not in seen:
            reasons.append(f"{TIER_LABELS[tier]}词「{hit.term}」")
            seen.add(hit.term)
    if by_kind.get("sarcasm") and scores[0] > 0:
        # Praise next to a sarcasm marker is a grumble dressed up.
        scores[2] += scores[0]
        scores[0] = 0.0
        reasons.append(f"反讽「{by_kind['sarcasm'][0].term}」")
    return scores, reasons, negated_scores


def _tier(scores: dict[int, float], relevant: bool, has_category: bool) -> int:
    if not relevant:
        return 0
    for tier in (4, 3, 2):
        if scores[tier] >= TIER_THRESHOLDS[tier]:
            return tier
    complaint = scores[2] + scores[3] + scores[4]
    if scores[0] > complaint and scores[0] >= 1.0:
        return 0
    if complaint >= TIER_THRESHOLDS[2]:
        return 2
    if scores[1] >= TIER_THRESHOLDS[1] or has_category:
        return 1
    return 0


def _city(by_kind: dict[str, list[Hit]], location: str | None, d: Dictionary) -> str | None:
    mentions = Counter(h.value for h in by_kind.get("city", []))
    if mentions:
        best = max(mentions.values())
        for hit in by_kind["city"]:  # earliest among the most mentioned
            if mentions[hit.value] == best:
                return str(hit.value)
    if location:
        for hit in d.scan(location):
            if hit.kind == "city":
                return str(hit.value)
    return None
