"""Placeholders in a script body: found, filled, and the missing ones named."""

from __future__ import annotations

from reply_scripts.models import fill_placeholders


def test_fill_reports_missing_values():
    text, missing = fill_placeholders("{昵称}您好，工单{工单号}，{未知}", {"昵称": "王先生"})
    assert text == "王先生您好，工单{工单号}，{未知}" and missing == ["工单号", "未知"]
