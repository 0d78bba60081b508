"""Edits of config.yaml from the console (信源, 规则): validated, written back in place, audited.

config.yaml stays the one source of truth — `tousu check`, each crawl process and the monitor
read the same file — so an edit is written into it, not kept beside it. Only the text of the one
list item being edited (a source in `sources`, a rule in `warnings.rules`) is replaced, found by
position with PyYAML's composer: every other byte of the file, its comments and its ${VAR}
placeholders stay as they were, and the admin edits the item's own text with its comments and
placeholders, never the expanded secrets. The whole edited file must pass the config schema
before it replaces the old one (atomically: temporary file, fsync, rename); otherwise nothing
changes and the admin gets a Chinese message naming the field. The running monitor notices the
new file (tousu.monitor reloads it) and the console reads it again (data.get_config).
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from core.config import ConfigInvalid, format_loc
from core.db import StateDB
from core.yamlio import LOADER, load_yaml, problem_zh
from tousu.config import ITEMS, validate
from tousu.console_records import record_config_edit

_KIND = {"sources": "信源", "rules": "规则"}


class ConfigEditError(Exception):
    """An edit that was refused; the message is Chinese and names the field."""


@dataclass(frozen=True)
class _Item:
    start: int    # where the item's mapping starts (after "- ")
    end: int      # where its text ends (trailing blank lines and indentation excluded)
    column: int   # the mapping's indentation


def _child(node: Any, key: str) -> Any:
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            if k.value == key:
                return v
    return None


def _items(text: str, section: str) -> tuple[yaml.SequenceNode | None, dict[str, _Item]]:
    """The section's sequence node and its items by name, with their place in `text`."""
    try:
        node = yaml.compose(text, Loader=LOADER)
    except yaml.YAMLError as exc:
        raise ConfigEditError(f"config.yaml 本身无法解析，请先修正：{exc}") from None
    for key in ITEMS[section][0]:
        node = _child(node, key)
    if not isinstance(node, yaml.SequenceNode):
        return None, {}
    out = {}
    for item in node.value:
        name = _child(item, "name")
        if isinstance(item, yaml.MappingNode) and not item.flow_style and name is not None:
            body = text[item.start_mark.index:item.end_mark.index].rstrip()
            out[name.value] = _Item(item.start_mark.index, item.start_mark.index + len(body),
                                    item.start_mark.column)
    return node, out


def _dedent(body: str, column: int) -> str:
    first, *rest = body.split("\n")
    return "\n".join([first, *(line[column:] if line[:column].isspace() else line.lstrip()
                                for line in rest)])


def _indent(text: str, column: int) -> str:
    lines = text.strip("\n").rstrip().split("\n")
    return "\n".join([lines[0], *(" " * column + line if line.strip() else ""
                                  for line in lines[1:])])


def item_text(path: Path, section: str, name: str) -> str | None:
    """The item's text as written in config.yaml (comments and ${VAR} kept), or None."""
    text = path.read_text(encoding="utf-8")
    item = _items(text, section)[1].get(name)
    return None if item is None else _dedent(text[item.start:item.end], item.column)


def problem_lines(exc: ConfigInvalid, item: tuple[Any, ...] = ()) -> str:
    """The problems in Chinese, one line each, fields named relative to the `item` being edited."""
    lines = []
    for problem in exc.problems:
        loc = problem.loc
        if loc[:len(item)] == item:
            where = format_loc(loc[len(item):]) or "（整条定义）"
        else:
            where = format_loc(loc) or "（顶层）"
        lines.append(f"字段 {where}：{problem.message('zh')}")
    return "\n".join(lines)


def _first_item(text: str, section: str, edited: str) -> str:
    """The file with `edited` as the first item of the section's list, where the list is empty
    (`[]`), null, or its key is missing from a block mapping; every other byte stays."""
    path = ITEMS[section][0]
    node = yaml.compose(text, Loader=LOADER)
    column = 0
    for depth, key in enumerate(path):
        if node is None:  # an empty file
            return text + _block(path[depth:], column, edited)
        if not isinstance(node, yaml.MappingNode) or node.flow_style:
            break
        found = next((pair for pair in node.value if pair[0].value == key), None)
        if found is None:  # the key is not written: add it after the mapping's last value
            end = len(text[:node.end_mark.index].rstrip())
            return (text[:end] + "\n" + _block(path[depth:], column, edited).rstrip("\n")
                    + (text[end:] or "\n"))
        name, node = found
        column = name.start_mark.column + 2
        if depth == len(path) - 1 and (isinstance(node, yaml.SequenceNode) or _null(node)):
            colon = text.index(":", name.end_mark.index) + 1
            return (text[:colon] + "\n" + _block((), column, edited).rstrip("\n")
                    + text[node.end_mark.index:])
    raise ConfigEditError(f"config.yaml 中 {'.'.join(path)} 的写法无法自动添加，请先手工写出这个列表")


def _null(node: Any) -> bool:
    return isinstance(node, yaml.ScalarNode) and node.tag.endswith(":null")


def _block(keys: tuple[str, ...], column: int, edited: str) -> str:
    """`keys` nested from `column`, the innermost holding a list with `edited` as its item."""
    lines = [" " * (column + 2 * i) + f"{key}:" for i, key in enumerate(keys)]
    indent = column + 2 * len(keys)
    lines.append(" " * indent + "- " + _indent(edited, indent + 2))
    return "\n".join(lines) + "\n"


def _validate_edit(data: Any, section: str, index: int) -> None:
    """The whole config with the edit must pass the schema; ConfigEditError names the field."""
    try:
        validate(data)
    except ConfigInvalid as exc:
        raise ConfigEditError(problem_lines(exc, (*ITEMS[section][0], index))) from None


def save_item(path: Path, section: str, name: str | None, shown: str | None, edited: str,
              actor: Any, db: StateDB, write: bool = True) -> str:
    """Replace item `name` (None: append a new one) with `edited`; returns the saved item's name.

    Admins only. `shown` is the item's text as the page first showed it: if config.yaml changed
    since, the edit is refused rather than silently overwriting someone else's change. With
    `write=False` it only validates.
    """
    actor.require("admin", action="修改配置")
    kind = _KIND[section]
    text = path.read_text(encoding="utf-8")
    seq, items = _items(text, section)
    try:
        parsed = load_yaml(edited)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"第 {mark.line + 1} 行" if mark else ""
        raise ConfigEditError(f"{kind}定义不是有效的 YAML {where}：{problem_zh(exc)}")
    if not isinstance(parsed, dict) or not parsed.get("name"):
        raise ConfigEditError(f"字段 name：{kind}定义须是「键: 值」的映射，并有 name")
    if name is None and (seq is None or not seq.value):
        new_text, index = _first_item(text, section, edited), 0
    elif name is None:
        if not items:
            raise ConfigEditError(f"config.yaml 中没有可追加的 {'.'.join(ITEMS[section][0])} 列表")
        if str(parsed["name"]) in items:
            raise ConfigEditError(f"字段 name：已有名为 {parsed['name']} 的{kind}")
        last = max(items.values(), key=lambda i: i.start)
        dash = text.rfind("\n", 0, last.start) + 1
        lead = text[dash:last.start]  # e.g. "  - "
        new_text = (text[:last.end] + "\n\n" + lead + _indent(edited, last.column)
                    + text[last.end:])
        index = len(seq.value)
    else:
        item = items.get(name)
        if item is None:
            raise ConfigEditError(f"config.yaml 中没有名为 {name} 的{kind}（可能是默认值），"
                                  f"请先在 config.yaml 中写出它")
        if shown is not None and _dedent(text[item.start:item.end], item.column) != shown:
            raise ConfigEditError("config.yaml 在您打开此页后被修改过，请刷新页面后重新编辑")
        new_text = text[:item.start] + _indent(edited, item.column) + text[item.end:]
        index = [n.start_mark.index for n in seq.value].index(item.start)
    data = load_yaml(new_text)
    _validate_edit(data, section, index)
    if write:
        _replace(path, new_text)
        record_config_edit(db, actor.username, section, str(parsed["name"]), shown or "", edited)
    return str(parsed["name"])


def _replace(path: Path, text: str) -> None:
    """Write atomically: a reader sees the old file or the new one, never half of one."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(tmp, path.stat().st_mode & 0o777)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise

