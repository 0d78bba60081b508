"""`tousu users`: add, disable, list, passwd, unlock on a real config and state DB."""

from __future__ import annotations

from typer.testing import CliRunner

from accounts import SYSTEM, AccountService, LoginConfig, LoginRefusedError
from core.db import StateDB
from tests.conftest import write_config
from tousu.cli.main import app


def test_cli_users(tmp_path, monkeypatch):
    path = write_config(tmp_path)
    monkeypatch.setenv("PW", "Good-pass-1")
    runner = CliRunner()
    base = ["--config", str(path), "users"]
    result = runner.invoke(app, [*base, "add", "cs01", "--role", "handler", "--city", "长沙",
                                 "--password-env", "PW"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, [*base, "add", "bad", "--role", "handler", "--password-env", "PW"])
    assert result.exit_code == 2 and "绑定" in result.output
    assert runner.invoke(app, [*base, "disable", "cs01"]).exit_code == 0
    listed = runner.invoke(app, [*base, "list", "--json"])
    assert '"active": false' in listed.output and '"长沙"' in listed.output
    assert runner.invoke(app, [*base, "passwd", "cs01", "--password-env", "PW"]).exit_code == 0


def test_cli_unlock_and_list(tmp_path, monkeypatch):
    path = write_config(tmp_path)
    db = StateDB(tmp_path / "data" / "state.db")
    accounts = AccountService(db)
    accounts.add_user(SYSTEM, "cs01", "Changsha#2026", "handler", ["长沙"])
    for _ in range(LoginConfig().lock_after):
        try:
            accounts.authenticate("cs01", "guess-1234", "10.0.0.5")
        except LoginRefusedError:
            pass  # lock_after wrong in a row at once: the throttle refuses some, lock at the end
        accounts.attempts.db.execute("UPDATE login_attempts SET wait_until = NULL")
    db.close()
    runner = CliRunner()
    base = ["--config", str(path), "users"]
    listed = runner.invoke(app, [*base, "list"])
    assert "登录锁定至" in listed.output
    result = runner.invoke(app, [*base, "unlock", "cs01"])
    assert result.exit_code == 0 and "已解锁 cs01" in result.output
    assert "当前未被锁定" in runner.invoke(app, [*base, "unlock", "cs01"]).output
    assert '"locked_until": null' in runner.invoke(app, [*base, "list", "--json"]).output
