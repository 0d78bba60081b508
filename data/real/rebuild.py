"""Rebuild the real evaluation set's texts from local copies of their public sources.

The repository keeps each post's provenance and labels (`posts.jsonl`), never its text: the posts
were written by other people. This script reads the local copies of the source files and writes
the texts beside the labels into a file that stays out of git (`*.local.jsonl`):

    python data/real/rebuild.py RAW_DIR [-o data/real/eval.local.jsonl]

RAW_DIR holds the copies, laid out as `<owner>+<name>/<path with / as __>` for a repository file at
the recorded commit (`git show COMMIT:PATH`), and `issues/<owner>+<name>+<number>.json` for a
GitHub issue thread (`{"title": …, "comments": [{"index": 0, "text": …}, …]}`, index 0 the opening
post). A post whose rebuilt text does not have the recorded digest is reported and left out.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import re
import sys
import unicodedata
from pathlib import Path
from typing import Any, Iterator

HERE = Path(__file__).resolve().parent
_JSON_STRING = re.compile(r'"((?:[^"\\]|\\.)*)"')
_FENCE = re.compile(r"```.*?```", re.S)
_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
_MARKUP = re.compile(r"^\s*(#+|>)\s?", re.M)
_BLANKS = re.compile(r"[ \t]*\n\s*")


def digest(text: str) -> str:
    """blake2b-64 of the text, NFKC, lower-cased, without white space and markdown marks."""
    norm = re.sub(r"[\s#*>`]+", "", unicodedata.normalize("NFKC", text).lower())
    return hashlib.blake2b(norm.encode("utf-8"), digest_size=8).hexdigest()


def issue_text(thread: dict[str, Any], index: int) -> str:
    """One post of a thread: the opening post with its title; no code, quotes or images."""
    comment = next(c for c in thread["comments"] if c["index"] == index)
    text = comment["text"]
    if index == 0 and thread.get("title"):
        text = f"{thread['title']}\n{text}"
    text = _IMAGE.sub("", _FENCE.sub("", text))
    text = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith(">"))
    return _BLANKS.sub("\n", _MARKUP.sub("", text)).strip()


def file_candidates(raw: Path, row: dict[str, Any]) -> Iterator[str]:
    """Strings a post may be in its file: JSON strings of its line (or record), its tab- or
    comma-separated fields, the line after a leading label word, else the line."""
    path = raw / row["repo"].replace("/", "+") / row["path"].replace("/", "__")
    # Bytes decoded by hand: read_text's universal newlines would split a line at a lone \r,
    # and a line number is counted as `sed -n LINEp` counts it.
    content = path.read_bytes().decode("utf-8", errors="replace")
    if row.get("record"):
        key, _, value = row["record"].partition("=")
        for item in json.loads(content):
            if str(item.get(key)) == value:
                yield from (v for v in item.values() if isinstance(v, str))
        return
    line = content.split("\n")[row["line"] - 1]
    for match in _JSON_STRING.finditer(line):
        try:
            yield json.loads(f'"{match.group(1)}"')
        except ValueError:
            continue
    yield from line.split("\t")
    yield from next(csv.reader([line]), [])
    yield line.strip().split(None, 1)[-1]  # after a leading label word ("like 文本")
    yield line.strip()


def rebuild(raw: Path, rows: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[str]]:
    """(rows with their text, ids that could not be rebuilt)."""
    out, missing = [], []
    for row in rows:
        try:
            if row.get("issue") is not None:
                thread = json.loads((raw / "issues" / f"{row['repo'].replace('/', '+')}+"
                                     f"{row['issue']}.json").read_text(encoding="utf-8"))
                candidates: Any = [issue_text(thread, row["comment"])]
            else:
                candidates = file_candidates(raw, row)
            text = next((c.strip() for c in candidates if digest(c) == row["digest"]), None)
        except (OSError, ValueError, KeyError, StopIteration, IndexError):
            text = None
        if text is None:
            missing.append(row["id"])
        else:
            out.append({**row, "text": text})
    return out, missing


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("raw", type=Path, help="folder of the local copies")
    ap.add_argument("--posts", type=Path, default=HERE / "posts.jsonl")
    ap.add_argument("-o", "--output", type=Path, default=HERE / "eval.local.jsonl")
    args = ap.parse_args()
    rows = [json.loads(line) for line in args.posts.read_text(encoding="utf-8").splitlines()
            if line.strip()]
    out, missing = rebuild(args.raw, rows)
    with args.output.open("w", encoding="utf-8") as stream:
        for row in out:
            stream.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(f"{len(out)} of {len(rows)} posts rebuilt into {args.output}", file=sys.stderr)
    if missing:
        print(f"not rebuilt (copy missing or changed): {', '.join(missing[:20])}"
              f"{' …' if len(missing) > 20 else ''}", file=sys.stderr)
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
