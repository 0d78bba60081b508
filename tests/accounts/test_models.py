"""The acting user: labels, which cities a role sees, and the role check's Chinese refusals."""

from __future__ import annotations

import pytest

from accounts.models import ROLES, SYSTEM, PermissionDenied, User

HANDLER = User("cs01", "handler", ("长沙",), "张三")


def test_label_names_the_role_in_chinese():
    assert HANDLER.label == "张三（分公司处理员）"
    assert User("mon", "monitor").label == "mon（省监控员）"


@pytest.mark.parametrize("user, city, sees", [
    (HANDLER, "长沙", True), (HANDLER, "株洲", False), (HANDLER, None, False),
    (User("mon", "monitor"), None, True), (User("boss", "manager"), "株洲", True),
    (User("rev", "reviewer"), "长沙", False),
])
def test_who_sees_which_city(user, city, sees):
    assert user.may_see_city(city) is sees


def test_require_refuses_another_role_and_a_disabled_user():
    HANDLER.require("handler", "admin")
    with pytest.raises(PermissionDenied, match="无权派单：需要省监控员、管理员角色，当前为分公司处理员"):
        HANDLER.require("monitor", "admin", action="派单")
    disabled = User("old", "admin", active=False)
    with pytest.raises(PermissionDenied, match="账号 old 已停用"):
        disabled.require("admin")


def test_system_is_a_province_wide_admin():
    assert SYSTEM.role == "admin" and SYSTEM.province_wide and SYSTEM.role in ROLES
