"""Analysis reports (分析通报): daily, weekly and monthly, as HTML with charts and as Excel.

    build_report(config, kind, day=None, actor=SYSTEM) -> Report   (managers, monitors, admins)
    render.write(report, path)            .html or .xlsx by suffix
    schedule.generate(config, kind, day)  both files into reports.output_dir + a notifier message
The monthly report has four parts (reports/monthly.py: 整体情况, 督办问题整改落实情况,
存在的主要问题, 下一步重点工作); daily and weekly reports are one part.
"""

from reports.data import build_report
from reports.model import Part, Report, Section
from reports.period import Period, period_for

__all__ = ["Part", "Period", "Report", "Section", "build_report", "period_for"]
