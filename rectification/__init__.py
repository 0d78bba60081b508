"""督办 (supervised rectification): recurring problems become items with an owner department,
a deadline, progress notes and closing evidence; overdue items escalate through the notifiers;
one item a month is 一月一事 (the worst problem to eliminate).

Service API (every call takes the acting `accounts.User`, checked server-side):
    RectificationService(config, db=None, cases=None, clock=now_cst)
      .open(user, problem=, owner_department=, measure=, deadline=, city=, district=, …)
      .open_from_alert(user, alert_id, **fields)   .open_from_cases(user, case_ids, **fields)
      .candidates(user, days=None, min_cases=None)  .open_from_candidate(user, candidate, **fields)
      .progress(user, item_id, body, percent=None, attachment=None)   .remark / .link / .update
      .close_item(user, item_id, evidence, attachment=None)  .reopen  .mark_worst(user, item_id, month)
      .get / .list_items / .worst_of / .notes / .audit_log / .linked_cases / .linked_posts
Scheduled: rectification.escalation.rectification_cycle(config) = escalate_overdue + delivery.
Reports read rectification.reporting.
"""

from rectification.candidates import Candidate
from rectification.models import CLOSED, OPEN, STATUSES, Item, ItemNotFoundError, RectificationError
from rectification.service import RectificationService

__all__ = ["CLOSED", "OPEN", "STATUSES", "Candidate", "Item", "ItemNotFoundError",
           "RectificationError", "RectificationService"]
