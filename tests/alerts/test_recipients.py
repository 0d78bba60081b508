"""Recipient groups (收件组): kept by managers, expanded to notifiers."""

from __future__ import annotations

import pytest

from accounts.models import PermissionDenied
from alerts import audit
from alerts.recipients import delete_group, expand, groups, save_group
from alerts.review import ReviewError
from tests.alerts.conftest import MANAGER, MONITOR, NOW


def test_recipient_groups_are_kept_by_managers(desk):
    config, state, _, _ = desk
    with pytest.raises(PermissionDenied):
        save_group(state, config, MONITOR, "衡阳分公司", ["branch"])
    with pytest.raises(ReviewError, match="没有名为「wechat」"):
        save_group(state, config, MANAGER, "衡阳分公司", ["branch", "wechat"])
    save_group(state, config, MANAGER, "衡阳分公司", ["branch"], note="衡阳分公司值班群", now=NOW)
    save_group(state, config, MANAGER, "全省", ["province", "branch"], now=NOW)
    assert [(g["name"], g["notifiers"]) for g in groups(state)] == [
        ("全省", ["province", "branch"]), ("衡阳分公司", ["branch"])]
    assert expand(state, config, ["衡阳分公司", "全省"], ["province"]) == ["branch", "province"]
    assert expand(state, config) is None
    with pytest.raises(ReviewError, match="收件组"):
        expand(state, config, ["没有这个组"])
    assert delete_group(state, MANAGER, "全省", NOW) and not delete_group(state, MANAGER, "全省", NOW)
    assert [e["action"] for e in audit.entries(state)] == ["group_delete", "group_save", "group_save"]
