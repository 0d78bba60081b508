"""Users, roles, password hashing and permission checks (enforced in the service layer)."""

from accounts.attempts import LoginRefusedError
from accounts.config import AccountsConfig, LoginConfig
from accounts.models import ROLE_LABELS, ROLES, SYSTEM, PermissionDenied, User
from accounts.service import AccountError, AccountService
from accounts.sessions import SessionStore

__all__ = ["ROLES", "ROLE_LABELS", "SYSTEM", "PermissionDenied", "User", "AccountError",
           "AccountService", "AccountsConfig", "LoginConfig", "LoginRefusedError", "SessionStore"]
