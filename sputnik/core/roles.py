"""Roles a user can hold on a business line, and which one each action needs.

The resolver reads the user's line memberships once per request (cached on the user
object) so that `restrict()` adds one subquery-free `IN (...)` to every query.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.apps import apps
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
        membership = apps.get_model("access", "LineMembership")
        substitution = apps.get_model("access", "Substitution")
        # A deputy holds the line roles of the employees they stand in for today.
        absent = substitution.objects.active().filter(deputy=user).values("absent")
        roles: dict[int, str] = {}
        held = membership.objects.filter(models.Q(user=user) | models.Q(user__in=absent))
        for line_id, role in held.values_list("line_id", "role"):
            if line_id not in roles or RANK[role] > RANK[roles[line_id]]:
                roles[line_id] = role
        cached = LineAccess(roles=roles, all_lines_role=user.all_lines_role or "")
        user._line_access = cached
    return cached


def forget_line_access(user) -> None:
    """Drop the cached roles after the user's memberships changed."""
    user.__dict__.pop("_line_access", None)
