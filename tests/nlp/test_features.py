import json

import numpy as np
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer

from nlp.features import CharNgrams, Doc, LexiconFeatures, WordNgrams
from nlp.lexicon import N_FEATURES
from tests.conftest import ROOT

DOCS = [Doc(t, t.split(), [0.0] * N_FEATURES) for t in
        ["移动 宽带 断网 断网", "移动 信号 差", "联通 宽带 还行", "移动 宽带 断网 了 投诉",
         "İstanbul Type-C\t充电 ", "", "移", "A a 😀 😀 emoji"]]


def word_ngrams(doc):
    """The strings the keyed vectorisers must reproduce."""
    return doc.tokens


def char_ngrams(doc):
    text = " ".join(doc.text[:600].lower().split())
    return [text[i:i + 2] for i in range(len(text) - 1)]


def labeled_docs(n=300):
    lines = (ROOT / "data" / "labeled" / "handwritten.jsonl").read_text(encoding="utf-8").splitlines()
    texts = [json.loads(line)["text"] for line in lines[:n]]
    return [Doc(t, list(t.replace("，", " ").split()), [0.0] * N_FEATURES) for t in texts]


@pytest.mark.parametrize("ours,analyzer", [(WordNgrams, word_ngrams), (CharNgrams, char_ngrams)])
@pytest.mark.parametrize("min_df", [1, 2])
def test_keyed_ngrams_equal_sklearn_tfidf_over_strings(ours, analyzer, min_df):
    train, test = labeled_docs()[:200] + DOCS, labeled_docs()[200:] + DOCS
    vec = ours(min_df=min_df).fit(train)
    theirs = TfidfVectorizer(analyzer=analyzer, sublinear_tf=True, min_df=min_df).fit(train)
    names = vec.get_feature_names_out()
    assert sorted(names) == sorted(theirs.get_feature_names_out())
    order = [theirs.vocabulary_[n] for n in names]  # their columns in our column order
    for docs in (train, test):
        assert np.allclose(vec.transform(docs).toarray(), theirs.transform(docs).toarray()[:, order])


def test_max_features_keeps_the_most_frequent():
    vec = WordNgrams(min_df=1, max_features=2).fit(DOCS)
    assert set(vec.get_feature_names_out()) == {"移动", "宽带"}  # in three texts each


def test_unknown_ngrams_are_ignored_and_empty_docs_are_zero():
    vec = WordNgrams(min_df=1).fit(DOCS)
    X = vec.transform([Doc("", [], []), Doc("", ["从没见过"], [])])
    assert X.shape == (2, len(vec.keys_)) and X.nnz == 0
    assert CharNgrams(min_df=5).fit(DOCS).transform(DOCS).nnz == 0  # empty vocabulary


def test_lexicon_block_is_scaled():
    X = LexiconFeatures(weight=2.0).fit(DOCS).transform([Doc("", [], [1.0] * N_FEATURES)])
    assert X.shape == (1, N_FEATURES) and X.max() == 2.0
