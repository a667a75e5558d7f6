"""Hand-over of clients (SAL-6): a head of sales moves an employee's organisations, open
deals and planned contacts to another employee in one action — first a plan of what
would move and what stays (and why), then the same plan applied, audited row by row."""

from __future__ import annotations

import copy
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import batched
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sputnik.access.models import LineMembership, SecurityEventKind, User
from sputnik.access.services import notify, security_event_record
from sputnik.core.models import RESTRICTED, model_permission
from sputnik.core.roles import LineAccess, LineRole, line_access
from sputnik.directory.models import Organization

from .models import Deal, Interaction, InteractionStatus

PERMISSION = "sales.hand_over"
# What a hand-over changes on each record; auditlog records the responsible change.
CHANGED_FIELDS = ["responsible", "version", "updated_by", "updated_at"]
LABELS = {
    "organization": gettext_lazy("Organisations"),
    "deal": gettext_lazy("Open deals"),
    "interaction": gettext_lazy("Planned contacts"),
}


@dataclass
class Part:
    """One kind of record in a hand-over: the rows that move, and those that stay with
    the reason."""

    model: type[models.Model]
    moving: list = field(default_factory=list)
    staying: list[tuple[Any, str]] = field(default_factory=list)

    @property
    def key(self) -> str:
        return self.model._meta.model_name

    @property
    def label(self) -> str:
        return str(LABELS[self.key])


@dataclass
class HandoverPlan:
    """What a hand-over from `source` to `target` moves (or moved) and what stays."""

    source: User
    target: User
    selected: bool
    parts: list[Part]

    def part(self, key: str) -> Part | None:
        return next((p for p in self.parts if p.key == key), None)

    @property
    def moving_count(self) -> int:
        return sum(len(p.moving) for p in self.parts)

    @property
    def staying_count(self) -> int:
        return sum(len(p.staying) for p in self.parts)

    def counts(self) -> dict[str, int]:
        return {p.key: len(p.moving) for p in self.parts}

    def describe_counts(self) -> str:
        """The counts in words of the active language ("Organisations: 3, …")."""
        return ", ".join(f"{p.label}: {len(p.moving)}" for p in self.parts)


def handover_plan(
    *,
    actor: User,
    source: User,
    target: User,
    organizations: Iterable | None = None,
    deals: bool = True,
    interactions: bool = True,
) -> HandoverPlan:
    """What would move from `source` to `target`: the source's organisations (all, or
    the `organizations` chosen) and the open deals and planned contacts (all of the
    source's, or those of the chosen organisations) — only rows the actor may change.
    Rows the target could not work with stay, each with the reason. Writes nothing."""
    _check(actor, source, target)
    chosen = None if organizations is None else _ids(organizations)
    queries: list[models.QuerySet] = [
        Organization.objects.restrict(actor, "change")
        .filter(responsible=source)
        .prefetch_related("business_lines")
        .order_by("short_name", "id")
    ]
    if deals:
        queries.append(
            Deal.objects.restrict(actor, "change")
            .filter(responsible=source, closed_at__isnull=True)
            .select_related("organization", "stage", "business_line")
            .order_by("organization__short_name", "name", "id")
        )
    if interactions:
        queries.append(
            Interaction.objects.restrict(actor, "change")
            .filter(responsible=source, status=InteractionStatus.PLANNED)
            .select_related("organization", "business_line")
            .order_by("due_at", "id")
        )
    if chosen is not None:
        queries[0] = queries[0].filter(pk__in=chosen)
        queries[1:] = [query.filter(organization__in=chosen) for query in queries[1:]]
    own = _on_their_own(target)
    parts = [_split(query, own) for query in queries]
    return HandoverPlan(source=source, target=target, selected=chosen is not None, parts=parts)


@transaction.atomic
def handover_apply(
    *,
    actor: User,
    source: User,
    target: User,
    organizations: Iterable | None = None,
    deals: bool = True,
    interactions: bool = True,
) -> HandoverPlan:
    """Plan the hand-over again and move exactly what the plan moves, in one transaction:
    each record saved with its new responsible (an audit entry per record) and a new
    version; a security-log entry sums it up and both employees are notified. Applying
    the same parameters twice moves nothing the second time."""
    plan = handover_plan(
        actor=actor,
        source=source,
        target=target,
        organizations=organizations,
        deals=deals,
        interactions=interactions,
    )
    for part in plan.parts:
        part.moving = _reassign(part, actor=actor, source=source, target=target)
    if plan.moving_count:
        _record(actor, plan)
        _notify(actor, plan)
    return plan


def _check(actor: User, source: User, target: User) -> None:
    if not actor.has_perm(PERMISSION):
        raise PermissionDenied(_("Only heads of sales and administrators hand clients over."))
    if target.pk == source.pk:
        raise ValidationError({"target": _("Choose another employee than the one handing over.")})
    if not target.is_active:
        raise ValidationError({"target": _("Choose an active employee to hand over to.")})


def _ids(items: Iterable) -> list[int]:
    return [getattr(item, "pk", item) for item in items]


def _on_their_own(user: User) -> User:
    """The user with the line roles of their own memberships only: what they hold today
    as someone's deputy ends with the substitution, so it does not count."""
    own = copy.copy(user)
    own.__dict__.pop(RESTRICTED, None)  # rows restricted with the deputy's roles too
    roles = dict(LineMembership.objects.filter(user=user).values_list("line_id", "role"))
    own._line_access = LineAccess(roles=roles, all_lines_role=user.all_lines_role or "")
    return own


def _split(query: models.QuerySet, target: User) -> Part:
    """Rows of `query` the target may change move; the others stay, with the reason."""
    model = query.model
    part = Part(model=model)
    allowed = set(
        model._default_manager.restrict(target, "change")
        .filter(pk__in=query.order_by().values("pk"))
        .values_list("pk", flat=True)
    )
    for row in query:
        if row.pk in allowed:
            part.moving.append(row)
        else:
            part.staying.append((row, _why_staying(row, target)))
    return part


def _why_staying(row, target: User) -> str:
    if not target.has_perm(model_permission(type(row), "change")):
        return _("%(employee)s's role does not allow changing %(records)s") % {
            "employee": target.short_name,
            "records": type(row)._meta.verbose_name_plural,
        }
    writable = line_access(target).line_ids(LineRole.WRITE) or set()
    if isinstance(row, Organization):
        lines = [line for line in row.business_lines.all() if line.pk not in writable]
    else:
        lines = [row.business_line]
    return _("%(employee)s has no write access to %(lines)s") % {
        "employee": target.short_name,
        "lines": ", ".join(_("“%(line)s”") % {"line": line} for line in lines),
    }


def _reassign(part: Part, *, actor: User, source: User, target: User) -> list:
    """Give the part's moving rows to `target`, each saved on its own so that auditlog
    writes its entry (responsible: source → target); rows someone else took meanwhile
    are left alone."""
    moved = []
    manager = part.model._default_manager
    for chunk in batched([row.pk for row in part.moving], 500):
        for row in manager.select_for_update().filter(pk__in=chunk, responsible=source):
            row.responsible = target
            row.version += 1
            row.updated_by = actor
            row.save(update_fields=CHANGED_FIELDS)
            moved.append(row)
    return moved


def _record(actor: User, plan: HandoverPlan) -> None:
    security_event_record(
        SecurityEventKind.PERMISSION_CHANGE,
        user=actor,
        what="handover",
        subject=plan.source.username,
        subject_id=plan.source.pk,
        target=plan.target.username,
        target_id=plan.target.pk,
        selected=plan.selected,
        **plan.counts(),
    )


def _notify(actor: User, plan: HandoverPlan) -> None:
    url = reverse("directory:organization_list") + f"?responsible={plan.target.pk}"
    for recipient, title in (
        (plan.target, gettext_lazy("%(employee)s's clients were handed over to you")),
        (plan.source, gettext_lazy("Your clients were handed over to %(employee)s")),
    ):
        other = plan.source if recipient == plan.target else plan.target
        with translation.override(recipient.language or settings.LANGUAGE_CODE):
            notify(
                recipient=recipient,
                title=str(title) % {"employee": other.short_name},
                body=_("%(counts)s. Handed over by %(actor)s.")
                % {"counts": plan.describe_counts(), "actor": actor.short_name},
                url=url,
            )
