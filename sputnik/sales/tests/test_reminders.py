"""Reminders of planned contacts and the morning digest (SAL-5), delivered to a real SMTP
server on this machine (aiosmtpd): exactly once, re-planned when the contact moves,
never for a cancelled or done contact, to the deputy during a substitution, and only to
people who may see the contact."""

import datetime
import email
import smtplib
import socket
from email.policy import default as email_policy

import pytest
from aiosmtpd.controller import Controller
from django.tasks import task_backends
from django.utils import timezone

from sputnik.access.models import Notification, Substitution
from sputnik.directory.tests.factories import OrganizationFactory
from sputnik.sales import reminders, services
from sputnik.sales.models import InteractionStatus, SalesProfile

pytestmark = pytest.mark.django_db

NOW = timezone.now


class Inbox:
    """An aiosmtpd handler keeping every message it receives."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email_policy)
        self.messages.append((envelope.rcpt_tos, message))
        return "250 OK"

    def to(self, address):
        return [m for rcpt, m in self.messages if address in rcpt]

    @staticmethod
    def text(message) -> str:
        return message.get_body(preferencelist=("plain",)).get_content()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def inbox(settings):
    handler = Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": controller.port, "timeout": 5},
        }
    }
    yield handler
    controller.stop()


@pytest.fixture
def deferred(settings):
    """A task backend that keeps what is enqueued (with its run_after) without running it."""
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    backend = task_backends["default"]
    backend.clear()
    yield backend
    backend.clear()


def queued(backend, task):
    return [r for r in backend.results if r.task.module_path == task.module_path]


def run(result):
    """Run a queued task as the worker would."""
    result.task.call(*result.args, **result.kwargs)


@pytest.fixture
def seller(make_user, line_a):
    return make_user(lines={line_a: "write"}, email="seller@example.com", language="ru")


@pytest.fixture
def org(line_a):
    return OrganizationFactory(business_lines=[line_a], short_name="Альфа")


def plan(actor, org, line, due, **values):
    values.setdefault("subject", "Обсудить договор")
    return services.interaction_plan(
        actor=actor, kind="call", organization=org, business_line=line, due_at=due, **values
    )


def test_a_contact_due_in_the_past_is_reminded_exactly_once(
    inbox, seller, org, line_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        contact = plan(seller, org, line_a, NOW() - datetime.timedelta(hours=1))

    notes = Notification.objects.filter(recipient=seller)
    assert notes.count() == 1
    assert "Альфа" in notes.get().title and notes.get().url == org.get_absolute_url()
    [message] = inbox.to("seller@example.com")
    assert "Альфа" in message["Subject"] and "Звонок" in message["Subject"]
    assert "Обсудить договор" in Inbox.text(message)
    contact.refresh_from_db()
    assert contact.reminded_at is not None

    reminders.sweep_task.call()
    assert reminders.send_reminder(contact) is False
    assert notes.count() == 1 and len(inbox.messages) == 1


def test_a_contact_planned_in_local_time_is_reminded_by_its_own_task(
    inbox, seller, org, line_a, django_capture_on_commit_callbacks
):
    """Forms give the due time in the local zone; the database gives it back in UTC."""
    due = timezone.localtime(NOW() - datetime.timedelta(minutes=30))
    with django_capture_on_commit_callbacks(execute=True):
        plan(seller, org, line_a, due)

    assert Notification.objects.filter(recipient=seller).count() == 1
    assert len(inbox.to("seller@example.com")) == 1


def test_the_reminder_names_the_deal_only_to_those_who_may_see_it(
    inbox, seller, line_a, line_b, pipeline, django_capture_on_commit_callbacks
):
    from sputnik.sales.tests.helpers import new_deal

    both = OrganizationFactory(business_lines=[line_a, line_b], short_name="Общая")
    other_deal = new_deal(pipeline, both, line_b, "Чужая сделка")
    contact = plan(seller, both, line_a, NOW() + datetime.timedelta(days=1))
    contact.__class__.objects.filter(pk=contact.pk).update(
        deal=other_deal, due_at=NOW() - datetime.timedelta(minutes=5)
    )
    reminders.sweep_task.call()

    [message] = inbox.to("seller@example.com")
    html = message.get_body(preferencelist=("html",)).get_content()
    assert "Общая" in Inbox.text(message) and "Общая" in html
    assert "Чужая сделка" not in Inbox.text(message) + html


def test_moving_the_due_time_reschedules_the_reminder(
    inbox, deferred, seller, org, line_a, django_capture_on_commit_callbacks
):
    SalesProfile.objects.create(user=seller, reminder_lead_minutes=60)
    due = (NOW() + datetime.timedelta(days=1)).replace(microsecond=0)
    with django_capture_on_commit_callbacks(execute=True):
        contact = plan(seller, org, line_a, due)
    [first] = queued(deferred, reminders.remind_task)
    assert first.task.run_after == due - datetime.timedelta(minutes=60)

    later = due + datetime.timedelta(hours=3)
    with django_capture_on_commit_callbacks(execute=True):
        contact = services.interaction_update(
            actor=seller, interaction=contact, expected_version=contact.version, due_at=later
        )
    second = queued(deferred, reminders.remind_task)[-1]
    assert second.task.run_after == later - datetime.timedelta(minutes=60)

    run(first)  # the old moment came: the contact is no longer due then
    run(second)  # too early: nothing yet
    reminders.sweep_task.call()
    assert not Notification.objects.exists() and not inbox.messages

    overdue = NOW() - datetime.timedelta(minutes=5)
    with django_capture_on_commit_callbacks(execute=True):
        contact = services.interaction_update(
            actor=seller, interaction=contact, expected_version=contact.version, due_at=overdue
        )
    now_due = queued(deferred, reminders.remind_task)[-1]
    assert now_due.task.run_after is None
    for result in (now_due, now_due, first, second):
        run(result)
    reminders.sweep_task.call()
    assert Notification.objects.filter(recipient=seller).count() == 1
    assert len(inbox.to("seller@example.com")) == 1


def test_a_reminded_contact_moved_again_is_reminded_at_its_new_time(
    inbox, seller, org, line_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        contact = plan(seller, org, line_a, NOW() - datetime.timedelta(minutes=1))
    contact.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        services.interaction_update(
            actor=seller,
            interaction=contact,
            expected_version=contact.version,
            due_at=NOW() - datetime.timedelta(seconds=10),
        )
    assert Notification.objects.filter(recipient=seller).count() == 2
    assert len(inbox.messages) == 2


def test_cancelled_and_done_contacts_are_never_reminded(
    inbox, deferred, seller, org, line_a, django_capture_on_commit_callbacks
):
    past = NOW() - datetime.timedelta(minutes=30)
    with django_capture_on_commit_callbacks(execute=True):
        cancelled = plan(seller, org, line_a, past)
        done = plan(seller, org, line_a, past - datetime.timedelta(minutes=1))
    services.interaction_cancel(
        actor=seller, interaction=cancelled, expected_version=cancelled.version
    )
    services.interaction_complete(actor=seller, interaction=done, expected_version=done.version)

    for result in queued(deferred, reminders.remind_task):
        run(result)
    reminders.sweep_task.call()
    assert not Notification.objects.exists() and not inbox.messages
    assert set(type(cancelled).objects.values_list("status", flat=True)) == {
        InteractionStatus.CANCELLED,
        InteractionStatus.DONE,
    }


def test_the_deputy_is_reminded_during_the_substitution_and_only_then(
    inbox, make_user, seller, org, line_a, line_b, django_capture_on_commit_callbacks
):
    deputy = make_user(lines={line_b: "write"}, email="deputy@example.com", language="en")
    today = timezone.localdate()
    Substitution.objects.create(
        absent=seller, deputy=deputy, starts_on=today, ends_on=today + datetime.timedelta(days=2)
    )
    with django_capture_on_commit_callbacks(execute=True):
        plan(seller, org, line_a, NOW() - datetime.timedelta(minutes=1))
    [message] = inbox.to("deputy@example.com")
    assert "Call" in message["Subject"] and "for" in message["Subject"]  # in English
    assert Notification.objects.filter(recipient=deputy).count() == 1

    Substitution.objects.update(
        starts_on=today - datetime.timedelta(days=5), ends_on=today - datetime.timedelta(days=1)
    )
    deputy = type(deputy).objects.get(pk=deputy.pk)
    with django_capture_on_commit_callbacks(execute=True):
        plan(seller, org, line_a, NOW() - datetime.timedelta(minutes=1))
    assert Notification.objects.filter(recipient=deputy).count() == 1
    assert len(inbox.to("seller@example.com")) == 2


def test_nobody_is_reminded_of_a_contact_they_may_no_longer_see(
    inbox, seller, org, line_a, django_capture_on_commit_callbacks
):
    contact = plan(seller, org, line_a, NOW() + datetime.timedelta(days=1))
    seller.line_memberships.all().delete()
    type(contact).objects.filter(pk=contact.pk).update(due_at=NOW() - datetime.timedelta(hours=1))
    reminders.sweep_task.call()
    assert not Notification.objects.exists() and not inbox.messages
    contact.refresh_from_db()
    assert contact.reminded_at is not None  # claimed once: not retried every sweep


def test_the_sweep_catches_contacts_whose_task_never_ran(inbox, seller, org, line_a):
    contact = plan(seller, org, line_a, NOW() + datetime.timedelta(minutes=10))  # no commit hook
    reminders.sweep_task.call()  # within the default 15 minutes' lead
    assert Notification.objects.filter(recipient=seller).count() == 1
    SalesProfile.objects.create(user=seller, reminder_lead_minutes=5)
    later = plan(seller, org, line_a, NOW() + datetime.timedelta(minutes=10))
    reminders.sweep_task.call()
    later.refresh_from_db()
    assert later.reminded_at is None and contact.pk != later.pk


def test_the_morning_digest_lists_todays_and_overdue_contacts_once(
    inbox, make_user, seller, org, line_a
):
    late_today = timezone.localtime().replace(hour=23, minute=59, second=0, microsecond=0)
    plan(seller, org, line_a, late_today, subject="Сегодняшний звонок")
    plan(seller, org, line_a, NOW() - datetime.timedelta(days=2), subject="Просроченный")
    plan(seller, org, line_a, NOW() + datetime.timedelta(days=3), subject="Потом")
    plan(seller, org, line_a, NOW() - datetime.timedelta(days=45), subject="Забытый")
    quiet = make_user(lines={line_a: "write"}, email="quiet@example.com")
    SalesProfile.objects.create(user=quiet, morning_digest=False)
    plan(quiet, org, line_a, NOW() - datetime.timedelta(hours=1))

    reminders.digest_task.call()
    reminders.digest_task.call()

    [digest] = inbox.to("seller@example.com")
    text = Inbox.text(digest)
    assert "Сегодняшний звонок" in text and "Просроченный" in text and "Потом" not in text
    assert "Забытый" not in text  # overdue for over a month: on "my work", not every morning
    assert timezone.localdate().strftime("%d.%m.%Y") in digest["Subject"]
    assert not inbox.to("quiet@example.com")
    assert SalesProfile.objects.get(user=seller).digest_sent_on == timezone.localdate()


def test_one_failed_digest_does_not_stop_the_others(
    inbox, monkeypatch, make_user, seller, org, line_a
):
    colleague = make_user(lines={line_a: "write"}, email="colleague@example.com")
    for person in (seller, colleague):
        plan(person, org, line_a, NOW() - datetime.timedelta(days=1))
    mail, calls = reminders._mail, []

    def first_refused(recipient, **kwargs):
        calls.append(recipient)
        if len(calls) == 1:
            raise smtplib.SMTPRecipientsRefused({recipient.email: (550, b"No such user")})
        mail(recipient, **kwargs)

    monkeypatch.setattr(reminders, "_mail", first_refused)
    reminders.digest_task.call()

    assert len(calls) == 2
    assert [m["To"] for _, m in inbox.messages] == [calls[1].email]


def test_periodic_work_reschedules_itself_and_starts_once(settings, deferred):
    reminders.digest_task.call()
    [next_digest] = queued(deferred, reminders.digest_task)
    local = timezone.localtime(next_digest.task.run_after)
    assert (local.hour, local.minute) == (reminders.DIGEST_HOUR, 0)
    assert next_digest.task.run_after > NOW()

    from django.core.management import call_command
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    call_command("schedule", verbosity=0)
    call_command("schedule", verbosity=0)
    paths = sorted(DBTaskResult.objects.values_list("task_path", flat=True))
    assert paths == [reminders.digest_task.module_path, reminders.sweep_task.module_path]
