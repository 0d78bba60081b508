"""What every command group shares: the config, failing with a message, JSON output, `--as`,
and the review steps of the reviewed libraries (scripts, guides, typical cases)."""

from __future__ import annotations

import functools
import inspect
import json
import typing
from datetime import date
from pathlib import Path
from typing import Any, Callable, NoReturn, Optional

import typer

from accounts.models import SYSTEM, PermissionDenied, User
from accounts.service import AccountService
from core.config import ConfigError
from core.db import StateDB
from nlp.dictionary import get_dictionary
from reply_scripts.review import ReviewedLibrary
from tousu.config import Config, load, load_or_defaults


class State:
    config_path: Optional[Path] = None


CONFIG_OPTION = typer.Option(None, "--config", "-c", envvar="TOUSU_CONFIG",
                             help="config file (default ./config.yaml)")
AS_USER = typer.Option(None, "--as", help="act as this stored user (default: administrator)")


def with_config(command: Callable[..., Any]) -> Callable[..., Any]:
    """The command, also taking `--config` after its name (`tousu check --config X`), as the
    README promises; click gives a group's options to the group only."""

    @functools.wraps(command)
    def run(*args: Any, config_path: Optional[Path] = None, **kwargs: Any) -> Any:
        if config_path is not None:
            State.config_path = config_path
        return command(*args, **kwargs)

    signature = inspect.signature(command)
    option = inspect.Parameter("config_path", inspect.Parameter.KEYWORD_ONLY, default=CONFIG_OPTION,
                               annotation=Optional[Path])
    run.__signature__ = signature.replace(parameters=[*signature.parameters.values(), option])  # type: ignore[attr-defined]
    run.__annotations__ = {**typing.get_type_hints(command), "config_path": Optional[Path]}
    return run


def config_everywhere(app: typer.Typer) -> None:
    """Give every command and group callback under `app` its own `--config`."""
    for info in app.registered_commands:
        info.callback = with_config(info.callback)
    for group in app.registered_groups:
        sub = group.typer_instance
        if sub.registered_callback is not None:
            sub.registered_callback.callback = with_config(sub.registered_callback.callback)
        config_everywhere(sub)


def config() -> Config:
    """The validated config, or exit 2 with the error."""
    return _loaded(load)


def config_or_defaults() -> Config:
    """`config()`, or the built-in defaults when no file is named and there is no ./config.yaml
    (for commands that need no store or state, such as `tousu analyze`)."""
    return _loaded(load_or_defaults)


def _loaded(loader: Callable[[Optional[Path]], Config]) -> Config:
    try:
        return loader(State.config_path)
    except ConfigError as exc:
        typer.echo(f"配置错误 config error:\n{exc}", err=True)
        raise typer.Exit(2) from None


def fail(message: str, code: int = 1) -> NoReturn:
    """Print the message on stderr and exit with `code` (2: bad input or config)."""
    typer.echo(message, err=True)
    raise typer.Exit(code)


def day(text: Optional[str]) -> Optional[date]:
    """`--date YYYY-MM-DD` as a date (None when not given), or exit 2 naming what is wrong."""
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        fail(f"--date: 无法识别日期 {text!r}（格式 2026-11-21）", 2)


def emit(data: Any) -> None:
    """Print data as indented JSON (`--json`)."""
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2))


def listing(items: list[Any], as_json: bool, line: Callable[[Any], str], empty: str = "") -> None:
    """A list command's output: with `--json` the items' dicts, else `line` of each (and `empty`
    when there are none)."""
    if as_json:
        emit([item.to_dict() for item in items])
        return
    for item in items:
        typer.echo(line(item))
    if not items and empty:
        typer.echo(empty)


def account_service() -> AccountService:
    """The account service on the configured state DB (exits 2 on a config error)."""
    cfg = config()
    try:
        cities = get_dictionary(cfg.keywords_dir).cities
    except Exception:  # the dictionary has its own check command; bindings just go unchecked
        cities = None
    return AccountService(StateDB(cfg.state_path), cities)


def acting_user(username: Optional[str]) -> User:
    """`--as NAME`: act as that stored, active user (to check what they may do); default: admin."""
    if not username:
        return SYSTEM
    user = account_service().load_user(username)
    if user is None or not user.active:
        fail(f"用户 {username} 不存在或已停用", 2)
    assert user is not None
    return user


def review_commands(app: typer.Typer, service: Callable[[], ReviewedLibrary], key: str,
                    approve_help: str, retire_help: str) -> None:
    """Add `submit`, `approve`, `reject` and `retire` to a library's group; each takes the entry's
    id (shown as `key` in the help) and prints the newest version's status."""
    entry_id = typer.Argument(..., metavar=key)

    def step(action: str, entry: int, note: str, as_user: Optional[str]) -> None:
        svc, user = service(), acting_user(as_user)
        try:
            done = (svc.submit(user, entry) if action == "submit"
                    else getattr(svc, action)(user, entry, note))
        except (svc.ERROR, PermissionDenied) as exc:
            fail(str(exc), 1)
        typer.echo(f"{done.code} v{done.latest.version} {done.latest.status_label}")

    @app.command("submit")
    def submit(entry: int = entry_id, as_user: Optional[str] = AS_USER) -> None:
        """Send the newest draft for review."""
        step("submit", entry, "", as_user)

    @app.command("approve", help=approve_help)
    def approve(entry: int = entry_id, note: str = typer.Option("", "--note"),
                as_user: Optional[str] = AS_USER) -> None:
        step("approve", entry, note, as_user)

    @app.command("reject")
    def reject(entry: int = entry_id, note: str = typer.Option(..., "--note"),
               as_user: Optional[str] = AS_USER) -> None:
        """Send the version in review back to draft."""
        step("reject", entry, note, as_user)

    @app.command("retire", help=retire_help)
    def retire(entry: int = entry_id, note: str = typer.Option("", "--note"),
               as_user: Optional[str] = AS_USER) -> None:
        step("retire", entry, note, as_user)


def show_entry(svc: ReviewedLibrary, entry_id: int, as_json: bool,
               body: Callable[[Any], str]) -> None:
    """A library's `show`: the entry as JSON (`--json`), or its code and the shown (official, else
    newest) version's title, `body` of that version, and a line per version of its history."""
    try:
        entry = svc.get(SYSTEM, entry_id)
    except (svc.ERROR, PermissionDenied) as exc:
        fail(str(exc), 1)
    if as_json:
        emit(entry.to_dict())
        return
    shown = entry.official or entry.latest
    typer.echo(f"{entry.code} {shown.title}\n{body(shown)}")
    for v in entry.history:
        typer.echo(f"  v{v.version} {v.status_label} 起草 {v.author} {v.created_at[:16]}"
                   + (f" 审批 {v.approver} {v.approved_at[:16]}" if v.approver and v.approved_at else ""))
