"""An employee's own sales settings and their private calendar feed (INT-3): the planned
contacts of the owner as iCalendar, at a secret address a calendar program subscribes to.

The address is the only key: issuing a new one revokes the old, and both are written to
the security log like API tokens."""

from __future__ import annotations

import datetime
import secrets
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from icalendar import Alarm, Calendar, Event

from sputnik.access.models import SecurityEventKind, User
from sputnik.access.services import security_event_record
from sputnik.directory.models import Person

from .models import Deal, Interaction, InteractionStatus, SalesProfile

MAX_LEAD_MINUTES = 7 * 24 * 60
EDITABLE = {"reminder_lead_minutes", "morning_digest"}
FEED_PAST = datetime.timedelta(days=30)
DEFAULT_DURATION = datetime.timedelta(minutes=30)


# Settings -----------------------------------------------------------------------------


@transaction.atomic
def sales_profile_update(*, user: User, **values: Any) -> SalesProfile:
    """Change the employee's own reminder lead time and morning digest."""
    unknown = set(values) - EDITABLE
    if unknown:
        raise ValidationError(
            _("These settings cannot be changed: %(names)s.")
            % {"names": ", ".join(sorted(unknown))}
        )
    if "reminder_lead_minutes" in values:
        _check_lead(values["reminder_lead_minutes"])
    profile = SalesProfile.of(user)
    for name, value in values.items():
        setattr(profile, name, value)
    profile.full_clean()
    profile.save(update_fields=list(values) or None)
    return profile


def _check_lead(minutes) -> None:
    if (
        isinstance(minutes, bool)
        or not isinstance(minutes, int)
        or not (0 <= minutes <= MAX_LEAD_MINUTES)
    ):
        raise ValidationError(
            {
                "reminder_lead_minutes": _(
                    "Remind from 0 to %(max)s minutes (a week) before a contact."
                )
                % {"max": MAX_LEAD_MINUTES}
            }
        )


@transaction.atomic
def calendar_token_issue(*, user: User, request=None) -> str:
    """A new secret address of the user's calendar feed; the previous one stops working."""
    profile = SalesProfile.of(user)
    profile.calendar_token = secrets.token_urlsafe(32)
    profile.save(update_fields=["calendar_token"])
    _record(user, request, issued=True)
    return profile.calendar_token


@transaction.atomic
def calendar_token_revoke(*, user: User, request=None) -> None:
    """Close the user's calendar feed: its address answers 404 from now on."""
    if SalesProfile.objects.filter(user=user, calendar_token__isnull=False).update(
        calendar_token=None
    ):
        _record(user, request, issued=False)


def _record(user: User, request, *, issued: bool) -> None:
    security_event_record(
        SecurityEventKind.PERMISSION_CHANGE,
        user=user,
        request=request,
        what="calendar_feed",
        issued=issued,
    )


# The feed -----------------------------------------------------------------------------


def feed_profile(token: str) -> SalesProfile | None:
    """The settings behind a feed address, when it is current and its owner still works."""
    return (
        SalesProfile.objects.select_related("user")
        .filter(calendar_token=token, user__is_active=True)
        .first()
    )


def feed_interactions(owner: User) -> QuerySet[Interaction]:
    """The owner's planned contacts they may still see, from a month ago on."""
    return (
        Interaction.objects.restrict(owner)
        .filter(
            status=InteractionStatus.PLANNED,
            responsible=owner,
            due_at__gte=timezone.now() - FEED_PAST,
        )
        .select_related("organization")
        .prefetch_related(
            Prefetch("persons", queryset=Person.objects.restrict(owner)),
            Prefetch("deal", queryset=Deal.objects.restrict(owner)),
        )
        .order_by("due_at", "id")
    )


def calendar_feed(profile: SalesProfile, *, host: str, absolute: Callable[[str], str]) -> bytes:
    """The owner's planned contacts as an iCalendar, in the owner's language.

    `host` makes the events' UIDs unique worldwide; `absolute` turns a path into a link.
    """
    owner = profile.user
    with translation.override(owner.language or settings.LANGUAGE_CODE):
        name = _("Sputnik — %(name)s") % {"name": owner.full_name}
        calendar = Calendar.new(
            name=name,
            prodid="-//Sputnik CRM//Calendar feed//EN",
            uid=f"calendar-{owner.pk}@{host}",
        )
        calendar.add("x-published-ttl", datetime.timedelta(minutes=15))
        lead = datetime.timedelta(minutes=profile.reminder_lead_minutes)
        for interaction in feed_interactions(owner):
            calendar.add_component(_event(interaction, host, absolute, lead))
    return calendar.to_ical()


def _event(interaction: Interaction, host: str, absolute, lead: datetime.timedelta) -> Event:
    start = interaction.due_at.astimezone(datetime.UTC)
    duration = datetime.timedelta(minutes=interaction.duration_minutes or 0) or DEFAULT_DURATION
    summary = _summary(interaction)
    link = absolute(interaction.organization.get_absolute_url())
    updated = interaction.updated_at.astimezone(datetime.UTC)
    event = Event.new(
        uid=f"interaction-{interaction.pk}@{host}",
        stamp=updated,
        start=start,
        end=start + duration,
        summary=summary,
        description=_description(interaction, link),
        url=link,
        last_modified=updated,
    )
    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", summary)
    alarm.add("trigger", -lead)
    event.add_component(alarm)
    return event


def _summary(interaction: Interaction) -> str:
    values = {
        "kind": interaction.get_kind_display(),
        "organization": interaction.organization.short_name,
        "subject": interaction.subject,
    }
    if interaction.subject:
        return _("%(kind)s: %(organization)s — %(subject)s") % values
    return _("%(kind)s: %(organization)s") % values


def _description(interaction: Interaction, link: str) -> str:
    lines = []
    persons = [person.full_name for person in interaction.persons.all()]
    if persons:
        lines.append(_("Contact persons: %(names)s") % {"names": ", ".join(persons)})
    if interaction.deal is not None:
        lines.append(_("Deal: %(name)s") % {"name": interaction.deal.name})
    if interaction.notes:
        lines.append(interaction.notes)
    lines.append(link)
    return "\n".join(lines)
