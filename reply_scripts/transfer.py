"""Import and export of the library as YAML or Excel, and the starter library."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from accounts.models import SYSTEM, User
from reply_scripts.models import ScriptError
from reply_scripts.service import STARTER_APPROVER, ScriptService
from core.sheets import safe_row, sheet_text
from core.yamlio import load_yaml_file

STARTER_LIBRARY = Path(__file__).resolve().parent / "starter_library.yaml"
COLUMNS = [("code", "编号"), ("title", "标题"), ("categories", "分类"), ("scenario", "适用场景"),
           ("body", "口径正文"), ("risk_note", "风险提示"), ("tiers", "适用等级"), ("status", "状态"),
           ("version", "版本"),
           ("author", "起草人"), ("approver", "审批人"), ("use_count", "使用次数")]


def read_yaml(path: Path) -> list[dict[str, Any]]:
    """Records from a YAML file: a list, or a mapping with a `scripts:` list."""
    data = load_yaml_file(path, ScriptError)
    records = data.get("scripts") if isinstance(data, dict) else data
    if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
        raise ScriptError(f"{path}: 需要口径列表（或 scripts: 列表）")
    return records


def read_excel(path: Path) -> list[dict[str, Any]]:
    """Records from the first sheet; the header row uses the Chinese or English column names."""
    from openpyxl import load_workbook  # lazy: openpyxl takes ~0.3 s, only a workbook needs it

    try:
        sheet = load_workbook(path, read_only=True).worksheets[0]
    except Exception as exc:  # openpyxl raises several unrelated types for bad files
        raise ScriptError(f"{path}: 无法读取 Excel：{exc}") from None
    rows = list(sheet.iter_rows(values_only=True))
    if not rows:
        return []
    names = {zh: en for en, zh in COLUMNS} | {en: en for en, _ in COLUMNS}
    header = [names.get(str(h).strip(), None) if h is not None else None for h in rows[0]]
    records = []
    for row in rows[1:]:
        record = {k: sheet_text(v) for k, v in zip(header, row) if k and v is not None}
        if record:
            if isinstance(record.get("categories"), str):
                record["categories"] = [c.strip() for c in
                                        record["categories"].replace("，", ",").replace("、", ",").split(",")
                                        if c.strip()]
            records.append(record)
    return records


def import_file(service: ScriptService, actor: User, path: Path) -> dict[str, int]:
    """Import .yaml/.yml or .xlsx; everything lands as drafts for review."""
    path = Path(path)
    if path.suffix.lower() in (".yaml", ".yml"):
        records = read_yaml(path)
    elif path.suffix.lower() == ".xlsx":
        records = read_excel(path)
    else:
        raise ScriptError(f"{path}: 只支持 .yaml/.yml 与 .xlsx")
    return service.import_records(actor, records)


def export_file(service: ScriptService, actor: User, path: Path, official_only: bool = False) -> int:
    """Write the library to .yaml/.yml or .xlsx; returns how many scripts."""
    path = Path(path)
    records = service.export_records(actor, official_only)
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix.lower() in (".yaml", ".yml"):
        path.write_text(yaml.safe_dump({"scripts": records}, allow_unicode=True, sort_keys=False,
                                       width=100), encoding="utf-8")
    elif path.suffix.lower() == ".xlsx":
        from openpyxl import Workbook  # lazy: openpyxl takes ~0.3 s, only a workbook needs it
        from openpyxl.styles import Alignment, Font  # lazy: openpyxl takes ~0.3 s, only a workbook needs it

        book = Workbook()
        sheet = book.active
        sheet.title = "回复口径"
        sheet.append([zh for _, zh in COLUMNS])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for record in records:
            sheet.append(safe_row(("、".join(map(str, record[k])) if k in ("categories", "tiers")
                                   else record[k]) for k, _ in COLUMNS))
        for letter, width in zip("ABCDEFGHIJKL", (10, 24, 18, 40, 70, 36, 8, 10, 6, 12, 14, 8)):
            sheet.column_dimensions[letter].width = width
        for row in sheet.iter_rows(min_row=2):
            for cell in row:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
        book.save(path)
    else:
        raise ScriptError(f"{path}: 只支持 .yaml/.yml 与 .xlsx")
    return len(records)


def load_starter(service: ScriptService, path: Path = STARTER_LIBRARY) -> int:
    """Load the shipped starter library as approved scripts when the library is empty."""
    if service.count():
        return 0
    return service.import_records(SYSTEM, read_yaml(path), as_approved_by=STARTER_APPROVER)["created"]
