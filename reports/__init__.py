"""Analysis reports (分析通报): daily, weekly and monthly, as HTML with charts and as Excel.

    build_report(config, kind, day=None, actor=SYSTEM) -> Report   (managers, monitors, admins)
    render.write(report, path)            .html or .xlsx by suffix
    schedule.generate(config, kind, day)  both files into reports.output_dir + a notifier message
"""

from reports.data import Report, build_report
from reports.period import Period, period_for
from reports.section import Section

__all__ = ["Period", "Report", "Section", "build_report", "period_for"]
