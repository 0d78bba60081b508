"""The `tousu` command line: the app and its command groups."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from nlp.dictionary import DictionaryError, load_dictionary
from tousu.cli import (brief, cases, crawl, guides, nlp, posts, rectify, reports, scripts, serve, typical,
                       users, warnings)
from tousu.cli.common import CONFIG_OPTION, State, config_everywhere, config_or_defaults, fail

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="投诉雷达 Tousu Radar — internet complaint monitoring.")


@app.callback()
def main_options(config_path: Optional[Path] = CONFIG_OPTION) -> None:
    State.config_path = config_path


@app.command()
def check() -> None:
    """Validate config.yaml and the keyword dictionary (the built-in ones when there is no file)."""
    cfg = config_or_defaults()
    try:
        dictionary = load_dictionary(cfg.keywords_dir)
    except DictionaryError as exc:
        fail(f"关键词词典错误 keyword dictionary error:\n{exc}", 2)
    enabled = [s.name for s in cfg.sources if s.enabled]
    typer.echo(f"OK {cfg.file or '无配置文件，使用内置默认值 no config file, built-in defaults'}: "
               f"{len(cfg.sources)} sources ({len(enabled)} enabled), "
               f"store {cfg.store.backend}, {len(dictionary.cities)} cities")


app.command()(crawl.crawl)
app.command()(crawl.sources)
app.command()(posts.analyze)
app.command()(posts.ingest)
app.command()(posts.search)
app.command()(posts.reanalyse)
app.command()(posts.retention)
app.command()(serve.run)
app.command()(serve.dashboard)
app.command("demo-site")(serve.demo_site)
app.command()(nlp.train)
app.command("eval")(nlp.eval_)
app.command("report")(reports.report)
app.add_typer(warnings.app, name="warnings")
app.add_typer(users.app, name="users")
cases.app.add_typer(typical.app, name="typical")
app.add_typer(cases.app, name="cases")
app.add_typer(rectify.app, name="rectify")
app.add_typer(scripts.app, name="scripts")
app.add_typer(guides.app, name="guides")
app.add_typer(brief.app, name="brief")
config_everywhere(app)


def main() -> None:
    """Console-script entry point."""
    app()
