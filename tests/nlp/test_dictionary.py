import json
import shutil

import pytest

from nlp.dictionary import DictionaryError, get_dictionary, load_dictionary
from tests.conftest import ROOT


def test_automaton_scan_finds_what_the_regex_finds():
    d = get_dictionary(ROOT / "keywords")
    texts = [json.loads(line)["text"] for line in
             (ROOT / "data" / "labeled" / "handwritten.jsonl").read_text(encoding="utf-8").splitlines()]
    texts.append("CMCC 的 cmcc 信号，İstanbul 移动硬盘")  # İ lower-cases to two characters
    for text in texts:
        expected = [(m.group(0), m.start(), m.end(), kind, value)
                    for m in d._pattern.finditer(text)
                    for kind, value in d._entries[m.group(0).lower()]]
        assert [tuple(h) for h in d.scan(text)] == expected, text


def test_hot_words_stop_list_is_loaded_with_the_dictionary():
    d = get_dictionary(ROOT / "keywords")
    assert {"吗", "请问", "怎么", "有没有", "是不是", "要求", "中国移动"} <= d.hot_words_stop
    assert not {"宽带", "营业厅", "乱扣费", "携号转网", "工信部"} & d.hot_words_stop
    assert all(d.is_keyword(term) for term in d.hot_words_stop)


def test_without_a_hot_words_stop_list_every_keyword_may_be_hot(tmp_path):
    shutil.copytree(ROOT / "keywords", tmp_path / "keywords")
    (tmp_path / "keywords" / "hot_words_stop.txt").unlink()
    assert load_dictionary(tmp_path / "keywords").hot_words_stop == frozenset()


@pytest.mark.parametrize("text, error", [
    ("请问\n请门\n", "hot_words_stop.txt:2: 「请门」不是关键词"),          # a typo
    ("# 提问\n请问\n\n吗  # 句末\n请问\n", "hot_words_stop.txt:5: 「请问」重复（第 2 行已有）"),
    ("浏阳\n", "hot_words_stop.txt:1: 「浏阳」不是关键词"),               # a city: never a keyword
    ("请问 吗\n", "hot_words_stop.txt:1: 「请问 吗」不是关键词"),           # one word a line
], ids=["typo", "duplicate", "not-a-keyword-kind", "two-on-a-line"])
def test_a_bad_hot_words_stop_list_is_a_dictionary_error(tmp_path, text, error):
    shutil.copytree(ROOT / "keywords", tmp_path / "keywords")
    (tmp_path / "keywords" / "hot_words_stop.txt").write_text(text, encoding="utf-8")
    with pytest.raises(DictionaryError, match=error):
        load_dictionary(tmp_path / "keywords")


def test_dictionary_reloads_when_a_file_changes(keywords_copy):
    before = get_dictionary(keywords_copy)
    brand = keywords_copy / "brand.yaml"
    brand.write_text(brand.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    import os
    os.utime(brand, (before.signature[0] + 10, before.signature[0] + 10))
    assert get_dictionary(keywords_copy) is not before
