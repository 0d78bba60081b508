"""The one tokeniser: jieba with the telecom user dictionary (module-level so models pickle).

`tokenize` runs on rjieba (the Rust port of jieba, ~30× faster; TOUSU_TOKENIZER=jieba switches
to jieba itself, to compare). Both load the same dictionary and user dictionary; the only place they differ is
runs of Latin letters and symbols outside the dictionary (rjieba keeps "Type-C" whole, jieba's HMM
splits it), which `_jieba_split` re-splits the way jieba does, so the tokens are identical —
tests/nlp/test_tokenizer.py and bench/nlp.py check that on every labeled text.
"""

from __future__ import annotations

import logging
import os
import re
import threading
from itertools import compress, filterfalse
from pathlib import Path
from typing import TYPE_CHECKING, Any

import rjieba

from nlp.config import SHIPPED_KEYWORDS_DIR

if TYPE_CHECKING:
    import jieba

DEFAULT_USERDICT = SHIPPED_KEYWORDS_DIR / "userdict.txt"
_KEEP = re.compile(r"[\w\u4e00-\u9fff]", re.UNICODE)
_HAN = re.compile("[\u4E00-\u9FD5]")
_SKIP = re.compile(r"([a-zA-Z0-9]+(?:\.\d+)?%?)")  # jieba.finalseg.re_skip
_lock = threading.Lock()
_tokenizer: jieba.Tokenizer | None = None
_fast: Any = None
_userdict: Path | None = None
_configured = False

def backend() -> str:
    """Name of the backend `tokenize` uses: 'rjieba' or 'jieba'."""
    return "rjieba" if _use_fast() else "jieba"


_FAST = os.environ.get("TOUSU_TOKENIZER", "") != "jieba"


def _use_fast() -> bool:
    return _FAST


def configure(userdict: Path | str | None) -> None:
    """Use this user dictionary from now on (no-op when it is already loaded)."""
    global _tokenizer, _fast, _userdict, _configured
    path = Path(userdict).resolve() if userdict else None
    with _lock:
        if _configured and path == _userdict:
            return
        _tokenizer, _fast, _userdict, _configured = None, None, path, True


def _user_words(path: Path | None) -> list[tuple[str, int | None, str | None]]:
    words: list[tuple[str, int | None, str | None]] = []
    if path is None or not path.exists():
        return words
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.strip().split()
        if not parts:
            continue
        freq = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else None
        tag = parts[-1] if len(parts) > 1 and not parts[-1].isdigit() else None
        words.append((parts[0], freq, tag))
    return words


def _get() -> jieba.Tokenizer:
    """The jieba tokeniser (built on first use; ~1 s)."""
    global _tokenizer
    if not _configured:
        configure(DEFAULT_USERDICT)
    with _lock:
        if _tokenizer is None:
            import jieba  # lazy: with rjieba, analysis never needs it (0.2 s to import)

            jieba.setLogLevel(logging.WARNING)
            tokenizer = jieba.Tokenizer()
            tokenizer.initialize()
            if _userdict is not None and _userdict.exists():
                words = [word for word, _, _ in _user_words(_userdict)]
                # jieba adds a known word's new frequency to the total without taking its old
                # one off; rjieba (jieba-rs) replaces it. Matching rjieba's total keeps both
                # backends' segmentations identical as the dictionary grows.
                known = sum(tokenizer.FREQ.get(word) or 0 for word in dict.fromkeys(words))
                tokenizer.load_userdict(str(_userdict))
                tokenizer.total -= known
            _tokenizer = tokenizer
        return _tokenizer


def _get_fast() -> Any:
    global _fast
    if not _configured:
        configure(DEFAULT_USERDICT)
    with _lock:
        if _fast is None:
            fast = rjieba.Jieba()
            for word, freq, tag in _user_words(_userdict):
                fast.add_word(word, freq, tag)
            _fast = fast
        return _fast


def _jieba_split(token: str, has_word: Any) -> list[str]:
    """A non-Chinese token outside the dictionary, split like jieba's HMM fallback does."""
    if len(token) < 2 or _HAN.search(token) or has_word(token):
        return [token]
    return [t for t in _SKIP.split(token) if t]


def tokenize(text: str) -> list[str]:
    """Precise-mode tokens, lower-cased, without whitespace and punctuation."""
    if _use_fast():
        fast = _fast if _fast is not None else _get_fast()
        tokens = fast.cut(text)
        # map/compress loop in C; usually every token that is not a word is punctuation or space,
        # dropped either way, so one check on all of them together settles it.
        words = list(compress(tokens, map(str.isalnum, tokens)))
        if len(words) == len(tokens) or not _KEEP.search("".join(filterfalse(str.isalnum, tokens))):
            return words if text.lower() == text else list(map(str.lower, words))
        out: list[str] = []
        for token in tokens:
            if token.isalnum():
                out.append(token.lower())
                continue
            if not _KEEP.search(token):
                continue
            if token.isascii():
                out.extend(t.lower() for t in _jieba_split(token, fast.has_word) if _KEEP.search(t))
            else:
                out.append(token.lower())
        return out
    return [t.lower() for t in _get().cut(text) if _KEEP.search(t)]


def tokenize_jieba(text: str) -> list[str]:
    """`tokenize` on plain jieba, whatever the backend (the reference for identity checks)."""
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
