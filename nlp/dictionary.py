"""Loads keywords/ into one Dictionary with a single-pass term matcher; reloads on change."""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Iterator, NamedTuple

import yaml
from pydantic import BaseModel, ValidationError

from core.config import schema_problems
from nlp.dictionary_schema import (BrandFile, CategoriesFile, RegionsFile, SeverityFile,
                                   operator_label)
from core.yamlio import load_yaml, problem_zh

try:
    import ahocorasick_rs
except ImportError:  # pragma: no cover - the regex below gives the same hits, ~14× slower
    ahocorasick_rs = None

FILES = {
    "brand.yaml": BrandFile,
    "categories.yaml": CategoriesFile,
    "severity.yaml": SeverityFile,
    "regions.yaml": RegionsFile,
}
TEXT_FILES = ("userdict.txt", "stopwords.txt", "hot_words_stop.txt")
# The kinds of hit a post stores as its keywords (what hot words count).
KEYWORD_KINDS = frozenset(("operator", "category", "cue", "competitor"))


class DictionaryError(Exception):
    """A keyword file is missing or invalid; the message names the file and key. str() is
    English (the CLI, logs); `zh` says the same in Chinese (the console's 关键词 page)."""

    def __init__(self, message: str, zh: str):
        super().__init__(message)
        self.zh = zh


class Hit(NamedTuple):
    """One dictionary term found in a text (a tuple: scanning makes thousands per second)."""

    term: str
    start: int
    end: int
    kind: str  # operator | ambiguous | not_operator | competitor | category | cue | negation |
    #            degree | sarcasm | city | province
    value: object = None  # category name, (tier, weight), multiplier, city, operator name


@dataclass
class Dictionary:
    """All keyword data, validated, plus a compiled matcher over every term."""

    directory: Path
    brand: BrandFile
    categories: CategoriesFile
    severity: SeverityFile
    regions: RegionsFile
    stopwords: frozenset[str]
    userdict: Path
    signature: tuple[float, ...] = ()
    # Keywords that are never hot words: how people write (请问, 吗, 投诉, 垃圾), not what about.
    hot_words_stop: frozenset[str] = frozenset()
    _entries: dict[str, list[tuple[str, object]]] = field(default_factory=dict, repr=False)
    _pattern: re.Pattern[str] | None = field(default=None, repr=False)
    _automaton: object = field(default=None, repr=False)
    _kinds: list[tuple[tuple[str, object], ...]] = field(default_factory=list, repr=False)

    def __post_init__(self) -> None:
        entries: dict[str, list[tuple[str, object]]] = {}

        def add(term: str, kind: str, value: object = None) -> None:
            entries.setdefault(term.lower(), []).append((kind, value))

        for term in self.brand.operator:
            add(term, "operator", self.brand.name)
        for term in self.brand.ambiguous:
            add(term, "ambiguous", self.brand.name)
        for term in self.brand.not_operator:
            add(term, "not_operator")
        for name, terms in self.brand.competitors.items():
            for term in terms:
                add(term, "competitor", name)
        for name, terms in self.categories.categories.items():
            for term in terms:
                add(term, "category", name)
        for tier, cues in self.severity.cues.items():
            for term, weight in cues.items():
                add(term, "cue", (tier, weight))
        for term in self.severity.negations:
            add(term, "negation")
        for term, mult in self.severity.degree.items():
            add(term, "degree", mult)
        for term in self.severity.sarcasm:
            add(term, "sarcasm")
        for city, spec in self.regions.cities.items():
            for alias in {city, *spec.aliases}:
                add(alias, "city", city)
        for alias in {self.regions.province, *self.regions.province_aliases}:
            add(alias, "province")
        self._entries = entries
        # Longest first so the alternation prefers 移动硬盘 over 移动 at the same position.
        terms = sorted(entries, key=len, reverse=True)
        self._pattern = re.compile("|".join(map(re.escape, terms)), re.IGNORECASE)
        if ahocorasick_rs is not None:
            # Leftmost-longest without overlaps is exactly what the longest-first alternation does.
            self._kinds = [tuple(entries[t]) for t in terms]
            self._automaton = ahocorasick_rs.AhoCorasick(
                terms, matchkind=ahocorasick_rs.MatchKind.LeftmostLongest)

    @property
    def operator_names(self) -> list[str]:
        """Ours first, then the competitors in file order."""
        return [self.brand.name, *self.brand.competitors]

    @cached_property
    def operator_bare_names(self) -> frozenset[str]:
        """Each operator's name and short name (中国移动, 移动), lower-cased as matched."""
        return frozenset(n.lower() for name in self.operator_names
                         for n in (name, operator_label(name)))

    @property
    def cities(self) -> list[str]:
        """Configured city names in file order."""
        return list(self.regions.cities)

    def matches(self, text: str) -> list[tuple[int, int, tuple[tuple[str, object], ...]]]:
        """(start, end, ((kind, value), …)) of every term, left to right, longest at each position."""
        lowered = text.lower()
        if self._automaton is not None and len(lowered) == len(text):
            kinds = self._kinds
            return [(start, end, kinds[index]) for index, start, end
                    in self._automaton.find_matches_as_indexes(lowered)]  # type: ignore[attr-defined]
        assert self._pattern is not None
        entries = self._entries
        return [(m.start(), m.end(), tuple(entries[m.group(0).lower()]))
                for m in self._pattern.finditer(text)]

    def scan(self, text: str) -> Iterator[Hit]:
        """Every dictionary term in the text as Hits, left to right."""
        for start, end, kinds in self.matches(text):
            term = text[start:end]
            for kind, value in kinds:
                yield Hit(term, start, end, kind, value)

    def terms(self) -> list[str]:
        """Every multi-character term, for the tokeniser's user dictionary."""
        return [t for t in self._entries if len(t) > 1]

    def is_keyword(self, term: str) -> bool:
        """Whether a post stores `term` among its keywords when its text contains it."""
        return any(kind in KEYWORD_KINDS for kind, _ in self._entries.get(term.lower(), ()))


def _signature(directory: Path) -> tuple[float, ...]:
    return tuple((directory / name).stat().st_mtime if (directory / name).exists() else 0.0
                 for name in (*FILES, *TEXT_FILES))


def _load_yaml(path: Path, model: type[BaseModel]) -> BaseModel:
    if not path.exists():
        raise DictionaryError(f"{path}: keyword file not found", f"{path}：找不到词表文件")
    try:
        data = load_yaml(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", exc)
        raise DictionaryError(
            f"{path}{f':{mark.line + 1}' if mark else ''}: invalid YAML: {problem}",
            f"{path}{f' 第 {mark.line + 1} 行' if mark else ''}：不是有效的 YAML：{problem_zh(exc)}"
        ) from None
    try:
        return model.model_validate(data or {})
    except ValidationError as exc:
        first = schema_problems(exc, model)[0]
        loc = ".".join(str(p) for p in first.loc)
        raise DictionaryError(f"{path}: {loc}: {first.message('en')}",
                              f"{path}：{loc}：{first.message('zh')}") from None


def _hot_words_stop(path: Path, dictionary: Dictionary) -> frozenset[str]:
    """The hot-word stop list: one keyword a line, `#` starts a comment. Each entry must be a
    keyword, so that a typo is an error rather than a word that silently stays hot."""
    if not path.exists():
        return frozenset()
    seen: dict[str, int] = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        term = line.split("#", 1)[0].strip()
        if not term:
            continue
        where = f"{path}:{number}"
        if term in seen:  # the list is Chinese words: one Chinese message for CLI and console
            message = f"{where}: 「{term}」重复（第 {seen[term]} 行已有）"
            raise DictionaryError(message, message)
        if not dictionary.is_keyword(term):
            message = (f"{where}: 「{term}」不是关键词（热词只来自 brand.yaml 的运营商词、"
                       "categories.yaml 与 severity.yaml 的线索词），请删除或改正")
            raise DictionaryError(message, message)
        seen[term] = number
    return frozenset(seen)


def load_dictionary(directory: Path | str) -> Dictionary:
    """Load and validate every keyword file in `directory`."""
    directory = Path(directory)
    parts = {name.split(".")[0]: _load_yaml(directory / name, model) for name, model in FILES.items()}
    stop_path = directory / "stopwords.txt"
    stopwords = frozenset(
        line.strip() for line in stop_path.read_text(encoding="utf-8").splitlines() if line.strip()
    ) if stop_path.exists() else frozenset()
    dictionary = Dictionary(directory=directory, stopwords=stopwords,
                            userdict=directory / "userdict.txt", signature=_signature(directory),
                            **parts)  # type: ignore[arg-type]
    dictionary.hot_words_stop = _hot_words_stop(directory / "hot_words_stop.txt", dictionary)
    return dictionary


_cache: dict[Path, Dictionary] = {}
_lock = threading.Lock()


def get_dictionary(directory: Path | str) -> Dictionary:
    """The dictionary for `directory`, reloaded when any of its files changed on disk."""
    directory = Path(directory).resolve()
    with _lock:
        current = _cache.get(directory)
        if current is None or current.signature != _signature(directory):
            current = _cache[directory] = load_dictionary(directory)
        return current
