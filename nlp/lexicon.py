"""The lexicon grader: relevance, categories, severity cues (negation, degree, sarcasm) and city.

It is the fallback when no trained model is available, a source of features for the model, and
the floor rules the model must respect (see nlp/analyzer.py).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field

from nlp.dictionary import Dictionary
from nlp.dictionary_schema import CATEGORIES

TIER_LABELS = {0: "无关/正面", 1: "咨询求助", 2: "抱怨吐槽", 3: "投诉", 4: "曝光/升级"}
# Minimum cue score for a tier to be assigned from the lexicon alone.
TIER_THRESHOLDS = {4: 2.0, 3: 1.5, 2: 1.0, 1: 1.0}
_CLAUSE_END = re.compile(r"[，。！？!?；;,\n]")
_NEGATION_REACH = 6  # characters before a cue that a negation word still governs
_DEGREE_REACH = 3
N_FEATURES = 36
_NO_CATEGORIES = [0.0] * len(CATEGORIES)
_ONE_HOT_TIER = [[float(t == tier) for t in range(5)] for tier in range(5)]
_KEYWORD_KINDS = frozenset(("operator", "category", "cue", "competitor"))
# One dictionary hit inside the lexicon: (term, start, end, value), grouped by kind. Plain tuples:
# building a NamedTuple Hit per hit cost more than the whole automaton scan.
Found = tuple[str, int, int, object]


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
    by_kind, keywords = _hits_by_kind(d, text)
    relevant, relevance_reason = _relevance(by_kind, about_operator)
    category_hits = by_kind.get("category")
    found = {value for _, _, _, value in category_hits} if category_hits else set()
    categories = [c for c in d.categories.categories if c in found] if found else []
    scores, reasons, negated = _cue_scores(text, by_kind)
    severity = _tier(scores, relevant, bool(categories))
    if relevance_reason:
        reasons.insert(0, relevance_reason)
    negative = 1.0 / (1.0 + math.exp(-(1.2 * scores[4] + scores[3] + 0.9 * scores[2]
                                       - 1.2 * scores[0] - 0.8)))
    city = _city(by_kind, location, d) or default_city
    analysis = Analysis(severity=severity, negative=round(negative, 4), relevant=relevant,
                        categories=categories if relevant else [], city=city, keywords=keywords,
                        reasons=reasons, scores=scores)
    log1p = math.log1p
    features = [log1p(scores[0]), log1p(scores[1]), log1p(scores[2]), log1p(scores[3]),
                log1p(scores[4]), log1p(negated[2]), log1p(negated[3]), log1p(negated[4])]
    features += _ONE_HOT_TIER[severity]
    features += [float("operator" in by_kind), float("ambiguous" in by_kind),
                 float("competitor" in by_kind), float("not_operator" in by_kind),
                 float(about_operator), float(relevant), float("sarcasm" in by_kind)]
    features += [1.0 if c in found else 0.0 for c in CATEGORIES] if found else _NO_CATEGORIES
    features += [float("?" in text or "？" in text or "吗" in text[-6:]),
                 log1p(text.count("!") + text.count("！")),
                 log1p(len(text)) / 5.0,
                 log1p(len(by_kind.get("city", ())))]
    assert len(features) == N_FEATURES
    return LexiconResult(analysis, features, categories)


def _hits_by_kind(d: Dictionary, text: str) -> tuple[dict[str, list[Found]], list[str]]:
    """The dictionary's hits grouped by kind (each group left to right), and the keywords in order."""
    by_kind: dict[str, list[Found]] = {}
    keywords: dict[str, None] = {}
    for start, end, kinds in d.matches(text):
        term = text[start:end]
        for kind, value in kinds:
            group = by_kind.get(kind)
            if group is None:
                group = by_kind[kind] = []
            group.append((term, start, end, value))
            if kind in _KEYWORD_KINDS:
                keywords[term] = None
    return by_kind, list(keywords)


def _relevance(by_kind: dict[str, list[Found]], about_operator: bool) -> tuple[bool, str]:
    operator = by_kind.get("operator", []) + by_kind.get("ambiguous", [])
    not_operator = by_kind.get("not_operator")
    if not_operator and operator:
        blocked = [(s, e) for _, s, e, _ in not_operator]
        operator = [h for h in operator
                    if not any(s <= h[1] and h[2] <= e for s, e in blocked)]
    if operator:
        return True, f"提及运营商「{operator[0][0]}」"
    competitors = by_kind.get("competitor")
    if competitors:
        return False, f"仅涉及友商「{competitors[0][0]}」"
    if not_operator:
        return False, f"非运营商含义「{not_operator[0][0]}」"
    if about_operator and "category" in by_kind:
        return True, "信源为运营商话题且含业务词"
    return False, ""


def _negated(text: str, cue: str, start: int, negations: list[Found]) -> bool:
    """A negation word governs the cue at `start`: close before it, in its clause, not part of it."""
    near = [term for term, n_start, n_end, _ in negations
            if n_start >= start - _NEGATION_REACH and n_end <= start and term not in cue]
    if not near:
        return False
    prefix = _clause_prefix(text, start, _NEGATION_REACH)
    return any(term in prefix for term in near)


def _cue_scores(text: str, by_kind: dict[str, list[Found]]
                ) -> tuple[dict[int, float], list[str], dict[int, float]]:
    negations = by_kind.get("negation")
    degrees = by_kind.get("degree")
    scores = {0: 0.0, 1: 0.0, 2: 0.0, 3: 0.0, 4: 0.0}
    negated_scores = {0: 0.0, 1: 0.0, 2: 0.0, 3: 0.0, 4: 0.0}
    reasons: list[str] = []
    seen: set[str] = set()
    for term, start, _, (tier, weight) in by_kind.get("cue", ()):  # type: ignore[misc]
        if negations and tier >= 2 and _negated(text, term, start, negations):
            negated_scores[tier] += weight
            if term not in seen:
                reasons.append(f"「{term}」被否定，不计")
                seen.add(term)
            continue
        mult = 1.0
        if degrees:
            for _, _, deg_end, deg_mult in degrees:
                if 0 <= start - deg_end <= _DEGREE_REACH:
                    mult = max(mult, float(deg_mult))  # type: ignore[arg-type]
        scores[tier] += weight * mult
        if term not in seen:
            reasons.append(f"{TIER_LABELS[tier]}词「{term}」")
            seen.add(term)
    if "sarcasm" in by_kind and scores[0] > 0:
        # Praise next to a sarcasm marker is a grumble dressed up.
        scores[2] += scores[0]
        scores[0] = 0.0
        reasons.append(f"反讽「{by_kind['sarcasm'][0][0]}」")
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


def _city(by_kind: dict[str, list[Found]], location: str | None, d: Dictionary) -> str | None:
    cities = [value for _, _, _, value in by_kind.get("city", ())]
    if len(cities) == 1:
        return str(cities[0])
    if cities:
        mentions = Counter(cities)
        best = max(mentions.values())
        for city in cities:  # earliest among the most mentioned
            if mentions[city] == best:
                return str(city)
    if location:
        for hit in d.scan(location):
            if hit.kind == "city":
                return str(hit.value)
    return None
