import json

from nlp.dictionary import get_dictionary
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
