"""`tousu report`: a monthly workbook from the report tests' world; an unknown kind is refused."""

from __future__ import annotations

from typer.testing import CliRunner

from tests.reports.conftest import report_world  # noqa: F401 (a fixture)
from tousu.cli.main import app


def test_cli_report(report_world, tmp_path):
    cfg, *_ = report_world
    out = tmp_path / "m.xlsx"
    result = CliRunner().invoke(app, ["--config", str(cfg.file), "report", "monthly", "--date",
                                      "2026-11-20", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert out.exists()
    bad = CliRunner().invoke(app, ["--config", str(cfg.file), "report", "yearly"])
    assert bad.exit_code == 2
