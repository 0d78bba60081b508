"""Check the keyword files in keywords/ before committing an edit.

Errors (exit 1):
  * a YAML file does not parse, or repeats a mapping key (PyYAML silently keeps the last one);
  * a term is not a string (an unquoted 12300 is read as a number), is blank, or is repeated
    within its list (case-insensitively — matching ignores case);
  * the category names differ from the 12 fixed ones, or a category (other than 其他) has fewer
    than 25 or more than 60 terms;
  * a severity tier is not 0-4, a weight is outside 0.3-3.0 (0.5-3.0 is the norm; 吗 is 0.3), or a cue is listed in two tiers;
  * an alias belongs to two cities, or a not_operator phrase contains no brand term;
  * a stop word is also a keyword, a negation, a degree adverb or a question word;
  * a hot-word stop entry (hot_words_stop.txt) is repeated or is not a keyword;
  * userdict.txt is stale (run build_userdict.py) or jieba cannot load it.

Warnings (printed, not fatal): "shadowing".  The analyser matches every term in one pass,
longest first and without overlaps, so a long term hides the shorter terms inside it.  When the
short term carries a category or a cue tier that the long one does not, that signal is lost
whenever the long term matches.  Each warning names both; fix it by also listing the long
term in the same category/tier, or accept it (e.g. 实名举报 hiding the category term 实名).

Usage:  .venv/bin/python keywords/check_keywords.py [-v]   (-v also prints the shadowing list)
"""

from __future__ import annotations

import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import yaml

from core.vocab import CATEGORIES

HERE = Path(__file__).resolve().parent
MIN_CUES = {4: 40, 3: 50, 2: 60, 1: 30, 0: 30}
QUESTION_WORDS = {"怎么", "如何", "吗", "什么", "为什么", "哪", "哪里", "哪儿", "谁", "呢", "几",
                  "多少", "怎样", "咋", "啥", "为啥", "是否", "能否", "可否"}
TEST_SENTENCE = "我要去工信部投诉湖南移动乱扣费，浏阳的信号太差了，携号转网都不让办"
MUST_STAY_WHOLE = ("工信部", "湖南移动", "乱扣费", "携号转网")

errors: list[str] = []


class _UniqueKeyLoader(yaml.SafeLoader):
    pass


def _mapping(loader: yaml.SafeLoader, node: yaml.MappingNode, deep: bool = False) -> dict:
    seen = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            mark = key_node.start_mark
            errors.append(f"{Path(mark.name).name}:{mark.line + 1}: duplicate key {key!r}")
        seen.add(key)
    return loader.construct_mapping(node, deep=deep)


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)


def load(name: str) -> dict:
    path = HERE / name
    with open(path, encoding="utf-8") as fh:
        return yaml.load(fh, Loader=_UniqueKeyLoader) or {}


def check_list(where: str, items) -> list[str]:
    if not isinstance(items, list):
        errors.append(f"{where}: expected a list, got {type(items).__name__}")
        return []
    seen: dict[str, str] = {}
    out = []
    for item in items:
        if not isinstance(item, str):
            errors.append(f"{where}: {item!r} is a {type(item).__name__}, quote it")
            continue
        if not item.strip():
            errors.append(f"{where}: blank term")
            continue
        if item.lower() in seen:
            errors.append(f"{where}: duplicate {item!r}")
        seen[item.lower()] = item
        out.append(item)
    return out


def check_keys(where: str, mapping) -> list[str]:
    if not isinstance(mapping, dict):
        errors.append(f"{where}: expected a mapping")
        return []
    return check_list(where, list(mapping))


def main(verbose: bool = False) -> int:
    entries: dict[str, set[tuple[str, object]]] = defaultdict(set)
    counts: dict[str, object] = {}

    # brand.yaml
    brand = load("brand.yaml")
    for key in ("operator", "ambiguous", "not_operator"):
        terms = check_list(f"brand.{key}", brand.get(key, []))
        counts[f"brand.{key}"] = len(terms)
        for t in terms:
            entries[t.lower()].add((key, None))
    ambiguous = [t.lower() for t in brand.get("ambiguous", [])]
    ambiguous += [str(t).lower() for t in brand.get("operator", [])]
    ambiguous += [str(t).lower() for terms in (brand.get("competitors") or {}).values()
                  for t in terms or []]
    for phrase in brand.get("not_operator", []):
        if isinstance(phrase, str) and not any(a in phrase.lower() for a in ambiguous):
            errors.append(f"brand.not_operator: {phrase!r} contains no brand term")
    for name, terms in (brand.get("competitors") or {}).items():
        terms = check_list(f"brand.competitors.{name}", terms)
        counts[f"brand.competitors.{name}"] = len(terms)
        for t in terms:
            entries[t.lower()].add(("competitor", name))

    # categories.yaml
    cats = load("categories.yaml").get("categories") or {}
    if tuple(cats) != CATEGORIES:
        errors.append(f"categories: names/order must be exactly {CATEGORIES}, got {tuple(cats)}")
    for name, terms in cats.items():
        terms = check_list(f"categories.{name}", terms)
        counts[f"categories.{name}"] = len(terms)
        if name != "其他" and not 25 <= len(terms) <= 60:
            errors.append(f"categories.{name}: {len(terms)} terms, want 25-60")
        for t in terms:
            entries[t.lower()].add(("category", name))

    # severity.yaml
    sev = load("severity.yaml")
    cues = sev.get("cues") or {}
    tier_of: dict[str, int] = {}
    for tier, mapping in cues.items():
        if tier not in range(5):
            errors.append(f"severity.cues: tier {tier!r} is not an integer 0-4")
            continue
        terms = check_keys(f"severity.cues.{tier}", mapping)
        counts[f"severity.cues.{tier}"] = len(terms)
        if len(terms) < MIN_CUES[tier]:
            errors.append(f"severity.cues.{tier}: {len(terms)} cues, want >= {MIN_CUES[tier]}")
        for t in terms:
            w = mapping[t]
            if not isinstance(w, (int, float)) or not 0.3 <= w <= 3.0:
                errors.append(f"severity.cues.{tier}.{t}: weight {w!r} not in 0.3-3.0")
            if t.lower() in tier_of:
                errors.append(f"severity.cues: {t!r} in tiers {tier_of[t.lower()]} and {tier}")
            tier_of[t.lower()] = tier
            entries[t.lower()].add(("cue", tier))
    negations = check_list("severity.negations", sev.get("negations", []))
    degree = sev.get("degree") or {}
    degree_terms = check_keys("severity.degree", degree)
    for t in degree_terms:
        if not isinstance(degree[t], (int, float)) or not 0 < degree[t] <= 3:
            errors.append(f"severity.degree.{t}: multiplier {degree[t]!r} not in (0, 3]")
    sarcasm = check_list("severity.sarcasm", sev.get("sarcasm", []))
    counts.update({"severity.negations": len(negations), "severity.degree": len(degree_terms),
                   "severity.sarcasm": len(sarcasm)})
    for t in negations:
        entries[t.lower()].add(("negation", None))
    for t in degree_terms:
        entries[t.lower()].add(("degree", None))
    for t in sarcasm:
        entries[t.lower()].add(("sarcasm", None))

    # regions.yaml
    reg = load("regions.yaml")
    if not isinstance(reg.get("province"), str):
        errors.append("regions.province: must be a string")
    prov = check_list("regions.province_aliases", reg.get("province_aliases", []))
    for t in [reg.get("province", ""), *prov]:
        entries[str(t).lower()].add(("province", None))
    owner: dict[str, str] = {}
    n_alias = 0
    for city, spec in (reg.get("cities") or {}).items():
        spec = spec or {}
        aliases = check_list(f"regions.cities.{city}.aliases", spec.get("aliases", []))
        n_alias += len(aliases)
        subs = spec.get("subscribers")
        if subs is not None and (not isinstance(subs, (int, float)) or subs < 0):
            errors.append(f"regions.cities.{city}.subscribers: {subs!r} is not a count")
        for alias in [city, *aliases]:
            if owner.get(alias, city) != city:
                errors.append(f"regions: alias {alias!r} in both {owner[alias]} and {city}")
            owner[alias] = city
            entries[alias.lower()].add(("city", city))
    counts["regions.cities"] = len(reg.get("cities") or {})
    counts["regions.aliases"] = n_alias
    counts["regions.subscribers_total"] = sum((s or {}).get("subscribers") or 0
                                             for s in (reg.get("cities") or {}).values())

    # stopwords.txt
    stop = [ln.strip() for ln in (HERE / "stopwords.txt").read_text(encoding="utf-8").splitlines()
            if ln.strip()]
    counts["stopwords"] = len(stop)
    dup = {w for w in stop if stop.count(w) > 1}
    if dup:
        errors.append(f"stopwords.txt: duplicates {sorted(dup)}")
    clash = sorted(w for w in stop if w.lower() in entries or w in QUESTION_WORDS)
    if clash:
        errors.append(f"stopwords.txt: keywords/negations/degree/question words {clash}")

    # hot_words_stop.txt: the keywords never shown as hot words
    keyword_kinds = {"operator", "competitor", "category", "cue"}
    hot_stop = [ln.split("#", 1)[0].strip() for ln in
                (HERE / "hot_words_stop.txt").read_text(encoding="utf-8").splitlines()]
    hot_stop = [w for w in hot_stop if w]
    counts["hot_words_stop"] = len(hot_stop)
    dup = {w for w in hot_stop if hot_stop.count(w) > 1}
    if dup:
        errors.append(f"hot_words_stop.txt: duplicates {sorted(dup)}")
    not_keywords = sorted(w for w in hot_stop
                          if not {k for k, _ in entries.get(w.lower(), ())} & keyword_kinds)
    if not_keywords:
        errors.append(f"hot_words_stop.txt: not keywords {not_keywords}")

    # shadowing
    ignore = {"negation", "degree", "ambiguous", "province"}
    shadows = []
    for long_term, long_kinds in entries.items():
        for short_term, short_kinds in entries.items():
            if short_term == long_term or short_term not in long_term:
                continue
            lost = {k for k in short_kinds - long_kinds if k[0] not in ignore}
            if lost:
                shadows.append((long_term, short_term, sorted(map(str, lost))))
    counts["shadowing_warnings"] = len(shadows)

    # userdict.txt
    rc = subprocess.run([sys.executable, str(HERE / "build_userdict.py"), "--check"],
                        capture_output=True, text=True)
    if rc.returncode:
        errors.append(rc.stderr.strip() or "userdict.txt is stale")
    import jieba

    jieba.setLogLevel(60)
    tok = jieba.Tokenizer()
    tok.load_userdict(str(HERE / "userdict.txt"))
    words = tok.lcut(TEST_SENTENCE)
    counts["userdict"] = sum(1 for _ in open(HERE / "userdict.txt", encoding="utf-8"))
    missing = [w for w in MUST_STAY_WHOLE if w not in words]
    if missing:
        errors.append(f"jieba splits {missing}: {'/'.join(words)}")

    for key, value in counts.items():
        print(f"{key:40} {value}")
    print("jieba:", "/".join(words))
    if verbose:
        for long_term, short_term, lost in sorted(shadows):
            print(f"shadow: {long_term} hides {short_term} {lost}")
    for e in errors:
        print("ERROR", e)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main("-v" in sys.argv[1:]))
