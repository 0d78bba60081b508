import json

from nlp import tokenizer
from tests.conftest import ROOT


def _texts():
    texts = [json.loads(line)["text"] for line in
             (ROOT / "data" / "labeled" / "handwritten.jsonl").read_text(encoding="utf-8").splitlines()]
    texts += [json.loads(line)["content"] for line in
              (ROOT / "demo" / "posts.jsonl").read_text(encoding="utf-8").splitlines()[:80]]
    return texts + ["Type-C接口的iPhone15 Pro 5G套餐，evil.example/x?a=1 50%退款 ５Ｇ网络 3.5元 e-mail"]


def test_fast_backend_gives_exactly_the_jieba_tokens():
    for text in _texts():
        assert tokenizer.tokenize(text) == tokenizer.tokenize_jieba(text), text


def test_user_dictionary_words_stay_whole():
    tokens = tokenizer.tokenize("湖南移动乱扣费，打10086没用")
    assert "湖南移动" in tokens and "10086" in tokens
    assert "，" not in tokens


def test_search_tokens_adds_subwords():
    words, subwords = tokenizer.search_tokens("中华人民共和国")
    assert words and all(w not in subwords for w in words)
