"""Check that the posts we wrote are not copies or close paraphrases of real posts we read.

    python data/labeled/originality.py data/labeled/written.jsonl REAL.jsonl [REAL.jsonl …]

REAL files are JSON lines with `text` (e.g. data/real/*.local.jsonl rebuilt by
data/real/rebuild.py, or any file of real posts read while studying). For every written post the
highest Jaccard similarity of character trigrams (core.textsim, blind to case and punctuation)
to any real post is computed exactly, over the real posts that share a trigram with it. Prints the
distribution and every post at or above --flag (default 0.5); exits 1 if there is one.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from core.textsim import jaccard, ngrams  # noqa: E402


def texts(path: Path) -> list[tuple[str, str]]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [(str(r.get("id", i)), r["text"]) for i, r in enumerate(rows) if r.get("text")]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("written", type=Path)
    ap.add_argument("real", type=Path, nargs="+")
    ap.add_argument("--flag", type=float, default=0.5)
    args = ap.parse_args()
    real = [t for path in args.real for t in texts(path)]
    grams = [ngrams(text, 3) for _, text in real]
    index: dict[int, list[int]] = defaultdict(list)
    for i, g in enumerate(grams):
        for key in g.tolist():
            index[key].append(i)
    best = []
    for post_id, text in texts(args.written):
        mine = ngrams(text, 3)
        candidates = {i for key in mine.tolist() for i in index.get(key, ())}
        score, match = max(((jaccard(mine, grams[i]), i) for i in candidates), default=(0.0, -1))
        best.append((score, post_id, real[match][0] if match >= 0 else None))
    scores = np.array([s for s, _, _ in best])
    print(f"{len(best)} written posts against {len(real)} real posts (character-trigram Jaccard)")
    for q in (0.5, 0.9, 0.99, 1.0):
        print(f"  {int(q * 100)}th percentile of the highest similarity: {np.quantile(scores, q):.3f}")
    flagged = sorted((b for b in best if b[0] >= args.flag), reverse=True)
    for score, post_id, real_id in flagged:
        print(f"  {post_id} ~ {real_id}: {score:.3f}")
    print(f"{len(flagged)} at or above {args.flag}")
    return 1 if flagged else 0


if __name__ == "__main__":
    sys.exit(main())
