"""应对知识和案例: troubleshooting guides (排障指引) and typical cases (典型案例).

Both are reviewed libraries (reply_scripts.review: draft → in review → approved → retired, never
approved by their author). Guides ship as seed data (seed_guides.yaml); typical cases are made
from closed cases, scrubbed of personal data (scrub.py).

Service API (every call takes the acting `accounts.User`):
    GuideService(db): create / edit / submit / approve / reject / retire / get / list_guides /
                      topics / load_seed
    TypicalCaseService(db): propose(actor, cases, case_id) / edit / submit / approve / reject /
                      retire / get / list_typical / of_case
    suggest.guides_for / typical_for / for_case
"""

from knowledge.guides import GuideService
from knowledge.models import Guide, KnowledgeError, TypicalCase
from knowledge.typical import TypicalCaseService

__all__ = ["Guide", "GuideService", "KnowledgeError", "TypicalCase", "TypicalCaseService"]
