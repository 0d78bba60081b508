"""The product's words, one copy each: severity tiers, warning levels, complaint categories."""

from __future__ import annotations

# Severity tier of a post (docs/labeling.md; ../shared/DESIGN.md's tiers).
TIER_LABELS = {0: "无关/正面", 1: "咨询求助", 2: "抱怨吐槽", 3: "投诉", 4: "曝光/升级"}

# Warning levels: 一级 red is the most urgent.
LEVEL_NAMES = {1: "一级", 2: "二级", 3: "三级"}
LEVEL_COLOURS = {1: "红色", 2: "橙色", 3: "黄色"}
# A warning's status as the console and the briefings name it.
ALERT_STATUS_NAMES = {"open": "未处理", "acknowledged": "已确认", "resolved": "已解除", "closed": "已关闭"}

# Warning rules by type (alerts.config), and the two kinds of notice raised outside the rules:
# a case past its SLA and a scheduled report.
RULE_TYPE_LABELS = {"post": "单帖预警", "volume": "声量超阈", "spike": "声量突变",
                    "event": "热点事件", "flatline": "信源停更", "coverage": "采集盲区",
                    "sla": "工单超时",
                    "report": "定期报表"}

# Complaint categories, in the order reports and the console list them.
CATEGORIES = (
    "网络覆盖/信号", "上网速度/移动数据", "宽带/家宽", "资费计费/乱扣费", "套餐/合约",
    "增值业务/SP定制", "业务办理/销户携号转网", "服务态度/营业厅", "10086热线", "营销宣传",
    "终端/卡", "其他",
)
