"""Cases (工单, 跟踪处置): state machine, dispatch rules, SLA, audit log, notes, related posts.

Service API (every call takes the acting `accounts.User`, checked server-side):
    CaseService(config, db=None, store=None, clock=now_cst)
      .create_from_post(user, post_id)         .create_from_alert(alert_row)
      .act(user, case_id, action, text, **opt) .transition(user, case_id, to_status, text)
      .comment(user, case_id, body)            .get / .list_cases / .available_actions
      .audit_log / .notes / .related_posts / .time_in_states
工单质检: closing rules in cases.closing; cases.quality.CaseQuality(service) samples closed
cases, passes or returns them, and merges duplicates (cases.duplicates).
Scheduled: cases.automation.cases_cycle(config) = cases_from_alerts + escalate_overdue.
"""

from cases.models import Case, CaseError, CaseNotFound
from cases.service import CaseService
from cases.states import ACTIONS, OPEN_STATUSES, STATUSES

__all__ = ["ACTIONS", "OPEN_STATUSES", "STATUSES", "Case", "CaseError", "CaseNotFound", "CaseService"]
