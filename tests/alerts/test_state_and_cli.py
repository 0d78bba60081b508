"""The `warnings` command: silences, the outbox, the list."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from core.db import StateDB


def test_warnings_command_silence_outbox_and_list(tmp_path, monkeypatch):
    from tests.conftest import write_config
    from tousu.cli.main import app

    config = write_config(tmp_path, warnings={"notifiers": [
        {"name": "log", "type": "file", "path": str(tmp_path / "a.jsonl")}]})
    runner = CliRunner()

    def call(*args):
        result = runner.invoke(app, ["--config", str(config), "warnings", *args])
        assert result.exit_code == 0, result.output
        return result.output

    assert "silenced post" in call("--silence", "post", "--for", "30m", "--reason", "演练")
    state = StateDB(tmp_path / "data" / "state.db")
    assert state.query("SELECT target, reason FROM silences") == [{"target": "post", "reason": "演练"}]
    assert "unsilenced post" in call("--unsilence", "post")
    assert "not silenced" in call("--unsilence", "post")
    assert json.loads(call("--outbox", "--json")) == []
    assert json.loads(call("--json")) == []
    bad = runner.invoke(app, ["--config", str(config), "warnings", "--silence", "x", "--for", "soon"])
    assert bad.exit_code == 2
