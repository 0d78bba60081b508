"""Warning levels: 一级 red is the most urgent."""

LEVEL_NAMES = {1: "一级", 2: "二级", 3: "三级"}
LEVEL_COLOURS = {1: "红色", 2: "橙色", 3: "黄色"}
