"""What an item's fields must be before they are stored; each refusal names the field in Chinese."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from typing import Iterable

from accounts.service import AccountService
from core.db import StateDB
from nlp.dictionary import get_dictionary
from rectification.config import AppConfig
from rectification.models import RectificationError

_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


def text(value: str | None, label: str, limit: int = 500) -> str:
    """A required text, stripped, at most `limit` characters."""
    out = (value or "").strip()
    if not out:
        raise RectificationError(f"请填写{label}")
    if len(out) > limit:
        raise RectificationError(f"{label}不能超过 {limit} 字")
    return out


def deadline(config: AppConfig, value: date | str | None, now: datetime) -> str:
    """'YYYY-MM-DD', not before today; none given: `rectification.default_days` from today."""
    if value is None or value == "":
        return (now.date() + timedelta(days=config.rectification.default_days)).isoformat()
    try:
        day = value if isinstance(value, date) else date.fromisoformat(str(value).strip())
    except ValueError:
        raise RectificationError(f"整改时限须为日期（如 2026-12-31），不能是「{value}」") from None
    if day < now.date():
        raise RectificationError(f"整改时限 {day} 早于今天")
    return day.isoformat()


def city(config: AppConfig, value: str | None) -> str | None:
    """A city of the dictionary, or None for the whole province."""
    name = (value or "").strip() or None
    if name is not None and name not in get_dictionary(config.keywords_dir).cities:
        raise RectificationError(f"未知地市「{name}」")
    return name


def owners(db: StateDB, names: Iterable[str]) -> list[str]:
    """Named owners: each an active handler."""
    out = list(dict.fromkeys(n.strip() for n in names if n and n.strip()))
    accounts = AccountService(db)
    for name in out:
        user = accounts.load_user(name)
        if user is None or not user.active or user.role != "handler":
            raise RectificationError(f"责任人 {name} 不存在、已停用或不是分公司处理员")
    return out


def month(value: str) -> str:
    """'YYYY-MM'."""
    value = value.strip()
    if not _MONTH.match(value):
        raise RectificationError(f"月份须为 YYYY-MM，不能是「{value}」")
    return value
