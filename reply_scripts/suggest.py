"""Suggest approved scripts for a post or a case, with the reason each was chosen."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics.pairwise import linear_kernel

from accounts.models import PermissionDenied, User
from nlp.tokenizer import tokenize
from reply_scripts.models import ScriptVersion, fill_placeholders
from reply_scripts.service import ScriptService

TEXT_WEIGHT, CATEGORY_WEIGHT, TIER_FIT, TIER_MISFIT = 0.65, 0.35, 1.3, 0.5
# The text cosine at which a script's scenario fits the post's problem: one common word shared
# (一直, 家里, 宽带 in a 宽带 script) stays below it, two telling words (宽带到期, 自动续费) reach it.
PROBLEM_FIT = 0.1
_STOP = frozenset("我们 你们 他们 什么 怎么 这个 那个 就是 还是 已经 没有 一个 可以 因为 所以 但是 "
                  "而且 如果 然后 客户 用户 网友 情况 问题 反映 表示 相关 进行 我的 自己 现在 一下".split())


def terms(text: str) -> list[str]:
    """The words of a text that suggestion compares (stop words and short numbers left out)."""
    # Short numbers are amounts, days and times; five digits and more name hotlines and
    # regulators (10086, 12300, 12315), which scripts are written for.
    return [t for t in tokenize(text)
            if len(t) >= 2 and t not in _STOP and not (t.isdigit() and len(t) < 5)]


def _given(tokens: list[str]) -> list[str]:
    """The analyzer of texts tokenised already (a module-level function: lambdas don't pickle)."""
    return tokens


def text_fit(text: str, docs: list[list[str]]) -> tuple[list[float], list[list[str]]]:
    """TF-IDF cosine of the text to each doc (sublinear tf, idf smoothed over the docs) and the
    terms each doc shares with the text, the heaviest first."""
    words = terms(text)
    query = list(dict.fromkeys(words))  # in order of first use: ties keep the text's order
    # The text's own terms are in the vocabulary too: weighted as terms no script has, they count
    # in the text's norm, so a long post sharing one word with a script is not a close match.
    vocabulary = {t for doc in docs for t in doc}.union(query)
    if not vocabulary:
        return [0.0] * len(docs), [[] for _ in docs]
    tfidf = TfidfVectorizer(analyzer=_given, vocabulary=sorted(vocabulary), sublinear_tf=True)
    scripts = tfidf.fit_transform(docs)
    post = tfidf.transform([words])
    columns = [tfidf.vocabulary_[t] for t in query]
    products = scripts[:, columns].multiply(post[:, columns]).toarray()
    # Rounded so that equal weights reached by different float steps tie (and keep the text's order).
    shared = [[query[k] for k in sorted(np.flatnonzero(row), key=lambda k: -round(row[k], 9))]
              for row in products]
    return linear_kernel(post, scripts)[0].tolist(), shared


def category_fit(wanted: list[str], categories: list[str]) -> tuple[float, list[str]]:
    """(score in [0, 1], the shared categories) of an entry's categories to a post's.

    Sharing any category matters most; covering more of them only breaks ties, so an entry
    tagged with many categories does not beat the one whose text fits the post."""
    shared = [c for c in wanted if c in categories]
    return ((0.75 + 0.25 * len(shared) / len(wanted)) if shared else 0.0), shared


def _escalation(version: ScriptVersion) -> bool:
    """A general escalation script: for any category (其他), written for tier-4 posts."""
    return "其他" in version.categories and 4 in version.tiers


@dataclass
class Suggestion:
    """One suggested script: score in [0, 1], why (Chinese), and the filled reply."""

    script_id: int
    code: str
    version: int
    title: str
    score: float
    why: str
    shared_terms: list[str] = field(default_factory=list)
    shared_categories: list[str] = field(default_factory=list)
    reply: str = ""
    missing_placeholders: list[str] = field(default_factory=list)
    risk_note: str = ""

    def to_dict(self) -> dict[str, Any]:
        return self.__dict__.copy()


def suggest(service: ScriptService, actor: User, text: str, categories: list[str] | None = None,
            values: dict[str, str] | None = None, limit: int = 5,
            tier: int | None = None) -> list[Suggestion]:
    """Best approved scripts for a text: TF-IDF cosine to scenario/title plus category overlap;
    a script written for given severity tiers scores ×1.3 when the post's tier is one of them
    and ×0.5 when it is not (no 曝光 script for a simple question). The best script for the
    post's own problem (sharing a category, its scenario fitting the text) comes first; for a
    tier-4 post the best general escalation script comes second (see `_problem_first`)."""
    service._reader(actor)
    candidates = service.official_versions()
    if not candidates:
        return []
    cosines, shared_terms = text_fit(text, [terms(f"{v.title}\n{v.scenario}\n{' '.join(v.categories)}")
                                             for _, v in candidates])
    wanted = [c for c in (categories or []) if c != "其他"]
    out = []
    escalation: set[int] = set()
    problem: set[int] = set()
    for (script, version), cosine, shared in zip(candidates, cosines, shared_terms):
        cat_score, shared_cats = category_fit(wanted, version.categories)
        reasons = []
        # For an exposure/escalation post (tier 4) the general escalation scripts fit whatever the
        # category: that is the moment an official, vetted answer matters most.
        if _escalation(version):
            escalation.add(script.script_id)
            if tier == 4 and not shared_cats:
                cat_score = 0.75
                reasons.append("曝光/升级通用口径")
        elif shared_cats and cosine >= PROBLEM_FIT:
            problem.add(script.script_id)
        score = TEXT_WEIGHT * cosine + CATEGORY_WEIGHT * cat_score
        if tier is not None and version.tiers:
            if tier in version.tiers:
                score *= TIER_FIT
                reasons.append(f"适用等级：{tier}级")
            else:
                score *= TIER_MISFIT
        if score <= 0:
            continue
        if shared_cats:
            reasons.append(f"分类相同：{'、'.join(shared_cats)}")
        if shared:
            reasons.append(f"共同词：{'、'.join(shared[:6])}")
        reply, missing = fill_placeholders(version.body, values or {})
        out.append(Suggestion(script.script_id, script.code, version.version, version.title,
                              round(score, 3), "；".join(reasons), shared[:6], shared_cats, reply,
                              missing, version.risk_note))
    out.sort(key=lambda s: (-s.score, s.code))
    return _problem_first(out, problem, escalation, tier)[:limit]


def _problem_first(ranked: list[Suggestion], problem: set[int], escalation: set[int],
                   tier: int | None) -> list[Suggestion]:
    """The best script for the post's problem first; for a tier-4 post the best general
    escalation script second; the rest by score.

    A post that threatens 12315 over an auto-renewal is answered about the auto-renewal: the
    escalation script adds how to meet the threat, so it must not push the problem's own script
    out of first place. When no script fits the problem, the escalation script leads."""
    head = [s for s in ranked if s.script_id in problem][:1]
    if tier == 4:
        head += [s for s in ranked if s.script_id in escalation][:1]
    return head + [s for s in ranked if all(s is not h for h in head)]


def placeholder_values(config: Any, case: Any = None, post: Any = None) -> dict[str, str]:
    """Values for {昵称} {城市} {热线} {工单号} from a case and/or post and the config."""
    author = (getattr(case, "author", "") or getattr(post, "author", "") or "").strip()
    city = getattr(case, "city", None) or getattr(post, "city", None) or ""
    return {"昵称": author if author and author not in ("匿名", "游客") else "网友",
            "城市": city, "热线": config.cases.hotline if config is not None else "10086",
            "工单号": getattr(case, "case_no", "") or ""}


def case_text(cases: Any, actor: User, case_id: int) -> tuple[Any, Any, str]:
    """(case, its stored post or None, the text suggestions match) for a case the actor may see
    (the case service checks the branch)."""
    case = cases.get(actor, case_id)
    post = cases.store.get(case.post_id) if case.post_id else None
    return case, post, post.text if post else f"{case.title}\n{case.summary}"


def suggest_for_case(config: Any, scripts: ScriptService, cases: Any, actor: User, case_id: int,
                     limit: int = 5) -> list[Suggestion]:
    """Suggestions for a case the actor may see (the case service checks the branch)."""
    case, post, text = case_text(cases, actor, case_id)
    return suggest(scripts, actor, text, case.categories, placeholder_values(config, case, post), limit,
                   tier=case.tier)


def suggest_for_post(config: Any, scripts: ScriptService, store: Any, actor: User, post_id: str,
                     limit: int = 5) -> list[Suggestion]:
    """Suggestions for a stored post (monitors and province-wide roles; handlers for their cities)."""
    post = store.get(post_id)
    if post is None or not (actor.province_wide or actor.role == "reviewer"
                            or actor.may_see_city(post.city)):
        raise PermissionDenied("帖子不存在或不在您的管辖范围内")
    return suggest(scripts, actor, post.text, post.categories, placeholder_values(config, None, post),
                   limit, tier=post.severity)
