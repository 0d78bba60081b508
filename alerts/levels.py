"""Warning levels: 一级 red is the most urgent."""

LEVEL_NAMES = {1: "一级", 2: "二级", 3: "三级"}
LEVEL_COLOURS = {1: "红色", 2: "橙色", 3: "黄色"}
# What a notice about an alert says it is, in the title's brackets.
KIND_LABELS = {"new": "", "update": "更新", "escalated": "升级", "reminder": "持续",
               "resolved": "解除"}


def level_tag(level: int) -> str:
    """'一级预警·红色'."""
    return f"{LEVEL_NAMES[level]}预警·{LEVEL_COLOURS[level]}"
