"""The personal calendar feed (INT-3) and the personal sales settings: the feed holds exactly
the owner's planned contacts they may still see, at an address that a new one or a
revocation closes; settings are the caller's own and refuse values out of range."""

import datetime
import re
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from django.utils.translation import gettext
from icalendar import Calendar

from sputnik.access import services as access_services
from sputnik.access.models import LineMembership, SecurityEvent
from sputnik.core.testing import clients_for
from sputnik.directory.tests.factories import OrganizationFactory, PersonFactory
from sputnik.sales import feeds, services
from sputnik.sales.models import SalesProfile
from sputnik.sales.tests.helpers import new_deal

pytestmark = pytest.mark.django_db

MOSCOW = ZoneInfo("Europe/Moscow")
DUE = datetime.datetime(2030, 3, 1, 9, 0, tzinfo=MOSCOW)  # 06:00 UTC


@pytest.fixture
def seller(make_user, line_a, line_b):
    return make_user(
        lines={line_a: "write", line_b: "write"},
        last_name="Петрова",
        first_name="Анна",
        language="ru",
    )


@pytest.fixture
def alpha(line_a):
    return OrganizationFactory(business_lines=[line_a], short_name="Альфа")


def plan(actor, organization, line, due_at=DUE, **values):
    values.setdefault("kind", "call")
    return services.interaction_plan(
        actor=actor, organization=organization, business_line=line, due_at=due_at, **values
    )


def feed(token, client=None):
    return (client or Client()).get(f"/calendar/{token}.ics")


def events_of(response):
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return {event["UID"]: event for event in Calendar.from_ical(response.content).events}


def uid(interaction):
    return f"interaction-{interaction.pk}@testserver"


def test_the_feed_holds_exactly_the_owners_planned_contacts(
    seller, make_user, line_a, line_b, alpha, pipeline
):
    person = PersonFactory(business_lines=[line_a], last_name="Сидоров", first_name="Пётр")
    deal = new_deal(pipeline, alpha, line_a, "Лицензии", actor=seller)
    call = plan(
        seller,
        alpha,
        line_a,
        subject="Обсудить договор",
        notes="Взять КП",
        persons=[person],
        deal=deal,
    )
    meeting = plan(seller, alpha, line_a, kind="meeting", duration_minutes=90)
    recent = plan(seller, alpha, line_a, due_at=timezone.now() - datetime.timedelta(days=10))
    old = plan(seller, alpha, line_a, due_at=timezone.now() - datetime.timedelta(days=40))
    done, _ = services.interaction_log(
        actor=seller, kind="call", organization=alpha, business_line=line_a
    )
    cancelled = plan(seller, alpha, line_a)
    services.interaction_cancel(
        actor=seller, interaction=cancelled, expected_version=cancelled.version
    )
    colleague = make_user(lines={line_a: "write"})
    theirs = plan(colleague, alpha, line_a)
    beta = OrganizationFactory(business_lines=[line_b], short_name="Бета")
    lost_line = plan(seller, beta, line_b)
    services.interaction_update(
        actor=seller, interaction=meeting, expected_version=meeting.version, notes="Зал 2"
    )
    token = feeds.calendar_token_issue(user=seller)

    events = events_of(feed(token))
    assert set(events) == {uid(call), uid(meeting), uid(recent), uid(lost_line)}
    for excluded in (old, done, cancelled, theirs):
        assert uid(excluded) not in events

    event = events[uid(call)]
    assert event["DTSTART"].to_ical() == b"20300301T060000Z"
    assert event["DTEND"].to_ical() == b"20300301T063000Z"  # 30 minutes when not given
    assert str(event["SUMMARY"]) == "Звонок: Альфа — Обсудить договор"
    description = str(event["DESCRIPTION"])
    assert "Сидоров Пётр" in description and "Лицензии" in description
    assert "Взять КП" in description
    card = f"http://testserver/organizations/{alpha.pk}/"
    assert card in description and str(event["URL"]) == card
    assert "DTSTAMP" in event and "LAST-MODIFIED" in event
    (alarm,) = event.walk("VALARM")
    assert str(alarm["ACTION"]) == "DISPLAY"
    assert alarm["TRIGGER"].dt == -datetime.timedelta(minutes=15)
    assert events[uid(meeting)]["DTEND"].to_ical() == b"20300301T073000Z"
    assert str(events[uid(meeting)]["SUMMARY"]) == "Встреча: Альфа"

    membership = LineMembership.objects.get(user=seller, line=line_b)
    access_services.membership_remove(actor=None, membership=membership)
    assert uid(lost_line) not in events_of(feed(token))


def test_the_feed_speaks_the_owners_language_and_names_the_calendar(seller, line_a, alpha):
    access_services.profile_update(user=seller, expected_version=None, language="en")
    feeds.sales_profile_update(user=seller, reminder_lead_minutes=60)
    plan(seller, alpha, line_a, subject="Contract")
    response = feed(feeds.calendar_token_issue(user=seller))
    calendar = Calendar.from_ical(response.content)
    assert str(calendar["X-WR-CALNAME"]) == "Sputnik — Петрова Анна"
    (event,) = calendar.events
    assert str(event["SUMMARY"]) == "Call: Альфа — Contract"
    assert event.walk("VALARM")[0]["TRIGGER"].dt == -datetime.timedelta(hours=1)
    assert response["Cache-Control"] == "private, max-age=300"


def test_only_the_current_address_of_an_active_owner_answers(seller, line_a, alpha):
    plan(seller, alpha, line_a)
    first = feeds.calendar_token_issue(user=seller)
    second = feeds.calendar_token_issue(user=seller)
    assert first != second
    assert feed(first).status_code == 404
    assert feed(second).status_code == 200
    assert feed("not-a-real-address").status_code == 404
    feeds.calendar_token_revoke(user=seller)
    assert feed(second).status_code == 404
    third = feeds.calendar_token_issue(user=seller)
    seller.is_active = False
    seller.save(update_fields=["is_active"])
    assert feed(third).status_code == 404


def test_issuing_and_revoking_are_in_the_security_log(seller):
    feeds.calendar_token_issue(user=seller)
    feeds.calendar_token_issue(user=seller)
    feeds.calendar_token_revoke(user=seller)
    feeds.calendar_token_revoke(user=seller)  # nothing left to revoke: nothing to record
    events = SecurityEvent.objects.filter(details__what="calendar_feed").order_by("pk")
    assert [(e.kind, e.user, e.details["issued"]) for e in events] == [
        ("permission_change", seller, True),
        ("permission_change", seller, True),
        ("permission_change", seller, False),
    ]


def test_the_feed_takes_the_same_number_of_queries_for_3_and_30_contacts(seller, line_a, alpha):
    person = PersonFactory(business_lines=[line_a])
    token = feeds.calendar_token_issue(user=seller)

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert feed(token).status_code == 200
        return len(queries)

    for n in range(3):
        plan(seller, alpha, line_a, due_at=DUE + datetime.timedelta(hours=n), persons=[person])
    few = count()
    for n in range(3, 30):
        plan(seller, alpha, line_a, due_at=DUE + datetime.timedelta(hours=n), persons=[person])
    assert count() == few


# The settings page --------------------------------------------------------------------


def refusal():
    with translation.override("ru"):
        return gettext("Remind from 0 to %(max)s minutes (a week) before a contact.") % {
            "max": feeds.MAX_LEAD_MINUTES
        }


def test_the_settings_page_saves_the_lead_and_the_digest(seller):
    page = clients_for(seller)[0]
    assert page.get("/work/settings/").status_code == 200
    response = page.post("/work/settings/", {"reminder_lead_minutes": "45"}, follow=True)
    assert response.redirect_chain[-1][0] == "/work/settings/"
    profile = SalesProfile.of(seller)
    assert (profile.reminder_lead_minutes, profile.morning_digest) == (45, False)
    response = page.post(
        "/work/settings/",
        {"reminder_lead_minutes": "0", "morning_digest": "on"},
        HTTP_HX_REQUEST="true",
    )
    assert 'data-testid="settings-saved"' in response.text
    assert "<html" not in response.text  # only the card is swapped
    profile.refresh_from_db()
    assert (profile.reminder_lead_minutes, profile.morning_digest) == (0, True)


@pytest.mark.parametrize("lead", ["-5", "100000"])
def test_the_settings_page_refuses_a_lead_out_of_range(seller, lead):
    page = clients_for(seller)[0]
    response = page.post("/work/settings/", {"reminder_lead_minutes": lead, "morning_digest": ""})
    assert response.status_code == 200
    assert refusal() in response.text
    assert f'value="{lead}"' in response.text  # what was typed stays
    profile = SalesProfile.of(seller)
    assert (profile.reminder_lead_minutes, profile.morning_digest) == (15, True)


def test_the_settings_page_issues_and_revokes_the_calendar_address(seller):
    page = clients_for(seller)[0]
    assert 'data-testid="no-feed"' in page.get("/work/settings/").text
    page.post("/work/settings/calendar/")
    first = SalesProfile.of(seller).calendar_token
    shown = page.get("/work/settings/").text
    assert f"http://testserver/calendar/{first}.ics" in shown
    assert f"webcal://testserver/calendar/{first}.ics" in shown
    response = page.post("/work/settings/calendar/", HTTP_HX_REQUEST="true")
    second = SalesProfile.of(seller).calendar_token
    assert second != first and f"/calendar/{second}.ics" in response.text
    assert feed(first).status_code == 404 and feed(second).status_code == 200
    page.post("/work/settings/calendar/", {"revoke": "1"})
    assert SalesProfile.of(seller).calendar_token is None
    assert feed(second).status_code == 404
    assert 'data-testid="no-feed"' in page.get("/work/settings/").text


def test_the_settings_page_needs_signing_in():
    response = Client().get("/work/settings/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


# The API ------------------------------------------------------------------------------


def test_the_api_reads_and_changes_only_the_callers_own_settings(seller, make_user, line_a):
    other = make_user(lines={line_a: "write"})
    feeds.sales_profile_update(user=other, reminder_lead_minutes=30)
    other_token = feeds.calendar_token_issue(user=other)
    api = clients_for(seller)[1]

    mine = api.get("/api/v1/sales-profile/").json()
    assert mine == {"reminder_lead_minutes": 15, "morning_digest": True, "calendar_url": None}
    changed = api.patch(
        "/api/v1/sales-profile/",
        {"reminder_lead_minutes": 120, "user": other.pk, "calendar_token": "x"},
        format="json",
    )
    assert changed.status_code == 200 and changed.json()["reminder_lead_minutes"] == 120
    assert SalesProfile.of(seller).reminder_lead_minutes == 120
    assert SalesProfile.of(seller).calendar_token is None
    theirs = SalesProfile.of(other)
    assert (theirs.reminder_lead_minutes, theirs.calendar_token) == (30, other_token)

    refused = api.patch("/api/v1/sales-profile/", {"reminder_lead_minutes": -1}, format="json")
    assert refused.status_code == 400 and "reminder_lead_minutes" in refused.json()["errors"]

    issued = api.post("/api/v1/sales-profile/calendar-token/")
    assert issued.status_code == 201
    token = SalesProfile.of(seller).calendar_token
    assert issued.json()["calendar_url"] == f"http://testserver/calendar/{token}.ics"
    assert "calendar_token" not in issued.json()
    assert api.delete("/api/v1/sales-profile/calendar-token/").status_code == 204
    assert feed(token).status_code == 404
    assert SalesProfile.of(other).calendar_token == other_token
    assert Client().get("/api/v1/sales-profile/").status_code in {401, 403}


# In the browser -----------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_settings_and_the_calendar_address_in_the_browser(
    signed_in, live_server, make_user, line_a
):
    from playwright.sync_api import expect

    page = signed_in(make_user(lines={line_a: "write"}))
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.get_by_test_id("user-menu").click()
    page.get_by_role("link", name="Reminders and calendar").or_(
        page.get_by_role("link", name="Напоминания и календарь")
    ).click()
    expect(page).to_have_url(f"{live_server.url}/work/settings/")

    page.locator("input[name=reminder_lead_minutes]").fill("30")
    page.get_by_test_id("settings-form").get_by_role("button").click()
    expect(page.get_by_test_id("settings-saved")).to_be_visible()  # swapped in place
    assert page.url == f"{live_server.url}/work/settings/"

    page.get_by_test_id("issue-feed").click()
    address = page.get_by_test_id("feed-url")
    expect(address).to_have_value(re.compile(r"/calendar/[\w-]{40,}\.ics$"))
    first = address.input_value()
    copy = page.locator("[data-copy]")
    expect(copy).to_be_visible()
    copy.click()
    assert page.evaluate("navigator.clipboard.readText()") == first

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_test_id("issue-feed").click()
    expect(address).not_to_have_value(first)
    assert page.request.get(first).status == 404
    assert page.request.get(address.input_value()).status == 200

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_test_id("revoke-feed").click()
    expect(page.get_by_test_id("no-feed")).to_be_visible()
