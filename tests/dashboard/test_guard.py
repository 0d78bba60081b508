"""The error boundary: an unexpected error is a Chinese message without a traceback."""

from __future__ import annotations

from tests.dashboard.conftest import app_as, texts


def test_unexpected_error_is_chinese_without_traceback(console_config, monkeypatch):
    from dashboard import data

    def boom(*args, **kwargs):
        raise RuntimeError("disk on fire /secret/path")

    monkeypatch.setattr(data, "search", boom)
    at = app_as("monitor", "search")
    assert not at.exception
    message = " ".join(e.value for e in at.error)
    assert "页面出错了" in message and "错误编号" in message
    assert "secret" not in texts(at) and "RuntimeError" not in texts(at)
