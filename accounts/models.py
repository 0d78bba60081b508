"""The acting user and the roles; every service call takes a `User` and checks it."""

from __future__ import annotations

from dataclasses import dataclass, field

# role → Chinese label; order is the order shown in lists.
ROLE_LABELS = {
    "monitor": "省监控员",
    "handler": "分公司处理员",
    "reviewer": "口径审核",
    "manager": "管理者",
    "admin": "管理员",
}
ROLES = tuple(ROLE_LABELS)
# Roles that see every city's cases (handlers see only the cities they are bound to).
PROVINCE_WIDE = frozenset({"monitor", "manager", "admin"})


class PermissionDenied(Exception):
    """The acting user may not do this; the message is Chinese and safe to show."""


@dataclass(frozen=True)
class User:
    """An authenticated user as the services see it."""

    username: str
    role: str
    cities: tuple[str, ...] = field(default_factory=tuple)
    display_name: str = ""
    user_id: int | None = None
    active: bool = True

    @property
    def label(self) -> str:
        """'张三（分公司处理员）' for audit lines and messages."""
        return f"{self.display_name or self.username}（{ROLE_LABELS.get(self.role, self.role)}）"

    @property
    def province_wide(self) -> bool:
        return self.role in PROVINCE_WIDE

    def may_see_city(self, city: str | None) -> bool:
        """Whether this user may read items of `city` (None = not yet attributed: province only)."""
        if self.province_wide:
            return True
        if self.role == "handler":
            return city is not None and city in self.cities
        return False

    def require(self, *roles: str, action: str = "执行此操作") -> None:
        """Raise PermissionDenied unless the user is active and has one of `roles`."""
        if not self.active:
            raise PermissionDenied(f"账号 {self.username} 已停用，无权{action}")
        if self.role not in roles:
            allowed = "、".join(ROLE_LABELS.get(r, r) for r in roles)
            raise PermissionDenied(f"无权{action}：需要{allowed}角色，当前为"
                                   f"{ROLE_LABELS.get(self.role, self.role)}")


# The command line and the scheduler act as this built-in administrator; it is never stored.
SYSTEM = User(username="system", role="admin", display_name="系统")
