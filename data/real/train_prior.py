"""Fit the real-post prior (nlp/prior.py) and choose its blend weights; commit what it writes.

    python data/real/rebuild.py RAW_DIR                                   # the evaluation set
    python data/real/rebuild.py RAW_DIR --posts data/real/train_posts.jsonl -o data/real/train.local.jsonl
    python data/real/train_prior.py

1. Fits the model of nlp/model.py on the real training posts (train.local.jsonl: texts rebuilt
   from public sources, never committed) and writes its arrays to nlp/data/real_prior.npz.
2. Trains the main model as `tousu train` does (data/labeled/), then picks the blend weights on
   the *dev* split of the real evaluation set: intent weight by the mean of severity and intent
   macro-F1, operator weight by relevance accuracy (ties: the smaller weight).
3. Writes nlp/data/real_prior.json: feature version, checksum, blend weights, the sha256 of the
   training posts' provenance and labels, counts and the dev scores.
The real evaluation set's test split is never read here.
"""

from __future__ import annotations

import hashlib
import json
import sys
import tempfile
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from nlp.analyzer import Analyzer  # noqa: E402
from nlp.evaluation import evaluate  # noqa: E402
from nlp.ngrams import FEATURE_VERSION  # noqa: E402
from nlp.predictor import sha256  # noqa: E402
from nlp.prior import ARRAYS, META, PRIOR_DIR, Prior  # noqa: E402
from nlp.training import fit, read_rows, train  # noqa: E402

HERE = Path(__file__).resolve().parent
GRID = [round(0.1 * i, 1) for i in range(10)]


def main() -> int:
    keywords = ROOT / "keywords"
    train_rows = read_rows(HERE / "train.local.jsonl")
    dev = [r for r in read_rows(HERE / "eval.local.jsonl") if r["split"] == "dev"]
    if not train_rows or not dev:
        print("rebuild train.local.jsonl and eval.local.jsonl first (data/real/rebuild.py)",
              file=sys.stderr)
        return 2
    model = fit(keywords, train_rows)
    PRIOR_DIR.mkdir(exist_ok=True)
    # Written beside the committed pair and swapped in at the end, arrays first: a running
    # analyser never reads new arrays against old metadata.
    arrays_new = PRIOR_DIR / (ARRAYS + ".new")
    digest = model.predictor().save(arrays_new)
    prior = Prior(model.predictor(), 0.0, 0.0, {})
    with tempfile.TemporaryDirectory(prefix="tousu-main-") as main_dir:
        train(keywords, main_dir, progress=lambda m: None, real=[])
        scores: dict[tuple[float, float], dict] = {}
        for a in GRID:
            prior.intent_weight = a
            report = evaluate(Analyzer(keywords, main_dir, prior=prior), dev)
            scores[(a, 0.0)] = report
        best_a = max(GRID, key=lambda a: (_intent_score(scores[(a, 0.0)]), -a))
        prior.intent_weight = best_a
        for b in GRID[1:]:
            prior.operator_weight = b
            scores[(best_a, b)] = evaluate(Analyzer(keywords, main_dir, prior=prior), dev)
        best_b = max(GRID, key=lambda b: (scores[(best_a, b)]["relevance"]["accuracy"], -b))
        base = scores[(0.0, 0.0)]
        chosen = scores[(best_a, best_b)]
    posts = (HERE / "train_posts.jsonl").read_bytes()
    meta = {"producer": "tousu-radar real prior", "features": FEATURE_VERSION, "sha256": digest,
            "trained_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "train_posts_sha256": hashlib.sha256(posts).hexdigest(),
            "n_train": len(train_rows), "n_dev": len(dev),
            "blend": {"intent": best_a, "operators": best_b},
            "dev_without_prior": _summary(base), "dev_with_prior": _summary(chosen)}
    meta_new = PRIOR_DIR / (META + ".new")
    meta_new.write_text(json.dumps(meta, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    arrays_new.replace(PRIOR_DIR / ARRAYS)
    meta_new.replace(PRIOR_DIR / META)
    assert sha256(PRIOR_DIR / ARRAYS) == digest
    print(json.dumps(meta, ensure_ascii=False, indent=2))
    return 0


def _intent_score(report: dict) -> float:
    return (report["severity"]["macro_f1"] + report["intent"]["macro_f1"]) / 2


def _summary(report: dict) -> dict:
    return {"severity_macro_f1": report["severity"]["macro_f1"],
            "intent_macro_f1": report["intent"]["macro_f1"],
            "high_recall": report["severity"]["high_recall"],
            "relevance_accuracy": report["relevance"]["accuracy"]}


if __name__ == "__main__":
    sys.exit(main())
