"""`tousu users …`: add, list, disable/enable, passwd, unlock. The command line acts as the administrator."""

from __future__ import annotations

import os
from typing import Optional

import typer

from accounts.models import ROLE_LABELS, SYSTEM, PermissionDenied
from accounts.service import AccountError
from tousu.cli import common

app = typer.Typer(no_args_is_help=True, help="用户与角色 users and roles")


def _password(env: Optional[str]) -> str:
    if env:
        value = os.environ.get(env)
        if not value:
            raise typer.BadParameter(f"环境变量 {env} 未设置")
        return value
    return typer.prompt("密码 password", hide_input=True, confirmation_prompt=True)


@app.command("add")
def add(username: str, role: str = typer.Option(..., "--role", "-r", help=", ".join(ROLE_LABELS)),
        city: list[str] = typer.Option([], "--city", help="bound city (handlers; repeatable)"),
        name: str = typer.Option("", "--name", help="display name"),
        password_env: Optional[str] = typer.Option(None, "--password-env",
                                                   help="read the password from this variable")) -> None:
    """Add a user (the password is prompted unless --password-env names a variable)."""
    svc = common.account_service()
    try:
        user = svc.add_user(SYSTEM, username, _password(password_env), role, city, name)
    except AccountError as exc:
        common.fail(str(exc), 2)
    typer.echo(f"已添加 {user.username}：{ROLE_LABELS[user.role]}"
               + (f"，地市 {'、'.join(user.cities)}" if user.cities else ""))


@app.command("list")
def list_users(as_json: bool = typer.Option(False, "--json")) -> None:
    """List users with role, cities and state (and the end of a login lock)."""
    svc = common.account_service()
    users = svc.list_users(SYSTEM)
    locked = {r["name"]: r["locked_until"] for r in svc.login_restrictions(SYSTEM) if r["locked_until"]}
    if as_json:
        common.emit([{"username": u.username, "display_name": u.display_name, "role": u.role,
                      "cities": list(u.cities), "active": u.active,
                      "locked_until": locked.get(u.username)} for u in users])
        return
    for u in users:
        typer.echo(f"{u.username:16} {ROLE_LABELS.get(u.role, u.role):8} {'启用' if u.active else '停用'} "
                   f"{'、'.join(u.cities) or '全省' if u.province_wide else '、'.join(u.cities)}"
                   f" {u.display_name}"
                   + (f" 登录锁定至 {locked[u.username]}" if u.username in locked else ""))


@app.command("disable")
def disable(username: str) -> None:
    """Disable a user (they can no longer sign in; their history stays)."""
    try:
        common.account_service().set_active(SYSTEM, username, False)
    except (AccountError, PermissionDenied) as exc:
        common.fail(str(exc), 2)
    typer.echo(f"已停用 {username}")


@app.command("enable")
def enable(username: str) -> None:
    """Re-enable a disabled user."""
    try:
        common.account_service().set_active(SYSTEM, username, True)
    except AccountError as exc:
        common.fail(str(exc), 2)
    typer.echo(f"已启用 {username}")


@app.command("passwd")
def passwd(username: str, password_env: Optional[str] = typer.Option(None, "--password-env")) -> None:
    """Set a user's password."""
    try:
        common.account_service().set_password(SYSTEM, username, _password(password_env))
    except AccountError as exc:
        common.fail(str(exc), 2)
    typer.echo(f"已修改 {username} 的密码")


@app.command("unlock")
def unlock(username: str) -> None:
    """End a login lock (and forget the failures in a row) of a user name."""
    if common.account_service().unlock(SYSTEM, username):
        typer.echo(f"已解锁 {username}")
    else:
        typer.echo(f"{username} 当前未被锁定")
