"""Roles a user can hold on a business line, and which one each action needs.

The resolver takes the user's line memberships from their access snapshot (read once per
change, see sputnik.access.snapshot; kept on the user object for the request) so that
`restrict()` adds one subquery-free `IN (...)` to every query.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _


class LineRole(models.TextChoices):
    READ = "read", _("Read")
    WRITE = "write", _("Write")
    MANAGE = "manage", _("Manage")


RANK = {LineRole.READ: 1, LineRole.WRITE: 2, LineRole.MANAGE: 3}

# The line role each action needs by default; a model may ask for more.
ACTION_ROLE = {
    "view": LineRole.READ,
    "add": LineRole.WRITE,
    "change": LineRole.WRITE,
    "delete": LineRole.WRITE,
    "manage": LineRole.MANAGE,
}


@dataclass(frozen=True)
class LineAccess:
    """What a user may do on business lines: a role per line and one over all lines."""

    roles: dict[int, str]
    all_lines_role: str = ""

    def line_ids(self, role: str) -> set[int] | None:
        """Ids of the lines where the user holds at least `role`; None means every line."""
        if self.all_lines_role and RANK[self.all_lines_role] >= RANK[role]:
            return None
        return {line_id for line_id, held in self.roles.items() if RANK[held] >= RANK[role]}

    def role_on(self, line_id: int) -> str:
        held = [r for r in (self.roles.get(line_id), self.all_lines_role) if r]
        return max(held, key=lambda r: RANK[r]) if held else ""


EVERYTHING = LineAccess(roles={}, all_lines_role=LineRole.MANAGE)
NOTHING = LineAccess(roles={})


def line_access(user) -> LineAccess:
    """The user's line roles, read once and cached on the user object."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return NOTHING
    if user.is_superuser:
        return EVERYTHING
    cached = getattr(user, "_line_access", None)
    if cached is None:
        from sputnik.access.snapshot import snapshot

        # Own roles and those of the employees the user stands in for today.
        roles = snapshot(user).line_roles
        cached = LineAccess(roles=roles, all_lines_role=user.all_lines_role or "")
        user._line_access = cached
    return cached


def forget_line_access(user) -> None:
    """Drop the cached roles and permissions after the user's access changed."""
    from sputnik.access.snapshot import forget

    from .models import RESTRICTED

    for name in ("_line_access", RESTRICTED):
        user.__dict__.pop(name, None)
    forget(user)
