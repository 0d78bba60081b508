"""Scores of an analyser on labeled rows: severity and intent per tier, relevance, operators,
categories, city — and the same for the keyword lexicon alone, to show what the model adds."""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np
from sklearn.metrics import accuracy_score, confusion_matrix, f1_score, precision_recall_fscore_support
from sklearn.preprocessing import MultiLabelBinarizer

from core.vocab import CATEGORIES, TIER_LABELS
from nlp.dictionary_schema import OPERATORS

_TIERS = list(range(5))
_NAMES = list(OPERATORS.values())


def _tiers(pairs: Sequence[tuple[int, int]]) -> dict[str, Any]:
    """Per-tier precision/recall/F1, macro-F1, tier ≥ 3 recall and the confusion matrix."""
    y, p = zip(*pairs)
    prec, rec, f1, support = precision_recall_fscore_support(y, p, labels=_TIERS, zero_division=0)
    high = [(a, b) for a, b in pairs if a >= 3]
    return {
        "n": len(pairs),
        "macro_f1": round(float(f1_score(y, p, labels=_TIERS, average="macro", zero_division=0)), 4),
        "accuracy": round(float(accuracy_score(y, p)), 4),
        "high_recall": round(sum(b >= 3 for _, b in high) / len(high), 4) if high else None,
        "n_high": len(high),
        "per_class": {str(t): {"label": TIER_LABELS[t], "precision": round(float(prec[t]), 4),
                               "recall": round(float(rec[t]), 4), "f1": round(float(f1[t]), 4),
                               "support": int(support[t])} for t in _TIERS},
        "confusion": confusion_matrix(y, p, labels=_TIERS).tolist(),
    }


def target(operators: Sequence[str]) -> str:
    """The target code of a list of operator names: one operator's code, multi or other."""
    if not operators:
        return "other"
    if len(operators) > 1:
        return "multi"
    return next((code for code, name in OPERATORS.items() if name == operators[0]), "other")


def evaluate(analyzer: Any, rows: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Run `analyzer` over rows and score it against their labels."""
    results = analyzer.analyse_texts([r["text"] for r in rows], [r.get("location") for r in rows],
                                     [r.get("default_city") for r in rows],
                                     [bool(r.get("about_operator")) for r in rows])
    report: dict[str, Any] = {"n": len(rows), "mode": getattr(analyzer, "mode", "lexicon")}
    sev = [(r["severity"], a.severity) for r, a in zip(rows, results) if r.get("severity") is not None]
    if sev:
        report["severity"] = _tiers(sev)
    # Intent is scored over the posts about an operator (docs/labeling.md).
    intent = [(r["intent"], a.intent) for r, a in zip(rows, results)
              if r.get("intent") is not None and r.get("operators")]
    if intent:
        report["intent"] = _tiers(intent)
    rel = [(bool(r["relevant"]), a.relevant) for r, a in zip(rows, results)
           if r.get("relevant") is not None]
    if rel:
        y, p = zip(*rel)
        report["relevance"] = {"n": len(rel), "accuracy": round(float(accuracy_score(y, p)), 4),
                               "f1": round(float(f1_score(y, p, zero_division=0)), 4)}
    ops = [(r["operators"], a.operators) for r, a in zip(rows, results)
           if r.get("operators") is not None]
    if ops:
        mlb = MultiLabelBinarizer(classes=_NAMES)
        y = mlb.fit_transform([o for o, _ in ops])
        p = mlb.transform([[n for n in o if n in _NAMES] for _, o in ops])
        report["operators"] = {
            "n": len(ops),
            "target_accuracy": round(float(np.mean([target(a) == target(b) for a, b in ops])), 4),
            "micro_f1": round(float(f1_score(y, p, average="micro", zero_division=0)), 4),
        }
    cat = [(r["categories"], a.categories) for r, a in zip(rows, results)
           if r.get("categories") is not None and r.get("relevant")]
    if cat:
        mlb = MultiLabelBinarizer(classes=list(CATEGORIES))
        y = mlb.fit_transform([c for c, _ in cat])
        p = mlb.transform([c for _, c in cat])
        report["categories"] = {
            "n": len(cat),
            "micro_f1": round(float(f1_score(y, p, average="micro", zero_division=0)), 4),
            "macro_f1": round(float(f1_score(y, p, average="macro", zero_division=0)), 4),
            "exact": round(float(np.mean([set(a) == set(b) for a, b in cat])), 4),
        }
    city = [(r["city"], a.city) for r, a in zip(rows, results) if "city" in r]
    if city:
        report["city"] = {"n": len(city),
                          "accuracy": round(float(np.mean([a == b for a, b in city])), 4)}
    return report


def _tier_lines(title: str, block: dict[str, Any], other: dict[str, Any] | None) -> list[str]:
    beside = (f"   | lexicon only: macro-F1 {other['macro_f1']:.3f}" if other else "")
    high = (f", tier ≥ 3 recall {block['high_recall']:.3f} (n={block['n_high']})"
            if block["high_recall"] is not None else "")
    lines = [f"{title}: macro-F1 {block['macro_f1']:.3f}, accuracy {block['accuracy']:.3f}"
             f"{high} (n={block['n']}){beside}",
             "  tier             precision  recall     f1  support"
             + ("   | lexicon P     R    F1" if other else "")]
    for t, c in block["per_class"].items():
        line = (f"  {t} {c['label']:<10}{c['precision']:>10.3f}{c['recall']:>8.3f}"
                f"{c['f1']:>7.3f}{c['support']:>9}")
        if other:
            o = other["per_class"][t]
            line += f"   | {o['precision']:>9.3f}{o['recall']:>6.3f}{o['f1']:>6.3f}"
        lines.append(line)
    lines.append("  confusion (rows = label, columns = predicted):")
    lines += ["    " + " ".join(f"{v:>5}" for v in row) for row in block["confusion"]]
    return lines


def format_report(report: dict[str, Any], lexicon: dict[str, Any] | None = None) -> str:
    """The report as text for the terminal; with `lexicon`, the lexicon-only scores beside."""
    lex = lexicon or {}
    lines = [f"{report['n']} posts, graded by {report['mode']}"]
    for key, title in (("severity", "严重度 severity"), ("intent", "意图 intent (posts about an operator)")):
        if key in report:
            lines += _tier_lines(title, report[key], lex.get(key))
    if "relevance" in report:
        r, o = report["relevance"], lex.get("relevance")
        lines.append(f"相关性 relevance: accuracy {r['accuracy']:.3f}, F1 {r['f1']:.3f} (n={r['n']})"
                     + (f"   | lexicon only: accuracy {o['accuracy']:.3f}" if o else ""))
    if "operators" in report:
        r, o = report["operators"], lex.get("operators")
        lines.append(f"运营商 operators: target accuracy {r['target_accuracy']:.3f}, micro-F1 "
                     f"{r['micro_f1']:.3f} (n={r['n']})"
                     + (f"   | lexicon only: target accuracy {o['target_accuracy']:.3f}" if o else ""))
    if "categories" in report:
        c = report["categories"]
        lines.append(f"分类 categories: micro-F1 {c['micro_f1']:.3f}, macro-F1 {c['macro_f1']:.3f}, "
                     f"exact {c['exact']:.3f} (n={c['n']})")
    if "city" in report:
        lines.append(f"地市 city: accuracy {report['city']['accuracy']:.3f} (n={report['city']['n']})")
    return "\n".join(lines)
