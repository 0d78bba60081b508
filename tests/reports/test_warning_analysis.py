"""预警分析 in the report: warnings by review result, publishing, level, city and case type, with
time to 恢复, read back from the report, its HTML and its Excel workbook."""

from __future__ import annotations

from datetime import timedelta

from tests.cases.helpers import T0
from tests.reports.conftest import DAY, NOW


def test_warning_section_counts_and_reads_back(report_world, tmp_path):
    from openpyxl import load_workbook

    from accounts import AccountService
    from alerts.manual import publish_manual, recover
    from cases.service import CaseService
    from reports.data import build_report
    from reports.render import write

    cfg, store, db, _ = report_world
    mon = AccountService(db).load_user("mon")
    auto = db.query("SELECT * FROM alerts WHERE key = 'post:x'")[0]
    CaseService(cfg, db, store).create_from_alert(auto, T0)               # 资费计费/乱扣费
    posts = [h.post.id for h in store.search("", size=2, sort="time", highlight=False).hits]
    manual = publish_manual(db, cfg, store, mon, post_ids=posts, warning_type="热点事件",
                            department="省客服中心", level=3, cities=["长沙", "株洲"],
                            now=T0 + timedelta(hours=1))
    recover(db, cfg, mon, manual["alert_id"], now=T0 + timedelta(hours=3, minutes=30))
    report = build_report(cfg, "daily", DAY, store=store, db=db, now=NOW)
    section = report.section("warnings")
    rows = {(r[0], r[1]): r[2:] for r in section.rows}
    assert rows[("审核结果", "免审")] == [2, 1, 2.5] and rows[("审核结果", "通过")] == [0, 0, None]
    assert rows[("发布方式", "人工发布")] == [1, 1, 2.5] and rows[("发布方式", "自动监控")] == [1, 0, None]
    assert rows[("级别", "一级预警")][0] == 1 and rows[("级别", "三级预警")][0] == 1
    assert rows[("地市", "长沙")][0] == 2 and rows[("地市", "株洲")][0] == 1
    assert rows[("工单类型", "资费计费/乱扣费")][0] == 1 and rows[("工单类型", "未建单")][0] == 1
    assert rows[("合计", "全部预警")] == [2, 1, 2.5]
    html = write(report, tmp_path / "r.html").read_text(encoding="utf-8")
    assert "预警分析" in html and "人工发布" in html
    book = load_workbook(write(report, tmp_path / "r.xlsx"))
    sheet = {(r[0], r[1]): r[2:] for r in book[section.title].iter_rows(min_row=2, values_only=True)
             if r[0]}
    assert sheet[("发布方式", "人工发布")] == (1, 1, 2.5)
