"""`tousu scripts …`: the reply-script library from the command line."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from accounts.models import SYSTEM, PermissionDenied
from cases.models import CaseError
from cases.service import CaseService
from core.db import StateDB
from indexer import open_store
from reply_scripts.models import ScriptError
from reply_scripts.service import ScriptService
from reply_scripts.transfer import export_file, import_file
from reply_scripts.transfer import load_starter as load
from tousu.cli import common

app = typer.Typer(no_args_is_help=True, help="回复口径库 reply scripts")


def _service() -> ScriptService:
    return ScriptService(StateDB(common.config().state_path))


@app.command("list")
def list_scripts(status: Optional[str] = typer.Option(None, "--status", help="draft in_review approved retired"),
                 category: Optional[str] = typer.Option(None, "--category"),
                 query: str = typer.Option("", "--query", "-q"),
                 as_json: bool = typer.Option(False, "--json")) -> None:
    """List scripts (the newest version; the approved one with --status approved)."""
    try:
        scripts = _service().list_scripts(SYSTEM, status, category, query)
    except ScriptError as exc:
        common.fail(str(exc), 2)
    common.listing(scripts, as_json, lambda s: (
        f"#{s.script_id} {s.code} v{s.latest.version} [{s.latest.status_label}] {s.latest.title} "
        f"（{'、'.join(s.latest.categories)}；已用 {s.use_count} 次）"))


@app.command("show")
def show(script_id: int, as_json: bool = typer.Option(False, "--json")) -> None:
    """One script with its version history."""
    common.show_entry(_service(), script_id, as_json, lambda v: (
        f"分类：{'、'.join(v.categories)}\n场景：{v.scenario}\n正文：{v.body}\n风险提示：{v.risk_note}"))


@app.command("suggest")
def suggest(post: Optional[str] = typer.Option(None, "--post", help="post id"),
            case: Optional[str] = typer.Option(None, "--case", help="case id"),
            text: Optional[str] = typer.Option(None, "--text", help="free text"),
            limit: int = typer.Option(3, "--limit", "-n"), as_user: Optional[str] = common.AS_USER,
            as_json: bool = typer.Option(False, "--json")) -> None:
    """Suggest approved scripts for a post, a case or a text, with the reason."""
    from reply_scripts import suggest as sg  # lazy: scikit-learn (~1 s) only for this command

    cfg = common.config()
    user = common.acting_user(as_user)
    scripts = _service()
    try:
        if case:

            cases = CaseService(cfg, scripts.db)
            found = sg.suggest_for_case(cfg, scripts, cases, user, int(case), limit)
            cases.close()
        elif post:

            with open_store(cfg) as store:
                found = sg.suggest_for_post(cfg, scripts, store, user, post, limit)
        elif text:
            found = sg.suggest(scripts, user, text, None, sg.placeholder_values(cfg), limit)
        else:
            common.fail("需要 --post、--case 或 --text 之一", 2)
    except (CaseError, PermissionDenied) as exc:
        common.fail(str(exc), 1)
    common.listing(found, as_json, lambda s: f"#{s.script_id} {s.code} {s.title}  得分 {s.score}  "
                   f"{s.why}\n    {s.reply}\n    风险提示：{s.risk_note}")


common.review_commands(app, _service, "script_id", "Approve the version in review (not by its author).",
                       "Stop offering a script.")


@app.command("import")
def import_(path: Path, as_user: Optional[str] = common.AS_USER) -> None:
    """Import scripts from .yaml or .xlsx (they land as drafts for review)."""
    try:
        counts = import_file(_service(), common.acting_user(as_user), path)
    except ScriptError as exc:
        common.fail(str(exc), 2)
    typer.echo(f"新建 {counts['created']}，新版本 {counts['new_versions']}，未变 {counts['unchanged']}")


@app.command("export")
def export(path: Path, official: bool = typer.Option(False, "--official", help="approved versions only")) -> None:
    """Export the library to .yaml or .xlsx."""
    try:
        n = export_file(_service(), SYSTEM, path, official)
    except ScriptError as exc:
        common.fail(str(exc), 2)
    typer.echo(f"已导出 {n} 条口径到 {path}")


@app.command("load-starter")
def load_starter() -> None:
    """Load the shipped starter library (only when the library is empty)."""
    n = load(_service())
    typer.echo(f"已载入入门口径 {n} 条" if n else "口径库非空，未载入")
