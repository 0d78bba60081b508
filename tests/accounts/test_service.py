"""Users: argon2 hashes, roles, city bindings, admin-only management, first-start admin."""

from __future__ import annotations

import pytest

from accounts import SYSTEM, AccountError, PermissionDenied


def test_add_authenticate_and_hash(accounts):
    user = accounts.add_user(SYSTEM, "cs01", "Changsha#2026", "handler", ["长沙"], "张三")
    assert user.cities == ("长沙",) and user.label == "张三（分公司处理员）"
    stored = accounts.db.query("SELECT password_hash FROM users")[0]["password_hash"]
    assert stored.startswith("$argon2id$") and "Changsha" not in stored
    assert accounts.authenticate("cs01", "Changsha#2026") == user
    assert accounts.authenticate("cs01", "wrong-pass1") is None
    assert accounts.authenticate("nobody", "Changsha#2026") is None


@pytest.mark.parametrize("kwargs, message", [
    (dict(username="x y", role="monitor"), "用户名"),
    (dict(username="h1", role="handler"), "绑定至少一个负责地市$"),  # no CLI flag: the console says it too
    (dict(username="h1", role="handler", cities=["北京"]), "未知地市"),
    (dict(username="m1", role="boss"), "未知角色"),
    (dict(username="m1", role="monitor", password="short"), "至少"),
    (dict(username="m1", role="monitor", password="12345678901"), "字母"),
])
def test_bad_input(accounts, kwargs, message):
    kwargs.setdefault("password", "Good-pass-1")
    with pytest.raises(AccountError, match=message):
        accounts.add_user(SYSTEM, **kwargs)


def test_only_admins_manage(accounts):
    mon = accounts.add_user(SYSTEM, "mon", "Good-pass-1", "monitor")
    with pytest.raises(PermissionDenied, match="管理员"):
        accounts.add_user(mon, "x1", "Good-pass-1", "admin")
    with pytest.raises(PermissionDenied):
        accounts.list_users(mon)
    with pytest.raises(PermissionDenied):
        accounts.set_password(mon, "other", "Good-pass-2")


def test_disable_and_passwords(accounts):
    accounts.add_user(SYSTEM, "cs01", "Good-pass-1", "handler", ["长沙"])
    accounts.set_active(SYSTEM, "cs01", False)
    assert accounts.authenticate("cs01", "Good-pass-1") is None
    accounts.set_active(SYSTEM, "cs01", True)
    me = accounts.authenticate("cs01", "Good-pass-1")
    with pytest.raises(PermissionDenied, match="原密码"):
        accounts.set_password(me, "cs01", "New-pass-22", old_password="nope")
    accounts.set_password(me, "cs01", "New-pass-22", old_password="Good-pass-1")
    assert accounts.authenticate("cs01", "New-pass-22")
    accounts.set_password(SYSTEM, "cs01", "Admin-set-33")
    assert accounts.authenticate("cs01", "Admin-set-33")
    admin = accounts.add_user(SYSTEM, "root", "Good-pass-1", "admin")
    with pytest.raises(AccountError, match="自己"):
        accounts.set_active(admin, "root", False)


def test_first_start_admin(accounts):
    assert "TOUSU_ADMIN_PASSWORD" in accounts.ensure_admin({})
    assert accounts.count() == 0
    said = accounts.ensure_admin({"TOUSU_ADMIN_USER": "chief", "TOUSU_ADMIN_PASSWORD": "First-start-1"})
    assert "chief" in said and accounts.authenticate("chief", "First-start-1").role == "admin"
    assert accounts.ensure_admin({"TOUSU_ADMIN_PASSWORD": "Other-pass-1"}) is None
