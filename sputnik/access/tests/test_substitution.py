"""Substitutions (SAL-6): a deputy holds the absent employee's line roles on the days of
the period — not before its first day, on its first and last day, not after — read afresh
for each request; substitutions of one absent employee never overlap; heads of sales
arrange them; every change is audited and the deputy told."""

import datetime

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from sputnik.access import services
from sputnik.access.models import Notification, RoleCode, Substitution, User
from sputnik.core.roles import line_access
from sputnik.core.testing import clients_for
from sputnik.directory.models import Organization
from sputnik.directory.tests.factories import OrganizationFactory
from sputnik.sales.models import Deal, Pipeline, Stage
from sputnik.sales.services import deal_create

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def team(make_user, line_a, line_b):
    """The absent employee works on line B; the deputy only on line A."""
    return {
        "head": make_user(
            RoleCode.HEAD_OF_SALES, lines={line_a: "manage", line_b: "manage"}, username="head"
        ),
        "absent": make_user(lines={line_b: "write"}, last_name="Отпускников"),
        "deputy": make_user(lines={line_a: "write"}, last_name="Заместителев"),
    }


@pytest.fixture
def work_b(line_b, team):
    """An organisation and a deal of line B."""
    organization = OrganizationFactory(business_lines=[line_b], short_name="Клиент Б")
    pipeline = Pipeline.objects.create(name="Продажи")
    Stage.objects.create(pipeline=pipeline, name="Первый звонок")
    deal = deal_create(
        actor=None, pipeline=pipeline, organization=organization, business_line=line_b, name="Б1"
    )
    return organization, deal


def arrange(team, starts_on, ends_on, **values):
    return services.substitution_create(
        actor=team["head"],
        absent=values.pop("absent", team["absent"]),
        deputy=values.pop("deputy", team["deputy"]),
        starts_on=starts_on,
        ends_on=ends_on,
        **values,
    )


def sees(user_id, organization, deal) -> bool:
    """What the deputy sees in a new request (a fresh user object)."""
    user = User.objects.get(pk=user_id)
    org_seen = Organization.objects.restrict(user).filter(pk=organization.pk).exists()
    deal_seen = Deal.objects.restrict(user).filter(pk=deal.pk).exists()
    assert org_seen == deal_seen
    return org_seen


def test_the_deputy_sees_the_absent_employees_line_only_during_the_period(team, work_b, today):
    deputy = team["deputy"].pk
    assert not sees(deputy, *work_b)

    coming = arrange(team, today + DAY, today + 3 * DAY)  # before its first day: not yet
    assert not sees(deputy, *work_b)
    coming.delete()

    first_day = arrange(team, today, today + 3 * DAY)  # its first day
    assert sees(deputy, *work_b)
    first_day.delete()

    last_day = arrange(team, today - 3 * DAY, today)  # its last day
    assert sees(deputy, *work_b)
    page = clients_for(User.objects.get(pk=deputy))[0]
    assert page.get(f"/organizations/{work_b[0].pk}/").status_code == 200

    services.substitution_end(actor=team["head"], substitution=last_day)  # the day after
    assert not sees(deputy, *work_b)
    assert page.get(f"/organizations/{work_b[0].pk}/").status_code == 404
    assert not Substitution.objects.active().exists()


def test_line_roles_are_read_once_per_user_object(team, work_b, today):
    in_this_request = User.objects.get(pk=team["deputy"].pk)
    assert line_access(in_this_request).role_on(work_b[0].business_lines.get().pk) == ""
    arrange(team, today, today)
    # The object of a request already served keeps what it read; the next request sees more.
    assert not Organization.objects.restrict(in_this_request).filter(pk=work_b[0].pk).exists()
    assert sees(team["deputy"].pk, *work_b)
    page = clients_for(team["deputy"])[0]
    assert "Клиент Б" in page.get("/organizations/").text


def test_a_deputy_does_not_take_over_the_absent_employees_lines_for_good(team, work_b, today):
    arrange(team, today, today)
    deputy = User.objects.get(pk=team["deputy"].pk)
    assert line_access(deputy).role_on(team["absent"].line_memberships.get().line_id) == "write"
    assert not team["deputy"].line_memberships.filter(line__code="consulting").exists()


def test_overlapping_substitutions_of_one_employee_are_refused(team, make_user, line_b, today):
    arrange(team, today + DAY, today + 5 * DAY)
    other = make_user(lines={line_b: "read"})
    for starts, ends in [(today, today + DAY), (today + 5 * DAY, today + 9 * DAY)]:
        with pytest.raises(ValidationError) as refused:
            arrange(team, starts, ends, deputy=other)
        assert "Заместителев" in str(refused.value)
    arrange(team, today + 6 * DAY, today + 9 * DAY, deputy=other)  # the day after: fine
    arrange(team, today, today, deputy=other)  # the day before: fine
    # Someone else may be absent at the same time, with the same deputy.
    arrange(team, today + DAY, today + 5 * DAY, absent=other)
    assert Substitution.objects.count() == 4


def test_impossible_periods_and_oneself_are_refused(team, today):
    cases = [
        ({"deputy": team["absent"]}, today, today, "deputy"),
        ({}, today + DAY, today, "ends_on"),
        ({}, today - 5 * DAY, today - DAY, "ends_on"),
    ]
    for values, starts, ends, field in cases:
        with pytest.raises(ValidationError) as refused:
            arrange(team, starts, ends, **values)
        assert field in refused.value.message_dict
    assert not Substitution.objects.exists()


def test_only_heads_who_manage_the_employees_lines_arrange_substitutions(
    team, make_user, line_a, today
):
    seller = make_user(lines={line_a: "write"})
    with pytest.raises(PermissionDenied):
        services.substitution_create(
            actor=seller, absent=team["absent"], deputy=seller, starts_on=today, ends_on=today
        )
    head_of_a = make_user(RoleCode.HEAD_OF_SALES, lines={line_a: "manage"})
    with pytest.raises(ValidationError) as refused:  # would open line B to the deputy
        services.substitution_create(
            actor=head_of_a,
            absent=team["absent"],
            deputy=team["deputy"],
            starts_on=today,
            ends_on=today,
        )
    assert "absent" in refused.value.message_dict
    page, api = clients_for(seller)
    assert page.get("/sales/substitutions/new/").status_code == 403
    body = {
        "absent": team["absent"].pk,
        "deputy": seller.pk,
        "starts_on": today.isoformat(),
        "ends_on": today.isoformat(),
    }
    assert page.post("/sales/substitutions/new/", body).status_code == 403
    assert api.post("/api/v1/substitutions/", body, format="json").status_code == 403
    assert not Substitution.objects.exists()


def test_arranging_is_audited_and_the_deputy_told(team, today):
    substitution = arrange(team, today, today + 2 * DAY, note="Отпуск")
    entry = LogEntry.objects.get_for_object(substitution).get()
    assert entry.action == LogEntry.Action.CREATE
    assert entry.changes_dict["deputy"][1] == str(team["deputy"].pk)
    note = Notification.objects.get(recipient=team["deputy"])
    assert "Отпускников" in note.title and note.body == "Отпуск"


def test_ending_now(team, today):
    running = arrange(team, today - 2 * DAY, today + 2 * DAY)
    ended = services.substitution_end(actor=team["head"], substitution=running)
    assert ended.ends_on == today - DAY and not ended.is_active
    with pytest.raises(ValidationError):  # already over
        services.substitution_end(actor=team["head"], substitution=ended)
    planned = arrange(team, today + DAY, today + 2 * DAY)
    assert services.substitution_end(actor=team["head"], substitution=planned) is None
    assert not Substitution.objects.filter(pk=planned.pk).exists()
    assert LogEntry.objects.filter(
        object_pk=str(planned.pk), action=LogEntry.Action.DELETE
    ).exists()
    with pytest.raises(PermissionDenied):
        services.substitution_end(actor=team["deputy"], substitution=ended)


def test_the_pages_list_arrange_and_end(team, make_user, line_a, today):
    past = Substitution.objects.create(  # left from earlier times
        absent=team["absent"],
        deputy=team["deputy"],
        starts_on=today - 9 * DAY,
        ends_on=today - 8 * DAY,
    )
    page = clients_for(team["head"])[0]
    assert 'href="/sales/substitutions/"' in page.get("/").text  # the "Company" menu
    created = page.post(
        "/sales/substitutions/new/",
        {
            "absent": team["absent"].pk,
            "deputy": team["deputy"].pk,
            "starts_on": today.isoformat(),
            "ends_on": (today + 2 * DAY).isoformat(),
            "note": "Командировка",
        },
    )
    assert created.status_code == 302, created.content
    current = Substitution.objects.get(note="Командировка")
    refused = page.post(
        "/sales/substitutions/new/",
        {
            "absent": team["absent"].pk,
            "deputy": team["deputy"].pk,
            "starts_on": (today + DAY).isoformat(),
            "ends_on": (today + 3 * DAY).isoformat(),
        },
    )
    assert refused.status_code == 200 and 'data-testid="form-errors"' in refused.text
    listing = page.get("/sales/substitutions/").text
    assert "Командировка" in listing and past.starts_on.strftime("%d.%m.%Y") in listing
    page.post(f"/sales/substitutions/{current.pk}/end/")
    assert not Substitution.objects.filter(pk=current.pk).exists()  # began today: removed

    # An employee sees their own substitutions, and cannot end them.
    deputy_page = clients_for(team["deputy"])[0]
    assert deputy_page.get("/sales/substitutions/").status_code == 200
    assert deputy_page.post(f"/sales/substitutions/{past.pk}/end/").status_code == 403
    outsider = clients_for(make_user(lines={line_a: "write"}))[0]
    assert "Отпускников" not in outsider.get("/sales/substitutions/").text
    assert outsider.post(f"/sales/substitutions/{past.pk}/end/").status_code == 404


def test_the_api(team, make_user, line_a, today):
    api = clients_for(team["head"])[1]
    body = {
        "absent": team["absent"].pk,
        "deputy": team["deputy"].pk,
        "starts_on": (today - DAY).isoformat(),
        "ends_on": (today + DAY).isoformat(),
        "note": "Больничный",
    }
    created = api.post("/api/v1/substitutions/", body, format="json")
    assert created.status_code == 201, created.content
    assert created.json()["is_active"] is True
    pk = created.json()["id"]
    overlapping = api.post("/api/v1/substitutions/", body, format="json")
    assert overlapping.status_code == 400
    assert api.get(f"/api/v1/substitutions/{pk}/").json()["note"] == "Больничный"

    deputy_api = clients_for(team["deputy"])[1]
    assert [row["id"] for row in deputy_api.get("/api/v1/substitutions/").json()["results"]] == [pk]
    assert deputy_api.post(f"/api/v1/substitutions/{pk}/end/").status_code == 403
    outsider_api = clients_for(make_user(lines={line_a: "write"}))[1]
    assert outsider_api.get("/api/v1/substitutions/").json()["results"] == []
    assert outsider_api.get(f"/api/v1/substitutions/{pk}/").status_code == 404

    ended = api.post(f"/api/v1/substitutions/{pk}/end/")
    assert ended.status_code == 200 and ended.json()["ends_on"] == (today - DAY).isoformat()
    planned = api.post(
        "/api/v1/substitutions/",
        {**body, "starts_on": (today + DAY).isoformat(), "ends_on": (today + DAY).isoformat()},
        format="json",
    )
    assert api.post(f"/api/v1/substitutions/{planned.json()['id']}/end/").status_code == 204
    assert clients_for(None)[1].get("/api/v1/substitutions/").status_code == 401


def test_a_head_sees_and_ends_only_the_substitutions_of_their_lines(team, today, make_user, line_a):
    substitution = arrange(team, today, today + datetime.timedelta(days=3))
    head_a = make_user(RoleCode.HEAD_OF_SALES, lines={line_a: "manage"})
    assert not Substitution.objects.restrict(head_a).exists()
    assert not Substitution.objects.restrict(head_a, "change").exists()
    page = clients_for(head_a)[0]
    assert page.post(f"/sales/substitutions/{substitution.pk}/end/").status_code in {403, 404}
    assert Substitution.objects.get(pk=substitution.pk).ends_on == substitution.ends_on
    # Their own substitution they see, whoever's line it is.
    own = arrange(team, today, today, absent=head_a, deputy=team["deputy"])
    assert list(Substitution.objects.restrict(head_a)) == [own]
    assert set(Substitution.objects.restrict(team["head"])) == {substitution, own}
