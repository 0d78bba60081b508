import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from nlp.features import Doc, LexiconFeatures, NgramVectorizer, char_ngrams, word_ngrams
from nlp.lexicon import N_FEATURES

DOCS = [Doc(t, t.split(), [0.0] * N_FEATURES) for t in
        ["移动 宽带 断网 断网", "移动 信号 差", "联通 宽带 还行", "移动 宽带 断网 了 投诉"]]


def test_ngrams():
    assert word_ngrams(Doc("", ["a", "b", "c"], [])) == ["a", "b", "c", "a b", "b c"]
    assert char_ngrams(Doc("移动 \n信号", [], [])) == ["移动", "动 ", " 信", "信号", "移动 ", "动 信", " 信号"]


def test_ngram_vectorizer_matches_sklearn_tfidf():
    for analyzer in (word_ngrams, char_ngrams):
        ours = NgramVectorizer(analyzer, min_df=1).fit(DOCS).transform(DOCS)
        theirs = TfidfVectorizer(analyzer=analyzer, sublinear_tf=True).fit(DOCS).transform(DOCS)
        assert ours.shape == theirs.shape
        assert np.allclose(ours.toarray(), theirs.toarray(), atol=1e-6)


def test_unknown_ngrams_are_ignored_and_empty_docs_are_zero():
    vec = NgramVectorizer(word_ngrams, min_df=1).fit(DOCS)
    X = vec.transform([Doc("", [], []), Doc("", ["从没见过"], [])])
    assert X.nnz == 0


def test_lexicon_block_is_scaled():
    X = LexiconFeatures(weight=2.0).fit(DOCS).transform([Doc("", [], [1.0] * N_FEATURES)])
    assert X.shape == (1, N_FEATURES) and X.toarray().max() == 2.0
