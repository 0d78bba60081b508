"""The `cases:` section: who a case goes to and how long each step may take."""

from __future__ import annotations

from pathlib import Path
from typing import Literal, Protocol

from pydantic import Field, field_validator

from alerts.config import AppConfig as AlertsAppConfig
from core.config import Strict, check_interval, interval_seconds
from indexer.config import StoreConfig


DEFAULT_DEPARTMENTS = {
    "网络覆盖/信号": "网络部", "上网速度/移动数据": "网络部", "宽带/家宽": "家庭业务部",
    "资费计费/乱扣费": "计费账务中心", "套餐/合约": "市场部", "增值业务/SP定制": "增值业务管理室",
    "业务办理/销户携号转网": "渠道管理部", "服务态度/营业厅": "渠道管理部",
    "10086热线": "客户服务中心", "营销宣传": "市场部", "终端/卡": "终端公司", "其他": "客户服务中心",
}


class SlaSpec(Strict):
    first_response: str
    closure: str

    @field_validator("first_response", "closure")
    @classmethod
    def _duration(cls, v: str) -> str:
        if interval_seconds(v) is None:
            raise ValueError(f"not a duration like 30m/4h/2d: {v!r}")
        return v


class CasesConfig(Strict):
    auto_create_levels: list[Literal[1, 2, 3]] = [1, 2]
    auto_dispatch: bool = True             # a case with a known city goes straight to its branch
    provincial_team: str = "省公司互联网投诉组"
    branch_suffix: str = "分公司"
    branches: dict[str, str] = {}          # city → branch name; default "{city}{branch_suffix}"
    departments: dict[str, str] = DEFAULT_DEPARTMENTS   # category → department
    sla: dict[int, SlaSpec] = {
        4: SlaSpec(first_response="1h", closure="24h"),
        3: SlaSpec(first_response="4h", closure="48h"),
        2: SlaSpec(first_response="24h", closure="72h"),
        1: SlaSpec(first_response="24h", closure="72h"),
        0: SlaSpec(first_response="24h", closure="72h"),
    }
    escalate_every: str = "5m"
    related_author_days: float = Field(30, ge=0)
    hotline: str = "10086"

    @field_validator("escalate_every")
    @classmethod
    def _interval(cls, v: str) -> str:
        return check_interval(v)

    def branch_of(self, city: str | None) -> str:
        """The branch that handles `city`; the provincial team when the city is unknown."""
        if not city:
            return self.provincial_team
        return self.branches.get(city, f"{city}{self.branch_suffix}")

    def sla_for(self, tier: int | None) -> SlaSpec:
        """The SLA of a severity tier (the nearest configured tier at or below it)."""
        tier = tier or 0
        for t in sorted(self.sla, reverse=True):
            if t <= tier:
                return self.sla[t]
        return self.sla[min(self.sla)]


class AppConfig(AlertsAppConfig, Protocol):
    """What cases/ reads of the whole config (tousu.config.Config is one)."""

    cases: CasesConfig
    store: StoreConfig

    @property
    def store_path(self) -> Path: ...
