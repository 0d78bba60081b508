"""`tousu guides …`: troubleshooting guides (排障指引) from the command line."""

from __future__ import annotations

from typing import Optional

import typer

from accounts.models import SYSTEM, PermissionDenied
from cases.models import CaseError
from cases.service import CaseService
from core.db import StateDB
from knowledge.guides import GuideService
from knowledge.models import KnowledgeError
from knowledge.typical import TypicalCaseService
from tousu.cli import common

app = typer.Typer(no_args_is_help=True, help="排障指引 troubleshooting guides")
LINES = "one item per line (or the option repeated)"


def _service() -> GuideService:
    return GuideService(StateDB(common.config().state_path))


@app.command("list")
def list_guides(status: Optional[str] = typer.Option(None, "--status", help="draft in_review approved retired"),
                category: Optional[str] = typer.Option(None, "--category"),
                topic: Optional[str] = typer.Option(None, "--topic", help="e.g. VoLTE"),
                query: str = typer.Option("", "--query", "-q"),
                as_json: bool = typer.Option(False, "--json")) -> None:
    """List guides (the newest version; the approved one with --status approved)."""
    try:
        guides = _service().list_guides(SYSTEM, status, category, query, topic)
    except KnowledgeError as exc:
        common.fail(str(exc), 2)
    common.listing(guides, as_json, lambda g: (
        f"#{g.guide_id} {g.code} v{g.latest.version} [{g.latest.status_label}] {g.latest.title} "
        f"（{'、'.join(g.latest.categories)}{'；' + g.latest.topic if g.latest.topic else ''}）"))


@app.command("show")
def show(guide_id: int, as_json: bool = typer.Option(False, "--json")) -> None:
    """One guide: symptoms, steps, checks, handover and version history."""
    common.show_entry(_service(), guide_id, as_json, lambda v: (
        f"分类：{'、'.join(v.categories)}  专题：{v.topic or '—'}\n现象：{v.symptoms}\n排查步骤：\n"
        + "\n".join(f"  {n}. {step}" for n, step in enumerate(v.steps, 1))
        + "\n核查要点：\n" + "\n".join(f"  - {c}" for c in v.checks) + f"\n转交：{v.handover or '—'}"))


@app.command("create")
def create(title: str = typer.Option(..., "--title"),
           symptoms: str = typer.Option(..., "--symptoms", help="what the customer reports"),
           steps: list[str] = typer.Option(..., "--step", help=f"a troubleshooting step; {LINES}"),
           checks: Optional[list[str]] = typer.Option(None, "--check", help=f"a check before closing; {LINES}"),
           categories: str = typer.Option("", "--categories", help="comma-separated"),
           handover: str = typer.Option("", "--handover"), topic: str = typer.Option("", "--topic"),
           as_user: Optional[str] = common.AS_USER) -> None:
    """Draft a new guide."""
    try:
        guide = _service().create(common.acting_user(as_user), title, categories, symptoms, steps,
                                  checks or [], handover, topic)
    except (KnowledgeError, PermissionDenied) as exc:
        common.fail(str(exc), 2)
    typer.echo(f"#{guide.guide_id} {guide.code} v1 {guide.latest.status_label}")


common.review_commands(app, _service, "guide_id", "Approve the version in review (not by its author).",
                       "Stop showing a guide.")


@app.command("suggest")
def suggest(case: Optional[str] = typer.Option(None, "--case", help="case id or number"),
            text: Optional[str] = typer.Option(None, "--text", help="free text"),
            limit: int = typer.Option(3, "--limit", "-n"), as_user: Optional[str] = common.AS_USER,
            as_json: bool = typer.Option(False, "--json")) -> None:
    """The approved guides that fit a case or a text, with the reason."""
    from knowledge import suggest as sg  # lazy: scikit-learn (~1 s) only for this command

    user = common.acting_user(as_user)
    guides = _service()
    try:
        if case:
            cases = CaseService(common.config(), guides.db)
            try:
                found, _ = sg.for_case(guides, TypicalCaseService(guides.db), cases, user,
                                       cases.case_id_of(case), limit)
            finally:
                cases.close()
        elif text:
            found = sg.guides_for(guides, user, text, None, limit)
        else:
            common.fail("需要 --case 或 --text 之一", 2)
    except (CaseError, PermissionDenied) as exc:
        common.fail(str(exc), 1)
    common.listing(found, as_json,
                   lambda m: f"#{m.entry_id} {m.code} {m.title}  得分 {m.score}  {m.why}")


@app.command("load-seed")
def load_seed() -> None:
    """Add the shipped guides not in the library yet (as approved); run again, adds nothing."""
    try:
        n = _service().load_seed()
    except KnowledgeError as exc:
        common.fail(str(exc), 2)
    typer.echo(f"已载入入门排障指引 {n} 条" if n else "入门排障指引均已在库中，未新增")
