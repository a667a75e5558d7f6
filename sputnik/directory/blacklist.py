"""The registry of undesirable counterparties (DIR-6): adding and removing entries, and
asking whether an organisation or an INN is undesirable.

Every change is recorded by the audit trail (BlacklistEntry is registered with it), and
entries are closed rather than deleted, so the registry keeps its own history.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from sputnik.access.models import User

from .models import BlacklistEntry, Organization
from .validation import clean_inn, digits


class AlreadyUndesirable(ValidationError):
    """The organisation or INN already has an active entry; `existing` is that entry."""

    def __init__(self, existing: BlacklistEntry, field: str):
        self.existing, self.field = existing, field
        when = date_format(timezone.localtime(existing.created_at), "SHORT_DATE_FORMAT")
        super().__init__(
            {
                field: _("“%(name)s” has been in the undesirable registry since %(date)s.")
                % {"name": existing, "date": when}
            },
        )


def active_entries() -> QuerySet[BlacklistEntry]:
    """Entries not removed: the counterparties the company avoids now."""
    return BlacklistEntry.objects.filter(removed_at__isnull=True)


def _matching(organization: Organization | None, inn: str) -> Q | None:
    conditions = []
    if organization is not None and organization.pk:
        conditions.append(Q(organization=organization))
    if inn:
        conditions.append(Q(inn=inn))
    if not conditions:
        return None
    condition = conditions[0]
    for other in conditions[1:]:
        condition |= other
    return condition


def _identify(organization: Organization | None, inn: str, name: str) -> tuple[str, str, str]:
    """The INN, name and error field of a new entry; the INN is checked."""
    if organization is not None:
        given = digits(inn)
        if given and given != organization.inn:
            raise ValidationError(
                {
                    "inn": _("The INN %(inn)s is not the INN of “%(name)s”.")
                    % {"inn": given, "name": organization.short_name}
                }
            )
        return organization.inn, name.strip() or organization.short_name, "organization"
    try:
        inn = clean_inn(inn)
    except ValidationError as error:
        raise ValidationError({"inn": error.messages}) from error
    if not inn:
        raise ValidationError({"inn": _("Choose an organisation or enter an INN.")})
    return inn, name.strip(), "inn"


@transaction.atomic
def blacklist_add(
    *,
    actor: User,
    reason: str,
    organization: Organization | None = None,
    inn: str = "",
    name: str = "",
) -> BlacklistEntry:
    """Declare an organisation, or an INN not yet in the base, undesirable.

    With an organisation its INN (and name, unless one is given) is stored too, so the
    entry still matches if the organisation is merged or re-created. A second active
    entry for the same organisation or INN is refused with a link to the first.
    """
    typed_inn = organization is None
    if typed_inn and inn:
        # The INN may belong to an organisation already in the base: link it.
        organization = Organization.objects.filter(inn=digits(inn)).first()
    inn, name, field = _identify(organization, inn, name)
    field = "inn" if typed_inn else field
    existing = active_entries().filter(_matching(organization, inn)).first()
    if existing is not None:
        raise AlreadyUndesirable(existing, field)
    entry = BlacklistEntry(
        organization=organization, inn=inn, name=name, reason=reason.strip(), added_by=actor
    )
    entry.full_clean()
    entry.save()
    return entry


@transaction.atomic
def blacklist_remove(*, actor: User, entry: BlacklistEntry, reason: str) -> BlacklistEntry:
    """Take a counterparty off the registry: the entry is closed with who, when and why,
    never deleted."""
    current = BlacklistEntry.objects.select_for_update().get(pk=entry.pk)
    if not current.is_active:
        raise ValidationError(_("This entry has already been removed from the registry."))
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the counterparty is no longer undesirable.")})
    current.removed_at, current.removed_by = timezone.now(), actor
    current.removal_reason = reason.strip()
    current.full_clean()
    current.save(update_fields=["removed_at", "removed_by", "removal_reason", "updated_at"])
    return current


def is_undesirable(
    *, organization: Organization | None = None, inn: str = ""
) -> BlacklistEntry | None:
    """The active entry naming this organisation or its INN, or this bare INN; else None.

    An organisation registered after its INN was declared undesirable is matched too.
    """
    if organization is not None:
        inn = inn or organization.inn
    condition = _matching(organization, digits(inn))
    if condition is None:
        return None
    return active_entries().filter(condition).select_related("organization").first()


def undesirable_entries(organizations: Iterable[Organization]) -> dict[int, BlacklistEntry]:
    """Organisation id → its active entry, for the undesirable ones among `organizations`.

    One query for a whole page of a list; pass the page's rows, not an unbounded queryset.
    """
    organizations = list(organizations)
    if not organizations:
        return {}
    ids = {o.pk for o in organizations}
    inns = {o.inn for o in organizations if o.inn}
    by_organization: dict[int, BlacklistEntry] = {}
    by_inn: dict[str, BlacklistEntry] = {}
    for entry in active_entries().filter(Q(organization_id__in=ids) | Q(inn__in=inns)):
        if entry.organization_id:
            by_organization.setdefault(entry.organization_id, entry)
        if entry.inn:
            by_inn.setdefault(entry.inn, entry)
    found = {}
    for organization in organizations:
        entry = by_organization.get(organization.pk) or by_inn.get(organization.inn)
        if entry is not None:
            found[organization.pk] = entry
    return found


def undesirable_ids(organizations: Iterable[Organization]) -> set[int]:
    """Ids of the undesirable ones among `organizations` (one query; see above)."""
    return set(undesirable_entries(organizations))


def undesirable_condition() -> Q:
    """Organisations on the registry as a filter condition, by entry or by INN:
    `Organization.objects.exclude(undesirable_condition())` leaves them out of a mailing."""
    active = active_entries()
    named = Exists(active.filter(organization=OuterRef("pk")))
    return Q(named) | Q(inn__in=active.exclude(inn="").values("inn"))
