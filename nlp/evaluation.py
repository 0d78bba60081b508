"""Scores of an analyser on labeled rows: severity per class, relevance, categories, city."""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np
from sklearn.metrics import accuracy_score, confusion_matrix, f1_score, precision_recall_fscore_support
from sklearn.preprocessing import MultiLabelBinarizer

from nlp.dictionary_schema import CATEGORIES
from nlp.lexicon import TIER_LABELS


def evaluate(analyzer: Any, rows: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Run `analyzer` over rows and score it against their labels."""
    results = analyzer.analyse_texts([r["text"] for r in rows], [r.get("location") for r in rows],
                                     [r.get("default_city") for r in rows],
                                     [bool(r.get("about_operator")) for r in rows])
    report: dict[str, Any] = {"n": len(rows), "mode": getattr(analyzer, "mode", "lexicon")}
    sev = [(r["severity"], a.severity) for r, a in zip(rows, results) if r.get("severity") is not None]
    if sev:
        y, p = zip(*sev)
        labels = list(range(5))
        prec, rec, f1, support = precision_recall_fscore_support(y, p, labels=labels, zero_division=0)
        report["severity"] = {
            "n": len(sev),
            "macro_f1": round(float(f1_score(y, p, labels=labels, average="macro", zero_division=0)), 4),
            "accuracy": round(float(accuracy_score(y, p)), 4),
            "per_class": {str(t): {"label": TIER_LABELS[t], "precision": round(float(prec[t]), 4),
                                   "recall": round(float(rec[t]), 4), "f1": round(float(f1[t]), 4),
                                   "support": int(support[t])} for t in labels},
            "confusion": confusion_matrix(y, p, labels=labels).tolist(),
        }
    rel = [(bool(r["relevant"]), a.relevant) for r, a in zip(rows, results)
           if r.get("relevant") is not None]
    if rel:
        y, p = zip(*rel)
        report["relevance"] = {"n": len(rel), "accuracy": round(float(accuracy_score(y, p)), 4),
                               "f1": round(float(f1_score(y, p, zero_division=0)), 4)}
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


def format_report(report: dict[str, Any]) -> str:
    """The report as text for the terminal."""
    lines = [f"{report['n']} posts, graded by {report['mode']}"]
    sev = report.get("severity")
    if sev:
        lines.append(f"严重度 severity: macro-F1 {sev['macro_f1']:.3f}, accuracy {sev['accuracy']:.3f}"
                     f" (n={sev['n']})")
        lines.append("  tier             precision  recall     f1  support")
        for t, c in sev["per_class"].items():
            lines.append(f"  {t} {c['label']:<10}{c['precision']:>10.3f}{c['recall']:>8.3f}"
                         f"{c['f1']:>7.3f}{c['support']:>9}")
        lines.append("  confusion (rows = label, columns = predicted):")
        lines += ["    " + " ".join(f"{v:>5}" for v in row) for row in sev["confusion"]]
    if "relevance" in report:
        r = report["relevance"]
        lines.append(f"相关性 relevance: accuracy {r['accuracy']:.3f}, F1 {r['f1']:.3f} (n={r['n']})")
    if "categories" in report:
        c = report["categories"]
        lines.append(f"分类 categories: micro-F1 {c['micro_f1']:.3f}, macro-F1 {c['macro_f1']:.3f}, "
                     f"exact {c['exact']:.3f} (n={c['n']})")
    if "city" in report:
        lines.append(f"地市 city: accuracy {report['city']['accuracy']:.3f} (n={report['city']['n']})")
    return "\n".join(lines)
