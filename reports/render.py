"""A report as one self-contained HTML file (inline CSS and SVG) or as an Excel workbook."""

from __future__ import annotations

from html import escape
from pathlib import Path
from typing import Any

from reports.charts import render_chart
from reports.model import Part, Report, Section
from core.sheets import safe_row

CSS = """
body{font-family:"Microsoft YaHei","PingFang SC","Noto Sans CJK SC",sans-serif;margin:24px auto;
max-width:1000px;color:#222;line-height:1.5}
h1{font-size:22px;border-bottom:3px solid #0085d0;padding-bottom:6px}h2{font-size:17px;margin-top:28px;
color:#0085d0}table{border-collapse:collapse;width:100%;font-size:13px;margin:8px 0}
th,td{border:1px solid #ccd;padding:4px 6px;text-align:left;vertical-align:top}th{background:#eef4fa}
td.n{text-align:right}.cards{display:flex;flex-wrap:wrap;gap:10px}.card{border:1px solid #ccd;
border-radius:6px;padding:8px 12px;min-width:130px}.card b{font-size:20px;display:block}
h2.part{font-size:19px;color:#222;border-left:5px solid #0085d0;padding-left:8px}
h3{font-size:16px;margin-top:22px;color:#0085d0}ol.points{font-size:14px}.up{color:#c0392b}.down{color:#27ae60}.note{color:#666;font-size:12px}footer{margin-top:30px;color:#888;font-size:12px}
"""


def _cell(value: Any) -> str:
    if value is None:
        return '<td class="n">—</td>'
    if isinstance(value, (int, float)):
        return f'<td class="n">{value:g}</td>' if isinstance(value, float) else f'<td class="n">{value}</td>'
    text = str(value)
    if text.startswith(("http://", "https://")):
        return f'<td><a href="{escape(text, quote=True)}">原帖</a></td>'
    return f"<td>{escape(text)}</td>"


def _change(value: Any) -> str:
    if value is None:
        return ""
    cls = "up" if value > 0 else "down" if value < 0 else ""
    return f'<span class="{cls}">{"+" if value > 0 else ""}{value:g}</span>'


def _section_html(section: Section, heading: str) -> str:
    out = [f"<{heading}>{escape(section.title)}</{heading}>"]
    chart = render_chart(section.chart)
    if chart:
        out.append(f"<div>{chart}</div>")
    if section.rows:
        head = "".join(f"<th>{escape(c)}</th>" for c in section.columns)
        rows = "".join("<tr>" + "".join(_cell(v) for v in row) + "</tr>" for row in section.rows)
        out.append(f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>")
    else:
        out.append("<p>本期无数据。</p>")
    if section.note:
        out.append(f'<p class="note">{escape(section.note)}</p>')
    return "".join(out)


def to_html(report: Report) -> str:
    """The report as one HTML document; every crawled text is escaped."""
    cards = "".join(
        f'<div class="card">{escape(str(h["指标"]))}<b>{"—" if h["本期"] is None else h["本期"]}</b>'
        f'上期 {"—" if h["上期"] is None else h["上期"]} {_change(h["环比%"])}</div>'
        for h in report.headline)
    body = [f"<h1>{escape(report.title)}</h1>",
            f"<p>统计周期：{escape(report.period.label)}　生成时间：{escape(report.generated_at[:16].replace('T', ' '))}</p>",
            f'<div class="cards">{cards}</div>']
    for part in report.parts:
        if part.title:
            body.append(f'<h2 class="part">{escape(part.title)}</h2>')
        if part.points:
            body.append('<ol class="points">' + "".join(f"<li>{escape(p)}</li>" for p in part.points)
                        + "</ol>")
        for section in part.sections:
            body.append(_section_html(section, "h3" if part.title else "h2"))
    body.append("<footer>投诉雷达 Tousu Radar 自动生成。数据来自公开网络帖子，仅供内部分析使用。</footer>")
    return ("<!DOCTYPE html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\">"
            f"<title>{escape(report.title)} {escape(report.period.label)}</title><style>{CSS}</style></head>"
            f"<body>{''.join(body)}</body></html>")


def to_excel(report: Report, path: Path) -> None:
    """The report as .xlsx: a cover sheet, then per part a sheet of its points (when it has a
    title) and one sheet per section."""
    from openpyxl import Workbook  # lazy: openpyxl takes ~0.3 s, only a workbook needs it
    from openpyxl.styles import Alignment, Font, PatternFill  # lazy: openpyxl takes ~0.3 s, only a workbook needs it
    from openpyxl.utils import get_column_letter  # lazy: openpyxl takes ~0.3 s, only a workbook needs it

    book = Workbook()
    cover = book.active
    cover.title = "封面"
    cover.append([report.title])
    cover["A1"].font = Font(bold=True, size=14)
    cover.append(["统计周期", report.period.label])
    cover.append(["生成时间", report.generated_at[:16].replace("T", " ")])
    cover.column_dimensions["A"].width = 16
    cover.column_dimensions["B"].width = 40
    header_fill = PatternFill("solid", fgColor="DDEBF7")

    def part_sheet(part: Part) -> None:
        sheet = book.create_sheet(_sheet_name(part.title))
        sheet.append([part.title])
        sheet["A1"].font = Font(bold=True, size=13)
        for i, point in enumerate(part.points, 1):
            sheet.append(safe_row([f"{i}. {point}"]))
        if part.sections:
            sheet.append([])
            sheet.append(["本部分明细见工作表：" + "、".join(_sheet_name(s.title) for s in part.sections)])
        sheet.column_dimensions["A"].width = 120
        for row in sheet.iter_rows(min_row=2):
            for cell in row:
                cell.alignment = Alignment(vertical="top", wrap_text=True)

    for part in report.parts:
        if part.title:
            part_sheet(part)
        for section in part.sections:
            sheet = book.create_sheet(_sheet_name(section.title))
            sheet.append(safe_row(section.columns))
            for cell in sheet[1]:
                cell.font = Font(bold=True)
                cell.fill = header_fill
            for row in section.rows:
                sheet.append(safe_row(row))
            if section.note:
                sheet.append([])
                sheet.append(safe_row([section.note]))
            for i, column in enumerate(section.columns, 1):
                longest = max([len(str(column))] + [len(str(r[i - 1])) for r in section.rows
                                                    if i - 1 < len(r)])
                sheet.column_dimensions[get_column_letter(i)].width = min(60, max(8, longest * 1.6))
            for row in sheet.iter_rows(min_row=2):
                for cell in row:
                    cell.alignment = Alignment(vertical="top", wrap_text=isinstance(cell.value, str))
            sheet.freeze_panes = "A2"
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)


def _sheet_name(title: str) -> str:
    """A title as Excel allows a sheet name: 31 characters, no / \\ ? * [ ] :."""
    return title.translate(str.maketrans("/\\?*[]:", "·······"))[:31]


def write(report: Report, path: Path) -> Path:
    """Write .html or .xlsx by the file's suffix."""
    path = Path(path)
    if path.suffix.lower() == ".xlsx":
        to_excel(report, path)
    elif path.suffix.lower() in (".html", ".htm"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(to_html(report), encoding="utf-8")
    else:
        raise ValueError(f"{path}: 报告文件须为 .html 或 .xlsx")
    return path
