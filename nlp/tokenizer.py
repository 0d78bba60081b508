"""The one tokeniser: jieba with the telecom user dictionary (module-level so models pickle)."""

from __future__ import annotations

import logging
import re
import threading
from pathlib import Path

import jieba

DEFAULT_USERDICT = Path(__file__).resolve().parent.parent / "keywords" / "userdict.txt"
_KEEP = re.compile(r"[\w\u4e00-\u9fff]", re.UNICODE)
_lock = threading.Lock()
_tokenizer: jieba.Tokenizer | None = None
_userdict: Path | None = None

jieba.setLogLevel(logging.WARNING)


def configure(userdict: Path | str | None) -> None:
    """Use this user dictionary from now on (no-op when it is already loaded)."""
    global _tokenizer, _userdict
    path = Path(userdict).resolve() if userdict else None
    with _lock:
        if _tokenizer is not None and path == _userdict:
            return
        tokenizer = jieba.Tokenizer()
        tokenizer.initialize()
        if path is not None and path.exists():
            tokenizer.load_userdict(str(path))
        _tokenizer, _userdict = tokenizer, path


def _get() -> jieba.Tokenizer:
    if _tokenizer is None:
        configure(DEFAULT_USERDICT)
    assert _tokenizer is not None
    return _tokenizer


def tokenize(text: str) -> list[str]:
    """Precise-mode tokens, lower-cased, without whitespace and punctuation."""
    return [t.lower() for t in _get().cut(text) if _KEEP.search(t)]


def search_tokens(text: str) -> tuple[list[str], list[str]]:
    """(precise tokens, extra sub-word tokens) for indexing: phrases match the first, parts the second."""
    words = tokenize(text)
    tokenizer = _get()
    subwords = []
    for word in words:
        if len(word) > 2:
            subwords.extend(t for t in tokenizer.cut_for_search(word, HMM=False) if t != word)
    return words, subwords
