"""Fixtures for the knowledge library: cases in 长沙 and 株洲 whose posts carry personal data,
one user per role, a clock, and the guide and typical-case services on the same state DB.

Posts and users are made once per session and copied per test (every commit syncs to disk)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from tests.cases.helpers import CLOSING, Clock, copied_config, post, seeded_data

USERNAMES = ("mon", "cs", "zz", "rev", "rev2", "boss", "root")
# A broadband complaint with a phone number, an ID number, an address, a named contact and the
# author's own nickname in it: everything the typical case must not keep.
PERSONAL = ("湘江边的风：家里宽带光猫红灯闪，断网三天了！联系人：张三，电话13812345678，"
            "身份证430102199003071234，住在阳光花园小区3栋2单元1201室，@移动客服 管不管？")


def world_posts():
    return [post(1, author="湘江边的风", categories=("宽带/家宽",), title="宽带断网三天光猫红灯",
                 content=PERSONAL),
            post(2, author="株洲小李", city="株洲", categories=("网络覆盖/信号",),
                 title="打电话老是掉话", content="VoLTE 通话中经常掉话，进电梯就断，高清通话没用"),
            post(3, author="新用户", categories=("宽带/家宽",), title="光猫 LOS 红灯一直闪",
                 content="家里宽带又断网了，光猫红灯闪烁，重启路由器也没用")]


@pytest.fixture(scope="session")
def knowledge_data(tmp_path_factory):
    return seeded_data(tmp_path_factory.mktemp("knowledge"), world_posts())


@dataclass
class World:
    cfg: Any
    cases: Any
    guides: Any
    typical: Any
    people: dict[str, Any]
    clock: Any
    store: Any

    def closed_case(self, n: int, handler: str = "cs") -> Any:
        """A case for post n taken from creation to 已办结 with a reply and an offline fix."""
        from tests.cases.helpers import post as make_post

        post_id = make_post(n).id
        mon, who = self.people["mon"], self.people[handler]
        case = self.cases.create_from_post(mon, post_id)
        if case.status == "新建":
            self.cases.act(mon, case.case_id, "dispatch")
        self.cases.act(who, case.case_id, "accept")
        self.clock.advance(minutes=30)
        self.cases.act(who, case.case_id, "reply",
                       "湘江边的风您好，已安排装维师傅上门，联系电话13812345678的机主请保持畅通。")
        self.clock.advance(hours=5)
        return self.cases.act(who, case.case_id, "close",
                              "装维上门发现入户尾纤弯折，更换尾纤后光功率恢复，客户张三确认上网正常。",
                              **CLOSING)


@pytest.fixture
def world(tmp_path, knowledge_data):
    from accounts import AccountService
    from cases.service import CaseService
    from core.db import StateDB
    from indexer import open_store
    from knowledge import GuideService, TypicalCaseService

    cfg = copied_config(tmp_path, knowledge_data)
    store = open_store(cfg)
    db = StateDB(cfg.state_path)
    db.execute("PRAGMA synchronous=OFF")   # test data: no need to survive a power cut
    accounts = AccountService(db)
    clock = Clock()
    yield World(cfg, CaseService(cfg, db, store, clock=clock), GuideService(db), TypicalCaseService(db),
                {name: accounts.load_user(name) for name in USERNAMES}, clock, store)
    store.close()
    db.close()
