"""The `cases:` section: who a case goes to, how long each step may take, and what a closed case
must say (工单质检: the root-cause taxonomy, the vague words refused, the 质检 sampling share)."""

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


# After the operator's 《投诉工单质检规范》: causes the operator controls, and causes it does not.
DEFAULT_ROOT_CAUSES = {
    "可控": ["弱覆盖", "资源不足", "规划时间过长", "优化调整不到位", "维护不及时", "业务规则解释不清",
           "服务不规范"],
    "不可控": ["网络故障", "工程割接", "软硬件缺陷", "自然灾害", "第三方施工", "用户终端问题"],
}
OTHER_CAUSE = "其他"      # always offered; refused without a description
DEFAULT_VAGUE_WORDS = ["近期", "计划", "暂时", "尽快", "择期", "后续", "待定", "稍后", "争取", "有望",
                       "另行通知"]


class QualityConfig(Strict):
    """工单质检: what closing a case needs, and how closed cases are sampled for review."""

    root_causes: dict[str, list[str]] = DEFAULT_ROOT_CAUSES   # group (可控/不可控 …) → causes
    vague_words: list[str] = DEFAULT_VAGUE_WORDS     # refused in 处理场景, 办结说明, 其他's description
    min_text: int = Field(6, ge=1)                   # the shortest 处理场景 (characters)
    max_plan_days: int = Field(366, ge=1)            # 计划解决时间 at most this far after closing
    sample_share: float = Field(0.1, ge=0, le=1)     # share of closed cases sampled; tier 4: all
    sample_seed: str = Field("tousu-qc", min_length=1)   # the sample is a function of this and the cases

    @field_validator("root_causes")
    @classmethod
    def _taxonomy(cls, v: dict[str, list[str]]) -> dict[str, list[str]]:
        if not v:
            raise ValueError("at least one root-cause group is needed (e.g. 可控, 不可控)")
        seen: set[str] = set()
        for group, causes in v.items():
            if not group.strip() or not causes:
                raise ValueError(f"root-cause group {group!r} needs a name and at least one cause")
            for cause in causes:
                if not cause.strip() or cause == OTHER_CAUSE or cause in seen or cause in v:
                    raise ValueError(f"root cause {cause!r}: empty, repeated, a group name or "
                                     f"{OTHER_CAUSE!r} (which is always offered)")
                seen.add(cause)
        return v

    @field_validator("vague_words")
    @classmethod
    def _words(cls, v: list[str]) -> list[str]:
        if any(not w.strip() for w in v):
            raise ValueError("a vague word cannot be empty")
        return v

    def group_of(self, cause: str) -> str | None:
        """The group (可控/不可控 …) of a cause; 其他 for 其他; None for an unknown cause."""
        if cause == OTHER_CAUSE:
            return OTHER_CAUSE
        return next((g for g, causes in self.root_causes.items() if cause in causes), None)


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
    quality: QualityConfig = QualityConfig()

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
