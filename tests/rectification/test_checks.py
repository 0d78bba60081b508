"""What an item's fields must be: each refusal names the field in Chinese."""

from __future__ import annotations

import pytest

from rectification import RectificationError


@pytest.mark.parametrize("fields, message", [
    ({"deadline": "2026-11-19"}, "早于今天"),
    ({"deadline": "下月底"}, "须为日期"),
    ({"city": "武汉"}, "未知地市"),
    ({"measure": " "}, "预期整改措施"),
    ({"owner_department": ""}, "责任部门"),
    ({"owners": ["nobody"]}, "责任人 nobody"),
    ({"case_ids": [999]}, "工单 999 不存在"),
])
def test_open_refuses_what_is_missing_or_wrong(world, fields, message):
    base = {"problem": "长沙宽带装机慢", "owner_department": "家庭业务部", "measure": "增派装维",
            "city": "长沙", **fields}
    with pytest.raises(RectificationError, match=message):
        world.service.open(world.users["boss"], **base)
