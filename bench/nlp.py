"""NLP throughput on ~100-character posts, one core: `python -m bench nlp [--quick]`.

Prints posts/s of plain jieba tokenising, our tokeniser (rjieba backend), the lexicon-only
analyser, the full model (`Analyzer.analyse_many` on posts in memory, and one post per call),
the whole `tousu analyze` path (JSON line → Post → analysis → JSON line) and, when snownlp is
installed, SnowNLP's sentiment — all on the same texts in the same run, best of five interleaved
rounds. Last, the `tousu analyze` command as a user runs it, in its own process: what a start
costs (one post) and posts per CPU-second over 10,000 posts with the start included.
"""

from __future__ import annotations

import gc
import io
import json
import logging
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parent.parent
LENGTH = 100


def texts(n: int = 2000) -> list[str]:
    """~100-character posts: labeled texts joined in order and cut to LENGTH."""
    source = []
    for path in sorted((ROOT / "data" / "labeled").glob("*.jsonl")):
        source += [json.loads(line)["text"] for line in path.read_text(encoding="utf-8").splitlines()]
    out, buf = [], ""
    for text in source * 3:
        buf = f"{buf}{text}。" if buf else text
        if len(buf) >= LENGTH:
            out.append(buf[:LENGTH])
            buf = ""
            if len(out) == n:
                break
    return out


def rates(lines: dict[str, tuple[Callable[[], object], int]], rounds: int = 5) -> dict[str, float]:
    """Posts per CPU-second of this process for each line, best of `rounds`.

    CPU time, not wall time: on a shared machine other processes stretch the wall clock but not
    the work done on our one core (threadpools are limited to one thread below). The rounds are
    interleaved — every line once, then every line again — because this VM's cores change speed
    by up to half for tens of seconds at a time: a slow phase then slows every line alike
    instead of whichever line happened to run in it, and the ratios between lines hold.
    """
    best = {name: float("inf") for name in lines}
    for _ in range(rounds):
        for name, (fn, _n) in lines.items():
            start = time.process_time()
            fn()
            best[name] = min(best[name], time.process_time() - start)
    return {name: n / max(best[name], 1e-9) for name, (_fn, n) in lines.items()}


def command_cpu(files: list[Path], rounds: int = 3) -> list[float]:
    """CPU seconds of one whole `tousu analyze FILE` process (start, loading, analysis, output)
    for each file, best of `rounds` (interleaved); BLAS and OpenMP pools limited to one thread,
    as for the lines above."""
    env = {**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    best = [float("inf")] * len(files)
    for _ in range(rounds):
        for i, infile in enumerate(files):
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            subprocess.run([sys.executable, "-m", "tousu.cli", "analyze", str(infile),
                            "-o", str(infile.with_suffix(".out"))], check=True, env=env, cwd=ROOT)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            best[i] = min(best[i], after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return best


def _model_dir() -> tuple[Path, str]:
    """config.yaml's model directory (models/), trained first if it holds no usable model: the
    `tousu analyze` command lines read it from there too."""
    from nlp.training import model_usable, train

    shipped = ROOT / "models"
    if model_usable(shipped):
        return shipped, "models/ (existing)"
    train(ROOT / "keywords", shipped, progress=lambda m: None)
    return shipped, "models/ (trained for this run)"


def main(argv: list[str]) -> None:
    from threadpoolctl import threadpool_limits

    import jieba

    from nlp import tokenizer
    from nlp.analyzer import Analyzer
    from crawler.post_input import iter_posts
    from tousu.cli.posts import write_analysed
    from core.post import Post

    logging.getLogger("tousu.nlp").setLevel(logging.ERROR)
    quick = "--quick" in argv
    sample = texts(500 if quick else 2000)
    n = len(sample)
    model_dir, where = _model_dir()
    lexical = Analyzer(ROOT / "keywords", use_model=False)
    full = Analyzer(ROOT / "keywords", model_dir)
    lexical.analyse_text("预热")
    full.analyse_text("预热")
    jieba.setLogLevel(logging.WARNING)
    plain = jieba.Tokenizer()
    plain.initialize()
    plain.load_userdict(str(ROOT / "keywords" / "userdict.txt"))
    identical = sum(tokenizer.tokenize(t) == tokenizer.tokenize_jieba(t) for t in sample)

    def posts() -> list[Post]:
        return [Post(source="bench", url=f"http://bench/{i}", content=t) for i, t in enumerate(sample)]

    def jsonl(path: Path, count: int) -> Path:
        path.write_text("".join(json.dumps({"source": "bench", "url": f"http://bench/{i}",
                                            "text": sample[i % n]}, ensure_ascii=False) + "\n"
                                for i in range(count)), encoding="utf-8")
        return path

    # As `tousu analyze` does once loaded (tousu/cli/posts.py): long-lived objects — here also the
    # bench's own jieba tokenisers — are not walked by the collections the measured lines trigger.
    gc.freeze()
    workdir = tempfile.TemporaryDirectory(prefix="bench-nlp-")
    infile = jsonl(Path(workdir.name) / "posts.jsonl", n)

    def analyze_command() -> None:
        """What `tousu analyze FILE` does (tousu/cli/posts.py), writing to memory instead of stdout."""
        write_analysed(full, iter_posts(infile), io.StringIO())

    jieba_line, analyze_line = "plain jieba (lcut, user dictionary)", "tousu analyze (JSON lines in and out)"
    one_by_one = max(200, n // 5)
    with threadpool_limits(1):
        figures = rates({
            jieba_line: (lambda: [plain.lcut(t) for t in sample], n),
            f"tokenize() [{tokenizer.backend()}]": (lambda: [tokenizer.tokenize(t) for t in sample], n),
            "lexicon-only analyse_many": (lambda: lexical.analyse_many(posts()), n),
            "full model analyse_many": (lambda: full.analyse_many(posts()), n),
            analyze_line: (analyze_command, n),
        })
        figures.update(rates({"full model, one post at a time (analyse)": (
            lambda: [full.analyse(p) for p in posts()[:one_by_one]], one_by_one)}, rounds=1))
        try:
            from snownlp import SnowNLP

            few = sample[:200]
            figures.update(rates({"SnowNLP sentiments (for comparison)": (
                lambda: [SnowNLP(t).sentiments for t in few], len(few))}, rounds=1))
        except ImportError:
            print("  (snownlp not installed: `pip install snownlp` to compare)")
    big = 2_000 if quick else 10_000
    start, whole = command_cpu([jsonl(Path(workdir.name) / "one.jsonl", 1),
                                jsonl(Path(workdir.name) / "many.jsonl", big)])
    figures[f"whole command, {big:,} posts, start included"] = big / whole
    print(f"  texts: {n} × {LENGTH} characters; model: {where}")
    print(f"  tokenize() identical to jieba on {identical}/{n} texts")
    for name, value in figures.items():
        print(f"  {name:<44} {value:>9,.0f} posts/s")
    ratio = figures[jieba_line] / figures[analyze_line]
    print(f"  tousu analyze time / plain jieba time: {ratio:.2f}×  (target ≤ 2×; target ≥ 5,000 posts/s)")
    print(f"  `tousu analyze` command start (one post, own process): {start:.2f} CPU-s")
    print(f"  per post: analyse_many {1e6 / figures['full model analyse_many']:.0f} µs, "
          f"tousu analyze {1e6 / figures[analyze_line]:.0f} µs")
