"""Regenerate keywords/userdict.txt, the jieba user dictionary, from the keyword files.

userdict.txt is GENERATED — do not edit it by hand.  It is the union of

  1. the hand-written base list keywords/userdict_base.txt (``word freq tag`` per line, ``#``
     comments allowed): telecom vocabulary that jieba should keep whole even when no YAML file
     uses it as a keyword, and terms whose frequency/tag you want to set by hand;
  2. every multi-character term of the YAML files:
       brand.yaml       operator, ambiguous, not_operator, competitors
       categories.yaml  every category term
       severity.yaml    every cue (all tiers), negation, degree adverb, sarcasm marker
       regions.yaml     province, province aliases, city names and every city alias

so that the tokeniser (nlp/tokenizer.py) keeps 工信部 / 湖南移动 / 乱扣费 / 携号转网 … whole and
full-text search finds them as words.

Frequencies: a base-list entry keeps its own frequency and tag.  A generated entry gets 3000
(2 characters), 5000 (3) or 8000 (4+), raised to jieba's own frequency when the main
dictionary already knows the word with a higher one — a user-dictionary line REPLACES the
frequency, so writing a lower number would weaken a common word such as 没有.  Tags are
always n, v or nz: a word jieba already knows keeps the closest of these to jieba's own tag
(v… → v, nr/ns/nt/nz → nz, anything else → n); a new word gets nz (brand, competitor, region)
or n.
Single characters and terms containing whitespace are skipped (jieba cannot use them).

Usage (from the repository root):

    .venv/bin/python keywords/build_userdict.py           # rewrite keywords/userdict.txt
    .venv/bin/python keywords/build_userdict.py --check   # exit 1 if userdict.txt is stale

Run it after every change to a YAML file or to userdict_base.txt.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
BASE = HERE / "userdict_base.txt"
OUT = HERE / "userdict.txt"
DEFAULT_FREQ = {2: 3000, 3: 5000}
LONG_FREQ = 8000


def _load(name: str) -> dict:
    with open(HERE / name, encoding="utf-8") as fh:
        return yaml.safe_load(fh) or {}


def read_base(path: Path = BASE) -> list[tuple[str, int, str]]:
    """Entries of the hand-written base list, in file order."""
    entries = []
    for lineno, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        parts = line.split()
        if len(parts) != 3 or not parts[1].isdigit():
            raise SystemExit(f"{path.name}:{lineno}: expected 'word freq tag', got {raw!r}")
        entries.append((parts[0], int(parts[1]), parts[2]))
    return entries


def yaml_terms() -> list[tuple[str, str]]:
    """(term, default tag) for every term of the YAML files, in file order."""
    terms: list[tuple[str, str]] = []
    brand = _load("brand.yaml")
    for key in ("operator", "ambiguous", "not_operator"):
        terms += [(str(t), "nz") for t in brand.get(key) or []]
    for name, items in (brand.get("competitors") or {}).items():
        terms += [(str(name), "nz")] + [(str(t), "nz") for t in items]
    for items in (_load("categories.yaml").get("categories") or {}).values():
        terms += [(str(t), "n") for t in items]
    severity = _load("severity.yaml")
    for cues in (severity.get("cues") or {}).values():
        terms += [(str(t), "n") for t in cues]
    terms += [(str(t), "n") for t in severity.get("negations") or []]
    terms += [(str(t), "n") for t in severity.get("degree") or {}]
    terms += [(str(t), "n") for t in severity.get("sarcasm") or []]
    regions = _load("regions.yaml")
    terms += [(str(regions.get("province", "")), "nz")]
    terms += [(str(t), "nz") for t in regions.get("province_aliases") or []]
    for city, spec in (regions.get("cities") or {}).items():
        terms += [(str(city), "nz")] + [(str(t), "nz") for t in (spec or {}).get("aliases") or []]
    return terms


def _jieba_tables() -> tuple[dict[str, int], dict[str, str]]:
    """jieba's main-dictionary frequencies and part-of-speech tags."""
    import jieba
    import jieba.posseg

    jieba.setLogLevel(logging.WARNING)
    jieba.dt.initialize()
    return jieba.dt.FREQ, jieba.posseg.dt.word_tag_tab


def _simple_tag(tag: str) -> str:
    """jieba's part-of-speech tag reduced to n / v / nz."""
    if tag.startswith("v"):
        return "v"
    if tag in ("nr", "ns", "nt", "nz", "nrt", "nrfg"):
        return "nz"
    return "n"


def build() -> list[str]:
    """The lines of userdict.txt."""
    freq_tab, tag_tab = _jieba_tables()
    lines: list[str] = []
    seen: set[str] = set()

    def usable(word: str) -> bool:
        return len(word) > 1 and not any(ch.isspace() for ch in word) and word not in seen

    for word, freq, tag in read_base():
        if usable(word):
            seen.add(word)
            lines.append(f"{word} {freq} {tag}")
    for word, default_tag in yaml_terms():
        word = word.strip()
        if not usable(word):
            continue
        seen.add(word)
        freq = DEFAULT_FREQ.get(len(word), LONG_FREQ)
        known = freq_tab.get(word, 0)
        tag = _simple_tag(tag_tab.get(word, "")) if known else default_tag
        lines.append(f"{word} {max(freq, known)} {tag}")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help="do not write; exit 1 when userdict.txt differs from a fresh build")
    args = parser.parse_args(argv)
    text = "\n".join(build()) + "\n"
    if args.check:
        current = OUT.read_text(encoding="utf-8") if OUT.exists() else ""
        if current != text:
            print(f"{OUT} is stale: run {Path(__file__).name}", file=sys.stderr)
            return 1
        print(f"{OUT.name} is up to date ({text.count(chr(10))} words)")
        return 0
    OUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUT} ({text.count(chr(10))} words)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
