"""Grades a post: intent, operators, relevance, severity, categories, negativity, city,
keywords, reasons.

With a trained model in `model_dir` (fitted by nlp/model.py, run by nlp/predictor.py) and the
committed real-post prior blended in (nlp/prior.py), the intent, the operators, negativity and
categories are the model's, and the lexicon keeps its rules: an operator counts only when the text
names it (or it is ours on an operator-only source that the lexicon finds relevant), and always
when its own account is @-addressed; a non-negated escalation cue the author does not merely ask
about (工信部, 12300, 曝光 …) makes the intent 4, and a grumble addressed to an operator's service
account (@…客服, @…10086) makes it 3. Severity is the intent when the post is about our operator,
else 0. Without a usable model the lexicon grades alone.
"""

from __future__ import annotations

import logging
import threading
import time
from functools import partial
from pathlib import Path
from typing import Iterable, Sequence

from core.post import Post
from core.vocab import TIER_LABELS
from nlp import tokenizer
from nlp.dictionary import Dictionary, get_dictionary
from nlp.dictionary_schema import operator_label
from nlp.influence import influence
from nlp.lexicon import TIER_THRESHOLDS, Analysis, LexiconResult, lexicon_analyse
from nlp.ngrams import Doc
from nlp.predictor import META_FILE, ModelError, Predictor
from nlp.prior import Prior
from nlp.voice import own_words

__all__ = ["Analyzer", "Analysis", "TIER_LABELS"]
log = logging.getLogger("tousu.nlp")
BATCH = 512


class Analyzer:
    """Analyser over the keyword dictionary and, when present and valid, the trained model."""

    def __init__(self, keywords_dir: Path | str, model_dir: Path | str | None = None,
                 use_model: bool = True, prior: Prior | None | bool = True):
        self.keywords_dir = Path(keywords_dir)
        self.model_dir = Path(model_dir) if model_dir else None
        self.use_model = use_model
        # True: the committed real-post prior (nlp/prior.py), loaded with the model; False: none.
        self._prior_arg = prior
        self.prior: Prior | None = None
        self._model: Predictor | None = None
        self.model_meta: dict | None = None
        self._model_stamp: float | None = None
        self._lock = threading.Lock()
        self._dictionary: Dictionary | None = None
        self._checked = 0.0

    @property
    def dictionary(self) -> Dictionary:
        """The keyword dictionary; files are checked for changes at most once a second."""
        now = time.monotonic()
        if self._dictionary is None or now - self._checked > 1.0:
            self._dictionary = get_dictionary(self.keywords_dir)
            tokenizer.configure(self._dictionary.userdict)
            self._checked = now
        return self._dictionary

    @property
    def model(self) -> Predictor | None:
        """The trained model, reloaded when its files change; None means lexicon only."""
        if not self.use_model or self.model_dir is None:
            return None
        meta = self.model_dir / META_FILE
        stamp = meta.stat().st_mtime if meta.exists() else 0.0
        if stamp != self._model_stamp:
            with self._lock:
                if stamp != self._model_stamp:
                    self._load_model(stamp)
        return self._model

    def _load_model(self, stamp: float) -> None:
        self._model_stamp = stamp
        try:
            self._model, self.model_meta = Predictor.load(self.model_dir)  # type: ignore[arg-type]
            if self._prior_arg is True:
                self.prior = Prior.load()
            elif isinstance(self._prior_arg, Prior):
                self.prior = self._prior_arg
            log.info("nlp: using the trained model in %s (trained %s)", self.model_dir,
                     self.model_meta.get("trained_at"))
        except ModelError as exc:
            self._model, self.model_meta = None, None
            log.warning("nlp: %s — grading with the keyword lexicon only", exc)

    @property
    def mode(self) -> str:
        """'model' or 'lexicon': what grades posts now."""
        return "model" if self.model is not None else "lexicon"

    # --- analysis ----------------------------------------------------------------------------
    def lexicon(self, text: str, location: str | None = None, default_city: str | None = None,
                about_operator: bool = False) -> LexiconResult:
        """The lexicon's view of one text (also the model's lexicon features)."""
        return lexicon_analyse(self.dictionary, text, location, default_city, about_operator)

    def docs(self, texts: Sequence[str], lexicon: Sequence[LexiconResult]) -> list[Doc]:
        """Model input: the author's own words of each text, tokenised once, with the lexicon
        numbers of the whole text (who is named in the repost chain is among them)."""
        self.dictionary  # configures the tokeniser's user dictionary
        owns = map(own_words, texts)
        return [Doc(t, tokenizer.tokenize(t), r.features) for t, r in zip(owns, lexicon)]

    def analyse_texts(self, texts: Sequence[str], locations: Sequence[str | None] | None = None,
                      default_cities: Sequence[str | None] | None = None,
                      about_operator: Sequence[bool] | bool = False) -> list[Analysis]:
        """Analyse a batch of texts (vectorised and predicted together)."""
        n = len(texts)
        locations = locations or [None] * n
        default_cities = default_cities or [None] * n
        about = [about_operator] * n if isinstance(about_operator, bool) else list(about_operator)
        d = self.dictionary
        lexicon = [lexicon_analyse(d, t, loc, city, ab)
                   for t, loc, city, ab in zip(texts, locations, default_cities, about)]
        model = self.model
        if model is None or not texts:
            return [r.analysis for r in lexicon]
        out: list[Analysis] = []
        for start in range(0, n, BATCH):
            chunk = slice(start, start + BATCH)
            lex = lexicon[chunk]
            docs = self.docs(texts[chunk], lex)
            pred = model.predict(docs)
            if self.prior is not None:
                pred = self.prior.blend(pred, docs)
            # Python numbers once per batch: indexing numpy arrays per post costs more.
            out.extend(map(partial(_combine, d.brand.name, model.operator_names), lex,
                           pred.intent.tolist(), pred.intent_proba.max(axis=1).tolist(),
                           pred.operators.tolist(), pred.negative.tolist(), pred.categories,
                           about[chunk]))
        return out

    def analyse_text(self, text: str, location: str | None = None,
                     default_city: str | None = None, about_operator: bool = False) -> Analysis:
        """Analyse one text; `location` is e.g. 'IP属地：湖南衡阳'."""
        return self.analyse_texts([text], [location], [default_city], about_operator)[0]

    def analyse(self, post: Post, source_weight: float = 1.0, default_city: str | None = None,
                about_operator: bool = False) -> Post:
        """Fill the analysis fields of `post` in place and return it."""
        return self.analyse_many([post], source_weight, default_city, about_operator)[0]

    def analyse_many(self, posts: Iterable[Post], source_weight: float = 1.0,
                     default_city: str | None = None, about_operator: bool = False) -> list[Post]:
        """Analyse several posts from one source in batches; fills them in place."""
        posts = list(posts)
        results = self.analyse_texts([p.text for p in posts], [p.location for p in posts],
                                     [default_city] * len(posts), about_operator)
        for post, result in zip(posts, results):
            post.severity = result.severity
            post.intent = result.intent
            post.operators = list(map(operator_label, result.operators))
            post.negative = result.negative
            post.relevant = result.relevant
            post.categories = result.categories
            post.city = result.city
            post.keywords = result.keywords
            post.reasons = result.reasons
            post.influence = influence(post.engagement, source_weight)
        return posts


def _combine(ours: str, names: list[str], lex: LexiconResult, intent: int, confidence: float,
             p_operators: list[float], p_negative: float, categories: list[str],
             about_operator: bool) -> Analysis:
    """The model's grade with the lexicon's rules: an operator is only one the text names (own
    words or chain), or ours on an operator-only source; an operator whose own account the post
    @-addresses is always one; a non-negated escalation cue in the author's own words is intent 4;
    a grumble the author @-addresses to an operator's service account is a complaint made (3)."""
    base = lex.analysis
    reasons = list(base.reasons)
    addressed = lex.addressed
    operators = [n for n, p in zip(names, p_operators)
                 if (p >= 0.5 and lex.mentions.get(n)) or n in addressed]
    p_ours = p_operators[names.index(ours)] if ours in names else float(base.relevant)
    relevant = ours in operators
    if not relevant and about_operator and base.relevant:
        relevant = True
        operators.insert(0, ours)
    reasons.append(f"模型：{TIER_LABELS[intent]}（{confidence:.2f}）")
    if base.scores.get(4, 0.0) >= TIER_THRESHOLDS[4] and intent < 4:
        intent = 4
        reasons.append("规则：明确的升级/曝光意图 → 4级")
    elif intent == 2 and lex.tells_service:
        intent = 3
        reasons.append("规则：@运营商客服账号反映不满 → 3级")
    others = [operator_label(n) for n in operators if n != ours]
    if relevant:
        if not categories:
            categories = base.categories
    else:
        categories = []
        if not others:
            reasons.append(f"模型：与运营商无关（{1 - p_ours:.2f}）")
    if others:
        reasons.append(f"涉及友商：{'、'.join(others)}")
    return Analysis(severity=intent if relevant else 0, negative=round(p_negative, 4),
                    relevant=relevant, categories=categories, city=base.city,
                    keywords=base.keywords, reasons=reasons, scores=base.scores, intent=intent,
                    operators=operators)
