"""The shared reply-script library (统一回复口径库): versions, approval, suggestion, import/export.

Service API (every call takes the acting `accounts.User`):
    ScriptService(db): create / edit / submit / approve / reject / retire / get / list_scripts /
                       official_versions / record_use / import_records / export_records
    suggest.suggest(service, user, text, categories, values) and suggest_for_case / suggest_for_post
    transfer.import_file / export_file / load_starter
"""

from reply_scripts.models import STATUS_LABELS, Script, ScriptError, ScriptVersion
from reply_scripts.service import ScriptService

__all__ = ["STATUS_LABELS", "Script", "ScriptError", "ScriptService", "ScriptVersion"]
