"""Hand-over of clients (SAL-6): exactly the source's organisations, open deals and
planned contacts move — nothing of anyone else's, nothing closed or done, nothing on a
line the target cannot write — each move audited; previews write nothing; only heads of
sales and administrators hand over."""

import datetime

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from sputnik.access import services as access_services
from sputnik.access.models import Notification, RoleCode, SecurityEvent
from sputnik.core.audit import acting_as
from sputnik.core.testing import assert_constant_queries, clients_for
from sputnik.directory.models import Organization
from sputnik.directory.tests.factories import OrganizationFactory
from sputnik.sales import services
from sputnik.sales.handover import handover_apply, handover_plan
from sputnik.sales.models import Deal, Interaction
from sputnik.sales.tests.helpers import new_deal, stage

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(make_user, line_a, line_b):
    """A head of both lines; Alice (both lines) hands over to Bob (line A only)."""
    return {
        "head": make_user(
            RoleCode.HEAD_OF_SALES, lines={line_a: "manage", line_b: "manage"}, username="head"
        ),
        "alice": make_user(lines={line_a: "write", line_b: "write"}, last_name="Алисова"),
        "bob": make_user(lines={line_a: "write"}, last_name="Бобров"),
        "carol": make_user(lines={line_a: "write"}, last_name="Каролева"),
    }


def plan_contact(who, organization, line, **values):
    due = timezone.now() + datetime.timedelta(days=2)
    return services.interaction_plan(
        actor=who, organization=organization, business_line=line, kind="call", due_at=due, **values
    )


@pytest.fixture
def book(people, pipeline, line_a, line_b):
    """Alice's clients and, around them, what must stay where it is."""
    alice, carol = people["alice"], people["carol"]

    def org(name, line, who):
        return OrganizationFactory(business_lines=[line], short_name=name, responsible=who)

    rows = {
        "org1": org("Альфа", line_a, alice),
        "org2": org("Бета", line_a, alice),
        "org_b": org("Консалтинговая", line_b, alice),
        "org_carol": org("Каролинина", line_a, carol),
    }
    rows["deal1"] = new_deal(pipeline, rows["org1"], line_a, "Лицензии", responsible=alice)
    rows["deal_closed"] = new_deal(
        pipeline, rows["org1"], line_a, "Старая", responsible=alice, amount=100
    )
    services.deal_move(actor=None, deal=rows["deal_closed"], stage=stage(pipeline, "Оплачено"))
    rows["deal_at_carols"] = new_deal(
        pipeline, rows["org_carol"], line_a, "У Кароль", responsible=alice
    )
    rows["deal_b"] = new_deal(pipeline, rows["org_b"], line_b, "Консалтинг", responsible=alice)
    rows["deal_carol"] = new_deal(
        pipeline, rows["org_carol"], line_a, "Сделка Кароль", responsible=carol
    )
    rows["call1"] = plan_contact(alice, rows["org1"], line_a, subject="Перезвонить")
    rows["call2"] = plan_contact(alice, rows["org_carol"], line_a)
    rows["call_b"] = plan_contact(alice, rows["org_b"], line_b)
    rows["call_carol"] = plan_contact(carol, rows["org1"], line_a)
    rows["done"] = services.interaction_log(
        actor=alice, organization=rows["org1"], business_line=line_a, kind="call"
    )[0]
    return rows


def responsible(record):
    record.refresh_from_db()
    return record.responsible


def responsible_changes(record):
    return [
        entry.changes_dict["responsible"]
        for entry in LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(record), object_pk=str(record.pk)
        )
        if "responsible" in (entry.changes_dict or {}) and entry.action == LogEntry.Action.UPDATE
    ]


MOVE_ALL = ["org1", "org2", "deal1", "deal_at_carols", "call1", "call2"]
KEEP = ["org_b", "org_carol", "deal_closed", "deal_b", "deal_carol", "call_b", "call_carol", "done"]


def test_a_hand_over_moves_exactly_the_employees_open_work_and_the_audit_shows_it(people, book):
    head, alice, bob = people["head"], people["alice"], people["bob"]
    before = {name: (responsible(book[name]), book[name].version) for name in book}
    with acting_as(head):
        plan = handover_apply(actor=head, source=alice, target=bob)

    assert plan.counts() == {"organization": 2, "deal": 2, "interaction": 2}
    for name in MOVE_ALL:
        record = book[name]
        assert responsible(record) == bob, name
        assert record.version == before[name][1] + 1, name
        entries = LogEntry.objects.get_for_object(record).filter(actor=head)
        assert entries.exists(), name
        assert responsible_changes(record) == [[str(alice.pk), str(bob.pk)]], name
    for name in KEEP:
        assert responsible(book[name]) == before[name][0], name
        assert book[name].version == before[name][1], name
        assert responsible_changes(book[name]) == [], name

    # The card's history names both employees.
    history = clients_for(head)[0].get(f"/history/directory/organization/{book['org1'].pk}/")
    assert "Алисова" in history.text and "Бобров" in history.text

    event = SecurityEvent.objects.get(details__what="handover")
    assert event.user == head and event.details["subject"] == alice.username
    assert (event.details["organization"], event.details["deal"]) == (2, 2)
    assert Notification.objects.filter(recipient=bob).count() == 1
    assert Notification.objects.filter(recipient=alice).count() == 1
    assert "Алисова" in Notification.objects.get(recipient=bob).title

    again = handover_apply(actor=head, source=alice, target=bob)  # a double submit
    assert again.moving_count == 0
    assert Notification.objects.filter(recipient=bob).count() == 1
    assert SecurityEvent.objects.filter(details__what="handover").count() == 1


def test_rows_on_a_line_the_target_cannot_write_stay_and_are_reported(people, book, line_b):
    plan = handover_plan(actor=people["head"], source=people["alice"], target=people["bob"])
    staying = {row: reason for part in plan.parts for row, reason in part.staying}
    assert set(staying) == {book["org_b"], book["deal_b"], book["call_b"]}
    assert all(line_b.name in reason and "Бобров" in reason for reason in staying.values())


def test_a_selection_moves_those_organisations_with_their_open_deals_and_contacts(people, book):
    head, alice, bob = people["head"], people["alice"], people["bob"]
    handover_apply(actor=head, source=alice, target=bob, organizations=[book["org1"]])
    for name in ("org1", "deal1", "call1"):
        assert responsible(book[name]) == bob, name
    for name in ("org2", "deal_at_carols", "call2", "deal_closed", "done"):
        assert responsible(book[name]) == alice, name


def test_deals_and_contacts_can_be_left_out(people, book):
    head, alice, bob = people["head"], people["alice"], people["bob"]
    plan = handover_apply(actor=head, source=alice, target=bob, deals=False, interactions=False)
    assert plan.counts() == {"organization": 2}
    assert responsible(book["deal1"]) == alice and responsible(book["call1"]) == alice


def test_a_preview_writes_nothing(people, book):
    logged = LogEntry.objects.count()
    plan = handover_plan(actor=people["head"], source=people["alice"], target=people["bob"])
    moving = {row.pk for row in plan.part("organization").moving}
    assert moving == {book["org1"].pk, book["org2"].pk}
    assert LogEntry.objects.count() == logged
    assert Organization.objects.filter(responsible=people["bob"]).count() == 0
    assert not Notification.objects.exists()
    assert not SecurityEvent.objects.filter(details__what="handover").exists()


def test_only_rows_the_actor_may_change_are_handed_over(make_user, people, book, line_a):
    head_of_a = make_user(RoleCode.HEAD_OF_SALES, lines={line_a: "manage"})
    plan = handover_plan(actor=head_of_a, source=people["alice"], target=people["carol"])
    listed = {row for part in plan.parts for row in [*part.moving, *(r for r, _ in part.staying)]}
    assert listed == {book[name] for name in MOVE_ALL}  # line B is not the actor's
    reader = make_user(RoleCode.HEAD_OF_SALES, lines={line_a: "read"})
    plan = handover_plan(actor=reader, source=people["alice"], target=people["carol"])
    assert plan.moving_count == plan.staying_count == 0


def test_a_deputys_passing_access_does_not_count_for_the_target(make_user, people, book, line_b):
    consultant = make_user(lines={line_b: "write"})
    today = timezone.localdate()
    access_services.substitution_create(
        actor=people["head"],
        absent=consultant,
        deputy=people["bob"],
        starts_on=today,
        ends_on=today,
    )
    # Today Bob may change it as the consultant's deputy (his rows restricted so, and kept).
    assert book["org_b"] in Organization.objects.restrict(people["bob"], "change")
    plan = handover_plan(actor=people["head"], source=people["alice"], target=people["bob"])
    assert book["org_b"] in [row for row, _ in plan.part("organization").staying]


def test_the_target_must_be_another_active_employee(people, book):
    head, alice, bob = people["head"], people["alice"], people["bob"]
    with pytest.raises(ValidationError):
        handover_plan(actor=head, source=alice, target=alice)
    bob.is_active = False
    bob.save()
    with pytest.raises(ValidationError):
        handover_apply(actor=head, source=alice, target=bob)
    assert responsible(book["org1"]) == alice


def test_without_the_permission_everything_is_refused(people, book):
    seller, alice, bob = people["carol"], people["alice"], people["bob"]
    with pytest.raises(PermissionDenied):
        handover_plan(actor=seller, source=alice, target=bob)
    page, api = clients_for(seller)
    assert page.get("/sales/handover/").status_code == 403
    form = {"source": alice.pk, "target": bob.pk, "scope": "all", "deals": "on"}
    assert page.post("/sales/handover/", form).status_code == 403
    for url in ("/api/v1/handover/preview/", "/api/v1/handover/apply/"):
        assert api.post(url, {"source": alice.pk, "target": bob.pk}).status_code == 403
    refused = api.post("/api/v1/handover/preview/", {}, HTTP_ACCEPT_LANGUAGE="ru")
    assert "руководител" in refused.json()["detail"].lower()
    assert responsible(book["org1"]) == alice
    anonymous_page, anonymous_api = clients_for(None)
    assert anonymous_page.get("/sales/handover/").status_code == 302
    assert anonymous_api.post("/api/v1/handover/preview/", {}).status_code == 401


def test_the_page_previews_then_applies_once(people, book, line_b):
    head, alice, bob = people["head"], people["alice"], people["bob"]
    page = clients_for(head)[0]
    assert 'href="/sales/handover/"' in page.get("/").text  # in the "Company" menu
    assert 'href="/sales/handover/"' not in clients_for(alice)[0].get("/").text
    chooser = page.get("/sales/handover/", {"source": alice.pk}, headers={"HX-Request": "true"})
    assert "Альфа" in chooser.text and "Каролинина" not in chooser.text
    assert "<html" not in chooser.text  # only the organisations' part
    choosing = page.get("/sales/handover/", {"source": alice.pk, "scope": "selected"})
    assert "invalid-feedback" not in choosing.text  # judged only when previewed
    query = {"source": alice.pk, "target": bob.pk, "scope": "all", "deals": "on"}
    preview = page.get("/sales/handover/", {**query, "interactions": "on", "preview": "1"})
    assert 'data-testid="handover-preview"' in preview.text
    assert "Лицензии" in preview.text and line_b.name in preview.text  # moves; stays, why
    assert responsible(book["org1"]) == alice

    form = {**query, "interactions": "on"}
    done = page.post("/sales/handover/", form, follow=True)
    assert "Бобров" in done.text and responsible(book["org1"]) == bob
    twice = page.post("/sales/handover/", form, follow=True)
    assert twice.status_code == 200
    assert responsible_changes(book["org1"]) == [[str(alice.pk), str(bob.pk)]]


def test_the_page_hands_over_only_the_ticked_organisations(people, book):
    head, alice, bob = people["head"], people["alice"], people["bob"]
    page = clients_for(head)[0]
    refused = page.post(
        "/sales/handover/", {"source": alice.pk, "target": bob.pk, "scope": "selected"}
    )
    assert refused.status_code == 400
    form = {
        "source": alice.pk,
        "target": bob.pk,
        "scope": "selected",
        "organizations": [book["org2"].pk],
    }
    page.post("/sales/handover/", form)
    assert responsible(book["org2"]) == bob and responsible(book["org1"]) == alice
    assert responsible(book["deal1"]) == alice  # org1's deal stays with its organisation


def test_the_api_previews_and_applies(people, book):
    head, alice, bob = people["head"], people["alice"], people["bob"]
    api = clients_for(head)[1]
    body = {"source": alice.pk, "target": bob.pk, "organizations": [book["org1"].pk]}
    preview = api.post("/api/v1/handover/preview/", body, format="json")
    assert preview.status_code == 200, preview.content
    assert preview.json()["moves"] == {
        "organization": [book["org1"].pk],
        "deal": [book["deal1"].pk],
        "interaction": [book["call1"].pk],
    }
    assert responsible(book["org1"]) == alice
    everything = api.post(
        "/api/v1/handover/apply/", {"source": alice.pk, "target": bob.pk}, format="json"
    )
    assert everything.status_code == 200
    stays = {(row["kind"], row["id"]) for row in everything.json()["stays"]}
    assert ("organization", book["org_b"].pk) in stays
    assert responsible(book["org1"]) == bob and responsible(book["deal_at_carols"]) == bob
    assert LogEntry.objects.get_for_object(book["org1"]).filter(actor=head).exists()
    assert (
        api.post(
            "/api/v1/handover/apply/", {"source": alice.pk, "target": alice.pk}, format="json"
        ).status_code
        == 400
    )
    assert Deal.objects.filter(responsible=alice, closed_at__isnull=True).count() == 1
    assert Interaction.objects.filter(responsible=alice, status="planned").count() == 1


def test_the_preview_costs_the_same_queries_for_more_rows(people, book, pipeline, line_a, line_b):
    head, alice, bob = people["head"], people["alice"], people["bob"]
    page = clients_for(head)[0]
    query = "source={}&target={}&scope=all&deals=on&interactions=on&preview=1"
    url = "/sales/handover/?" + query.format(alice.pk, bob.pk)

    def grow():
        for n, line in enumerate([line_a, line_b] * 3):
            organization = OrganizationFactory(
                business_lines=[line], short_name=f"Ещё {n}", responsible=alice
            )
            new_deal(pipeline, organization, line, f"Сделка {n}", responsible=alice)
            plan_contact(alice, organization, line)

    assert_constant_queries(page, url, grow)
