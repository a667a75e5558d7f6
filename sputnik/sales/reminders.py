"""Reminders of planned contacts and the morning digest (SAL-5).

A planned contact is reminded once, at its due time less the responsible employee's
lead time: an in-app notification and an e-mail to the responsible employee and to
whoever stands in for them that day. Planning or moving a contact enqueues a deferred
task for that moment; the task checks that the contact is still planned, still due when
it was scheduled for, and not yet reminded, and marks it in the same update that claims
it — so a moved contact's old task does nothing and no contact is reminded twice. A
sweep every few minutes catches contacts whose task was lost or never queued (contacts
handed over in bulk, a backend that cannot defer). Each morning every employee with
contacts for the day or overdue gets one digest.
"""

from __future__ import annotations

import datetime
import logging
from collections import defaultdict
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Q
from django.tasks import task
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from sputnik.access.models import Substitution
from sputnik.access.services import notify
from sputnik.core.scheduling import daily_at, enqueue_at, every, periodic, reschedule

from .models import Deal, Interaction, InteractionStatus, SalesProfile

logger = logging.getLogger(__name__)

DEFAULT_LEAD = SalesProfile._meta.get_field("reminder_lead_minutes").default
SWEEP_EVERY = datetime.timedelta(minutes=5)
DIGEST_HOUR = 8
# The digest lists contacts overdue this long at most; older ones wait on "my work".
DIGEST_LOOKBACK = datetime.timedelta(days=30)
LONGEST_LEAD = datetime.timedelta(
    minutes=SalesProfile._meta.get_field("reminder_lead_minutes").validators[0].limit_value
)


def lead_of(user_ids: Iterable[int]) -> dict[int, datetime.timedelta]:
    """Each employee's reminder lead time (the default for those who never set it)."""
    ids = set(user_ids)
    stored = dict(
        SalesProfile.objects.filter(user_id__in=ids).values_list("user_id", "reminder_lead_minutes")
    )
    return {pk: datetime.timedelta(minutes=stored.get(pk, DEFAULT_LEAD)) for pk in ids}


def remind_at(interaction: Interaction) -> datetime.datetime | None:
    if interaction.due_at is None:
        return None
    return interaction.due_at - lead_of([interaction.responsible_id])[interaction.responsible_id]


def schedule(interaction: Interaction) -> None:
    """Enqueue the reminder of a planned contact once the current transaction commits."""
    if interaction.status != InteractionStatus.PLANNED or interaction.due_at is None:
        return
    when = remind_at(interaction)
    due = interaction.due_at.isoformat()
    pk = interaction.pk
    transaction.on_commit(lambda: enqueue_at(remind_task, when, pk, due))


@task()
def remind_task(interaction_id: int, due_at: str) -> None:
    """Remind of one contact, if it is still planned for `due_at` and not yet reminded."""
    interaction = Interaction.objects.filter(pk=interaction_id).first()
    if interaction is None or interaction.due_at is None:
        return
    if interaction.due_at != datetime.datetime.fromisoformat(due_at):
        return  # moved since: the task enqueued by the move reminds of it (compared as
        # moments: the due time was queued in the local zone and comes back in UTC)
    when = remind_at(interaction)
    if when > timezone.now():
        enqueue_at(remind_task, when, interaction_id, due_at)  # the lead time was shortened
        return
    send_reminder(interaction)


def send_reminder(interaction: Interaction) -> bool:
    """Claim the contact and remind of it; False when it is not due a reminder."""
    claimed = Interaction.objects.filter(
        pk=interaction.pk,
        status=InteractionStatus.PLANNED,
        due_at=interaction.due_at,
        reminded_at__isnull=True,
    ).update(reminded_at=timezone.now())
    if not claimed:
        return False
    for recipient in recipients(interaction):
        _remind(recipient, interaction)
    return True


@periodic(every(SWEEP_EVERY))
@task()
def sweep_task() -> None:
    """Remind of every contact whose moment has come and that nobody reminded of yet."""
    reschedule(sweep_task)
    now = timezone.now()
    waiting = (
        Interaction.objects.filter(
            status=InteractionStatus.PLANNED,
            reminded_at__isnull=True,
            due_at__lte=now + LONGEST_LEAD,
        )
        .select_related("organization", "deal", "responsible")
        .order_by("due_at")
    )
    waiting = list(waiting[:1000])
    leads = lead_of(i.responsible_id for i in waiting)
    for interaction in waiting:
        if interaction.due_at - leads[interaction.responsible_id] <= now:
            send_reminder(interaction)


def recipients(interaction: Interaction) -> list:
    """The responsible employee and today's deputies, each only if they may see it."""
    User = get_user_model()
    deputies = Substitution.objects.active().filter(absent=interaction.responsible_id)
    people = User.objects.filter(
        Q(pk=interaction.responsible_id) | Q(pk__in=deputies.values("deputy")), is_active=True
    )
    return [
        person
        for person in people
        if Interaction.objects.restrict(person).filter(pk=interaction.pk).exists()
    ]


def _remind(recipient, interaction: Interaction) -> None:
    with translation.override(recipient.language or settings.LANGUAGE_CODE):
        when = timezone.localtime(interaction.due_at)
        title = _("%(kind)s on %(date)s at %(time)s: %(organization)s") % {
            "kind": interaction.get_kind_display(),
            "date": date_format(when, "SHORT_DATE_FORMAT"),
            "time": date_format(when, "TIME_FORMAT"),
            "organization": interaction.organization,
        }
        if interaction.responsible_id != recipient.pk:
            title = _("%(title)s (for %(employee)s)") % {
                "title": title,
                "employee": interaction.responsible.short_name,
            }
        url = interaction.organization.get_absolute_url()
        notify(recipient=recipient, title=title, body=interaction.subject, url=url)
        if not recipient.email:
            return
        try:
            _mail(
                recipient,
                subject=title,
                template="sales/mail/reminder",
                context={
                    "interaction": interaction,
                    "deal": _visible_deal(recipient, interaction),
                    "when": when,
                    "url": absolute(url),
                },
            )
        except OSError:  # the notification stands; a reminder is not sent twice
            logger.exception("Reminder e-mail to %s failed", recipient.email)


def _visible_deal(recipient, interaction: Interaction):
    """The contact's deal, named only to a recipient who may see it (it may be on
    another business line than the contact)."""
    if interaction.deal_id is None:
        return None
    return Deal.objects.restrict(recipient).filter(pk=interaction.deal_id).first()


@periodic(daily_at(DIGEST_HOUR))
@task()
def digest_task() -> None:
    """Each employee's contacts for today and overdue ones, once a day, by e-mail."""
    reschedule(digest_task)
    today = timezone.localdate()
    end_of_day = timezone.make_aware(
        datetime.datetime.combine(today + datetime.timedelta(days=1), datetime.time())
    )
    planned = (
        Interaction.objects.filter(
            status=InteractionStatus.PLANNED,
            due_at__lt=end_of_day,
            due_at__gte=timezone.now() - DIGEST_LOOKBACK,
        )
        .select_related("organization", "deal", "responsible")
        .order_by("due_at", "id")
    )
    by_owner = defaultdict(list)
    for interaction in planned:
        by_owner[interaction.responsible_id].append(interaction)
    if not by_owner:
        return
    deputies = defaultdict(set)
    for absent, deputy in Substitution.objects.active().values_list("absent", "deputy"):
        deputies[deputy].add(absent)
    User = get_user_model()
    wanted = set(by_owner) | {d for d, absent in deputies.items() if absent & set(by_owner)}
    opted_out = set(
        SalesProfile.objects.filter(user__in=wanted, morning_digest=False).values_list(
            "user_id", flat=True
        )
    )
    for person in User.objects.filter(pk__in=wanted - opted_out, is_active=True):
        mine = [
            *by_owner.get(person.pk, []),
            *(i for absent in deputies[person.pk] for i in by_owner.get(absent, [])),
        ]
        try:
            send_digest(person, mine, today)
        except OSError:  # one refused address must not keep the others' digests back
            logger.exception("Morning digest to %s failed", person.email)


def send_digest(person, interactions: list[Interaction], today: datetime.date) -> bool:
    """Send one employee their digest for `today`, unless it was sent already."""
    visible = set(
        Interaction.objects.restrict(person)
        .filter(pk__in=[i.pk for i in interactions])
        .values_list("pk", flat=True)
    )
    interactions = [i for i in interactions if i.pk in visible]
    if not interactions or not person.email:
        return False
    SalesProfile.of(person)
    claimed = (
        SalesProfile.objects.filter(user=person)
        .filter(Q(digest_sent_on__isnull=True) | Q(digest_sent_on__lt=today))
        .update(digest_sent_on=today)
    )
    if not claimed:
        return False
    now = timezone.now()
    with translation.override(person.language or settings.LANGUAGE_CODE):
        overdue = [i for i in interactions if i.due_at < now]
        upcoming = [i for i in interactions if i.due_at >= now]
        subject = _("Your contacts for %(day)s: %(today)s today, %(overdue)s overdue") % {
            "day": date_format(today, "SHORT_DATE_FORMAT"),
            "today": len(upcoming),
            "overdue": len(overdue),
        }
        _mail(
            person,
            subject=subject,
            template="sales/mail/digest",
            context={
                "overdue": overdue,
                "upcoming": upcoming,
                "person": person,
                "work_url": absolute(reverse("sales:my_work")),
                "site": settings.SITE_URL,
            },
        )
    return True


def absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def _mail(recipient, *, subject: str, template: str, context: dict) -> None:
    context = {**context, "recipient": recipient}
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string(f"{template}.txt", context),
        to=[recipient.email],
    )
    message.attach_alternative(render_to_string(f"{template}.html", context), "text/html")
    message.send()
