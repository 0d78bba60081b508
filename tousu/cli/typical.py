"""`tousu cases typical …`: the typical-case library (典型案例) from the command line."""

from __future__ import annotations

from typing import Optional

import typer

from accounts.models import PermissionDenied
from cases.models import CaseError
from cases.service import CaseService
from core.db import StateDB
from knowledge.guides import GuideService
from knowledge.models import KnowledgeError
from knowledge.typical import TypicalCaseService
from tousu.cli import common

app = typer.Typer(no_args_is_help=True, help="典型案例 typical cases: propose, review, search, suggest")


def _service() -> TypicalCaseService:
    return TypicalCaseService(StateDB(common.config().state_path))


@app.command("propose")
def propose(ref: str = typer.Argument(..., help="closed case: id or case number"),
            lesson: str = typer.Option("", "--lesson", help="what to learn from it (经验要点)"),
            as_user: Optional[str] = common.AS_USER) -> None:
    """Propose a closed case as a typical case (a scrubbed draft for review)."""
    svc = _service()
    cases = CaseService(common.config(), svc.db)
    try:
        entry = svc.propose(common.acting_user(as_user), cases, cases.case_id_of(ref), lesson)
    except (KnowledgeError, CaseError, PermissionDenied) as exc:
        common.fail(str(exc), 1)
    finally:
        cases.close()
    typer.echo(f"#{entry.typical_id} {entry.code} ← {entry.case_no} {entry.latest.status_label}："
               f"{entry.latest.title}")


@app.command("list")
def list_typical(status: Optional[str] = typer.Option(None, "--status", help="draft in_review approved retired"),
                 category: Optional[str] = typer.Option(None, "--category"),
                 query: str = typer.Option("", "--query", "-q"), as_user: Optional[str] = common.AS_USER,
                 as_json: bool = typer.Option(False, "--json")) -> None:
    """Search the library (drafts only for their authors and reviewers)."""
    try:
        found = _service().list_typical(common.acting_user(as_user), status, category, query)
    except (KnowledgeError, PermissionDenied) as exc:
        common.fail(str(exc), 2)
    common.listing(found, as_json, lambda e: (
        f"#{e.typical_id} {e.code} [{e.latest.status_label}] {e.city or '—'} {e.title} "
        f"（{'、'.join((e.official or e.latest).categories)}；工单 {e.case_no}）"))


@app.command("show")
def show(typical_id: int, as_user: Optional[str] = common.AS_USER,
         as_json: bool = typer.Option(False, "--json")) -> None:
    """One typical case: the complaint, the reply, the offline fix, the outcome, the lesson."""
    try:
        entry = _service().get(common.acting_user(as_user), typical_id)
    except (KnowledgeError, PermissionDenied) as exc:
        common.fail(str(exc), 1)
    if as_json:
        common.emit(entry.to_dict())
        return
    v = entry.official or entry.latest
    typer.echo(f"{entry.code} {v.title}（{entry.city or '—'}，{entry.tier}级，工单 {entry.case_no}）\n"
               f"分类：{'、'.join(v.categories)}\n问题：{v.problem}\n线上回复：{v.reply or '—'}\n"
               f"线下处理：{v.fix or '—'}\n结果：{v.outcome or '—'}\n经验要点：{v.lesson or '—'}")


common.review_commands(app, _service, "typical_id",
                       "Approve the version in review (not by its author): it joins the library.",
                       "Take a typical case out of the library.")


@app.command("suggest")
def suggest(ref: str = typer.Argument(..., help="case id or case number"),
            limit: int = typer.Option(3, "--limit", "-n"), as_user: Optional[str] = common.AS_USER,
            as_json: bool = typer.Option(False, "--json")) -> None:
    """The approved typical cases closest to a case, with the reason."""
    from knowledge import suggest as sg  # lazy: scikit-learn (~1 s) only for this command

    svc = _service()
    cases = CaseService(common.config(), svc.db)
    try:
        _, found = sg.for_case(GuideService(svc.db), svc, cases, common.acting_user(as_user),
                               cases.case_id_of(ref), limit)
    except (CaseError, PermissionDenied) as exc:
        common.fail(str(exc), 1)
    finally:
        cases.close()
    common.listing(found, as_json,
                   lambda m: f"#{m.entry_id} {m.code} {m.title}  得分 {m.score}  {m.why}")
