"""The lexicon grader: relevance, categories, severity cues (negation, degree, sarcasm) and city.

It is the fallback when no trained model is available, a source of features for the model, and
the floor rules the model must respect (see nlp/analyzer.py).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field

from core.vocab import CATEGORIES, TIER_LABELS
from nlp.dictionary import KEYWORD_KINDS, Dictionary
from nlp.voice import chain_start

# Minimum cue score for a tier to be assigned from the lexicon alone.
TIER_THRESHOLDS = {4: 2.0, 3: 1.5, 2: 1.0, 1: 1.0}
_CLAUSE_END = re.compile(r"[，。！？!?；;,\n]")
# Asking about an act rather than doing it; and the ultimatum words that keep a question-marked
# clause a threat (再不退钱，就去工信部？ is rare; 不给退就告你们？ reads as a threat).
_ASKING = re.compile(r"要不要|是否|能不能|能否|可不可以|可以吗|有用吗|有没有用|管用吗|有效吗|听说|"
                     r"怎么投诉|在哪投诉|去哪投诉|哪里投诉|怎么申诉|如何申诉|怎么才能")
_THREAT = re.compile(r"再不|不然|否则|不给|不退|就去|就找")
_NEGATION_REACH = 6  # characters before a cue that a negation word still governs
_DEGREE_REACH = 3
_OPERATOR_SLOTS = 4
N_FEATURES = 36 + 2 * _OPERATOR_SLOTS + 7
# Addressing an operator's service account (@北京移动10086热线, @联通客服) in one's own words is
# telling the operator, the way a call to the hotline is.
_SERVICE_HANDLE = re.compile(r"@[^\s@:：,，。!！?？]{0,12}(?:10086|10010|10000|客服|热线)")
_HANDLE = re.compile(r"@[^\s@:：,，。!！?？、;；\[\]()（）#/]{1,30}")
# An operator named as the standard of a comparison (电信居然比移动还慢, 电信没移动的快) after
# another operator in the same sentence is not what the post is about (docs/labeling.md); nor is
# the one the author means to switch to (准备改用联通, 打算换个电信的号): the post is about the one
# left, or about none.
_COMPARED = re.compile(r"(?:比|不如|不像|不象|没|没有)$")
_SWITCH_TO = re.compile(r"(?:准备|打算|考虑|就|得|(?<!过)去(?!年)|想|"
                        r"果断|立马|即刻|干脆|直接|赶紧|以后|到时)"
                        r"[^，。！？,!?\s不别没]{0,3}?"
                        r"(?:(?:换成?|改用|转用|转投|转网到|转到|转去|转入|入)(?:个|张)?|整个)$")
_SENTENCE_END = re.compile(r"[。！？!?\n]")
# An operator's own account: 「@中国移动」「@湖南移动」「@河南移动10086」「@中国联通河南客服」「@10086」,
# not a person whose name carries the word (@长沙移动小王) nor another of its units (@中国移动终端商城).
_OFFICIAL = re.compile(
    r"@(?:(?:中国)?(?:[\u4e00-\u9fff]{2,3})?(?:移动|联通|电信|广电)"
    r"(?:(?:[\u4e00-\u9fff]{2,3})?(?:客服|热线|10086|10010|10000|官方微博|官微))*"
    r"|中国(?:移动|联通|电信|广电)[\u4e00-\u9fff]{2,3}|(?:10086|10010|10000)(?:客服|热线)?)")
_EMOTICON = re.compile(r"\[[^\[\]]{1,8}\]")  # [怒] [泪]
_TAIL = " \t\n:：,，.。!！?？~～、"
_QUESTION = re.compile(r"怎么|如何|请问|有没有|能不能|能否|是不是|为什么|为啥|咋|哪里|哪个|多少|啥")
_ASKS = re.compile(r"[?？吗]|" + _QUESTION.pattern)
_NO_CATEGORIES = [0.0] * len(CATEGORIES)
_ONE_HOT_TIER = [[float(t == tier) for t in range(5)] for tier in range(5)]
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
    intent: int = 0  # the author's complaint intent, whoever the target
    operators: list[str] = field(default_factory=list)  # full names (中国移动 …)


@dataclass
class LexiconResult:
    """The lexicon's analysis plus the numbers the model reads as features."""

    analysis: Analysis
    features: list[float]
    all_categories: list[str]  # category terms found, even when the post is not relevant
    mentions: dict[str, int]  # operator name -> times named, own words or chain
    addressed: frozenset[str] = frozenset()  # operators whose own account is @-addressed
    tells_service: bool = False  # the author's own words @-address an operator's service account


def _clause_prefix(text: str, start: int, reach: int) -> str:
    """Up to `reach` characters before `start`, cut at the last clause boundary."""
    prefix = text[max(0, start - reach):start]
    parts = _CLAUSE_END.split(prefix)
    return parts[-1]


def lexicon_analyse(d: Dictionary, text: str, location: str | None = None,
                    default_city: str | None = None, about_operator: bool = False) -> LexiconResult:
    """Grade one text from the dictionary alone.

    Cues count in the author's own words only (nlp/voice.py); who the post is about may come from
    the repost chain as well."""
    by_kind, keywords = _hits_by_kind(d, text)
    cut = chain_start(text)
    own_kind = _before(by_kind, cut) if cut < len(text) else by_kind
    own_text = text[:cut]
    operator_hits = _operator_hits(by_kind, text, d.operator_bare_names)
    mentions, own_mentions, handle_mentions = _mentions(operator_hits, cut, text)
    relevant, relevance_reason = _relevance(by_kind, operator_hits, about_operator, d.brand.name)
    category_hits = by_kind.get("category")
    found = {value for _, _, _, value in category_hits} if category_hits else set()
    categories = [c for c in d.categories.categories if c in found] if found else []
    scores, reasons, negated = _cue_scores(own_text, own_kind)
    intent = _tier(scores, bool(categories))
    severity = intent if relevant else 0
    if relevance_reason:
        reasons.insert(0, relevance_reason)
    negative = 1.0 / (1.0 + math.exp(-(1.2 * scores[4] + scores[3] + 0.9 * scores[2]
                                       - 1.2 * scores[0] - 0.8)))
    city = _city(by_kind, location, d) or default_city
    operators = [n for n in d.operator_names if mentions.get(n)]
    if relevant and d.brand.name not in operators:
        operators.insert(0, d.brand.name)
    analysis = Analysis(severity=severity, negative=round(negative, 4), relevant=relevant,
                        categories=categories if relevant else [], city=city, keywords=keywords,
                        reasons=reasons, scores=scores, intent=intent, operators=operators)
    log1p = math.log1p
    features = [log1p(scores[0]), log1p(scores[1]), log1p(scores[2]), log1p(scores[3]),
                log1p(scores[4]), log1p(negated[2]), log1p(negated[3]), log1p(negated[4])]
    features += _ONE_HOT_TIER[intent]
    features += [float("operator" in by_kind), float("ambiguous" in by_kind),
                 float("competitor" in by_kind), float("not_operator" in by_kind),
                 float(about_operator), float(relevant), float("sarcasm" in own_kind)]
    features += [1.0 if c in found else 0.0 for c in CATEGORIES] if found else _NO_CATEGORIES
    own = own_text.strip()
    features += [float(own.endswith(("?", "？", "吗", "呢"))),
                 log1p(own.count("!") + own.count("！")),
                 log1p(len(own)) / 5.0,
                 log1p(len(by_kind.get("city", ())))]
    # Who is named where: four operator slots (ours first), own words and chain apart.
    names = d.operator_names
    for slot in range(_OPERATOR_SLOTS):
        name = names[slot] if slot < len(names) else None
        own_n = own_mentions.get(name, 0) if name else 0
        features += [log1p(own_n), log1p(mentions.get(name, 0) - own_n) if name else 0.0]
    features += [float(cut < len(text)), float(len(operators) > 1),
                 float(bool(own_mentions.get(d.brand.name))
                       and "operator" not in own_kind),  # named only through 移动-like words
                 log1p(_QUESTION.subn("", own)[1]),
                 float(bool(mentions.get(d.brand.name))
                       and handle_mentions.get(d.brand.name) == mentions.get(d.brand.name)),
                 log1p(sum(handle_mentions.values())),
                 float(bool(_SERVICE_HANDLE.search(own_text)))]
    assert len(features) == N_FEATURES
    addressed, tells = (_addressed(operator_hits, text, cut) if handle_mentions
                        else (frozenset(), False))
    return LexiconResult(analysis, features, categories, mentions, addressed, tells)


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
            if kind in KEYWORD_KINDS:
                keywords[term] = None
    return by_kind, list(keywords)


def _before(by_kind: dict[str, list[Found]], cut: int) -> dict[str, list[Found]]:
    """The hits that start before `cut` (the author's own words)."""
    out = {}
    for kind, hits in by_kind.items():
        kept = [h for h in hits if h[1] < cut]
        if kept:
            out[kind] = kept
    return out


def _operator_hits(by_kind: dict[str, list[Found]], text: str, bare: frozenset[str]
                   ) -> list[Found]:
    """Hits naming an operator (ours or a competitor), left out where a not_operator phrase covers
    them, and an operator named only as the standard of a comparison or as where the author
    means to switch to."""
    hits = by_kind.get("operator", []) + by_kind.get("ambiguous", []) + by_kind.get("competitor", [])
    not_operator = by_kind.get("not_operator")
    if not_operator and hits:
        blocked = [(s, e) for _, s, e, _ in not_operator]
        hits = [h for h in hits if not any(s <= h[1] and h[2] <= e for s, e in blocked)]
    if hits:
        aside = {h for h in hits if _switched_to(h, text) or _compared(h, hits, text, bare)}
        if aside:
            names = {h[3] for h in hits if h not in aside}
            # Named elsewhere too, it is still a subject of the post.
            hits = [h for h in hits if h not in aside or h[3] in names]
    return hits


def _switched_to(hit: Found, text: str) -> bool:
    """`hit` names the operator the author means to switch to (准备改用联通), in a post that
    asks nothing (想换联通，信号怎么样？ asks about it)."""
    start = hit[1]
    return (bool(_SWITCH_TO.search(_CLAUSE_END.split(text[max(0, start - 10):start])[-1]))
            and not _ASKS.search(text))


def _compared(hit: Found, hits: list[Found], text: str, bare: frozenset[str]) -> bool:
    """`hit` is an operator's bare name right after a comparison word (比, 不如, 没 …), with
    another operator named before it in the same sentence."""
    term, start, _, name = hit
    if len(hits) < 2 or term.lower() not in bare \
            or not _COMPARED.search(text[max(0, start - 2):start]):
        return False
    sentence = _SENTENCE_END.split(text[:start])[-1]
    begin = start - len(sentence)
    return any(begin <= s < start and n != name for _, s, _, n in hits)


def _mentions(operator_hits: list[Found], cut: int, text: str
              ) -> tuple[dict[str, int], dict[str, int], dict[str, int]]:
    """(times each operator is named anywhere, in the author's own words, inside an @handle).

    An operator word inside a user name (@福建移动小王, @脑残粉10086) names a person, not
    always the operator: the model sees those apart."""
    everywhere: Counter[str] = Counter()
    own: Counter[str] = Counter()
    handles: Counter[str] = Counter()
    spans = [m.span() for m in _HANDLE.finditer(text)] if "@" in text else ()
    for _, start, _, name in operator_hits:
        everywhere[name] += 1  # type: ignore[index]
        if start < cut:
            own[name] += 1  # type: ignore[index]
        if spans and any(s < start < e for s, e in spans):
            handles[name] += 1  # type: ignore[index]
    return everywhere, own, handles


def _addressed(operator_hits: list[Found], text: str, cut: int) -> tuple[frozenset[str], bool]:
    """(the operators whose own account the post @-addresses, whether the author's own words
    address one's service account: @…客服, @…10086 …).

    「@中国移动 …」, 「//@湖南移动:」: telling the operator is about it. Not in a list of tags
    mostly of other accounts, nor when the handles are all the post says (「@甲 @乙 @某地移动 @丙」)."""
    handles = list(_HANDLE.finditer(text))
    official = [m for m in handles if _OFFICIAL.fullmatch(m.group())]
    if not official or (len(handles) > 2 and 2 * len(official) < len(handles)):
        return frozenset(), False
    if len(_HANDLE.sub("", text).strip(_TAIL + "/")) < 2:
        return frozenset(), False
    names = frozenset(name for _, start, _, name in operator_hits  # type: ignore[misc]
                      if any(m.start() < start < m.end() for m in official))
    # Addressed: words follow the handle. A service handle tagged at the very end is how many
    # posts are signed off, complaint or not.
    tells = any(m.end() < cut and _SERVICE_HANDLE.match(m.group())
                and len(_EMOTICON.sub("", text[m.end():cut]).strip(_TAIL)) >= 2
                for m in official)
    return names, tells


def _relevance(by_kind: dict[str, list[Found]], operator_hits: list[Found], about_operator: bool,
               ours: str) -> tuple[bool, str]:
    term = next((h[0] for h in operator_hits if h[3] == ours), None)
    if term is not None:
        return True, f"提及运营商「{term}」"
    competitors = by_kind.get("competitor")
    if competitors:
        return False, f"仅涉及友商「{competitors[0][0]}」"
    not_operator = by_kind.get("not_operator")
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


def _asked(text: str, start: int, end: int) -> bool:
    """The cue sits in a clause that asks (…有用吗？ 要不要去…): an escalation or complaint the
    author asks about is not one they make (docs/labeling.md). An ultimatum (再不退就去…) is not
    a question and still counts."""
    before = _CLAUSE_END.split(text[max(0, start - 12):start])[-1]
    after_match = _CLAUSE_END.search(text, end)
    stop = after_match.start() if after_match else len(text)
    clause = before + text[start:stop]
    if after_match and after_match.group() in "？?" and not _THREAT.search(before):
        return True
    return bool(_ASKING.search(clause))


def _cue_scores(text: str, by_kind: dict[str, list[Found]]
                ) -> tuple[dict[int, float], list[str], dict[int, float]]:
    negations = by_kind.get("negation")
    degrees = by_kind.get("degree")
    scores = {0: 0.0, 1: 0.0, 2: 0.0, 3: 0.0, 4: 0.0}
    negated_scores = {0: 0.0, 1: 0.0, 2: 0.0, 3: 0.0, 4: 0.0}
    reasons: list[str] = []
    seen: set[str] = set()
    for term, start, end, (tier, weight) in by_kind.get("cue", ()):  # type: ignore[misc]
        not_counted = ("被否定" if negations and tier >= 2 and _negated(text, term, start, negations)
                       else "只是询问" if tier >= 3 and _asked(text, start, end) else None)
        if not_counted:
            negated_scores[tier] += weight
            if term not in seen:
                reasons.append(f"「{term}」{not_counted}，不计")
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


def _tier(scores: dict[int, float], has_category: bool) -> int:
    """The intent the cues say, whoever the post is about."""
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
