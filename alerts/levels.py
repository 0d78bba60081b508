"""Warning levels: 一级 red is the most urgent."""

from core.vocab import LEVEL_COLOURS, LEVEL_NAMES

# What a notice about an alert says it is, in the title's brackets.
KIND_LABELS = {"new": "", "update": "更新", "escalated": "升级", "reminder": "持续",
               "resolved": "解除"}


def level_tag(level: int) -> str:
    """'一级预警·红色'."""
    return f"{LEVEL_NAMES[level]}预警·{LEVEL_COLOURS[level]}"
