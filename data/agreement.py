"""Agreement between two independent labeling passes: Cohen's kappa for tier and target.

    python data/agreement.py data/real/posts.jsonl --a pass_a --b pass_b
    python data/agreement.py data/labeled/written.jsonl --a labels.writer --b labels.second

Each row holds the passes' labels under the given keys, dotted for nested ones
({"operators": [...], "tier": n}), as
docs/labeling.md asks. Prints kappa (unweighted and, for the ordered tiers, linearly weighted),
raw agreement and the count of rows the adjudication had to decide.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from sklearn.metrics import cohen_kappa_score

OPERATOR_CODES = ("cmcc", "unicom", "telecom", "cbn")


def target(operators: list[str]) -> str:
    """cmcc / unicom / telecom / cbn for one operator, multi for several, other for none."""
    if not operators:
        return "other"
    return operators[0] if len(operators) == 1 else "multi"


def agreement(rows: list[dict[str, Any]], a: str, b: str) -> dict[str, Any]:
    """Kappa and raw agreement of passes `a` and `b` over the rows both labeled."""
    both = [r for r in rows if r.get(a) and r.get(b)]
    tiers = [(r[a]["tier"], r[b]["tier"]) for r in both]
    targets = [(target(r[a]["operators"]), target(r[b]["operators"])) for r in both]
    ours = [r for r in both if "cmcc" in r[a]["operators"] and "cmcc" in r[b]["operators"]]

    def kappa(pairs: list[tuple[Any, Any]], weights: str | None = None) -> float:
        x, y = zip(*pairs)
        return round(float(cohen_kappa_score(x, y, weights=weights)), 3)

    return {
        "n": len(both),
        "tier_kappa": kappa(tiers),
        "tier_kappa_linear": kappa(tiers, "linear"),
        "tier_agreement": round(sum(x == y for x, y in tiers) / len(both), 3),
        "target_kappa": kappa(targets),
        "target_agreement": round(sum(x == y for x, y in targets) / len(both), 3),
        "tier_kappa_on_cmcc": kappa([(r[a]["tier"], r[b]["tier"]) for r in ours]) if ours else None,
        "disagreements": sum(r[a]["tier"] != r[b]["tier"] or
                             sorted(r[a]["operators"]) != sorted(r[b]["operators"]) for r in both),
    }


def _get(row: dict[str, Any], dotted: str) -> Any:
    for key in dotted.split("."):
        row = (row or {}).get(key)
    return row


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("file", type=Path)
    ap.add_argument("--a", required=True, help="key of the first pass's labels")
    ap.add_argument("--b", required=True, help="key of the second pass's labels")
    args = ap.parse_args()
    rows = [json.loads(line) for line in args.file.read_text(encoding="utf-8").splitlines()
            if line.strip()]
    rows = [{"a": _get(r, args.a), "b": _get(r, args.b)} for r in rows]
    print(json.dumps(agreement(rows, "a", "b"), ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
