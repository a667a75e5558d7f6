"""Pipelines, stages and deals (SAL-2): a deal starts in its pipeline's first stage, moves
only through recorded moves, cannot enter a stage without what the stage requires, and
is seen only in its business line."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from sputnik.core.testing import clients_for
from sputnik.directory.services import employment_create
from sputnik.directory.tests.factories import OrganizationFactory, PersonFactory
from sputnik.sales import services
from sputnik.sales.models import (
    Deal,
    InteractionResult,
    LossReason,
    Pipeline,
    Stage,
    StageChange,
    TransitionRule,
)
from sputnik.sales.tests.helpers import moves_of, new_deal, stage

pytestmark = pytest.mark.django_db


def test_a_deal_starts_in_the_first_stage_and_every_move_is_recorded(
    pipeline, seller, line_a, client_org
):
    deal = new_deal(pipeline, client_org, line_a, "Лицензии", actor=seller)
    assert deal.stage.name == "Первый звонок" and deal.is_open
    with pytest.raises(ValidationError) as refused:
        services.deal_move(actor=seller, deal=deal, stage=stage(pipeline, "Предложение"))
    assert "нужно заполнить: сумма" in str(refused.value)  # the stage requires an amount
    deal = services.deal_update(
        actor=seller, deal=deal, expected_version=deal.version, amount=150000
    )
    deal = services.deal_move(
        actor=seller, deal=deal, stage=stage(pipeline, "Предложение"), reason="Запросили КП"
    )
    deal = services.deal_move(actor=seller, deal=deal, stage=stage(pipeline, "Оплачено"))
    assert not deal.is_open
    assert moves_of(deal) == [
        (None, "Первый звонок", seller),
        ("Первый звонок", "Предложение", seller),
        ("Предложение", "Оплачено", seller),
    ]
    assert StageChange.objects.get(to_stage__name="Предложение").reason == "Запросили КП"


def test_a_lost_deal_needs_its_reason_and_reopening_clears_it(pipeline, seller, line_a, client_org):
    deal = new_deal(pipeline, client_org, line_a, "Сервер", actor=seller)
    with pytest.raises(ValidationError):
        services.deal_move(actor=seller, deal=deal, stage=stage(pipeline, "Отказ"))
    price = LossReason.objects.create(name="Дорого")
    deal = services.deal_move(
        actor=seller, deal=deal, stage=stage(pipeline, "Отказ"), loss_reason=price
    )
    assert deal.loss_reason == price and deal.closed_at
    deal = services.deal_move(actor=seller, deal=deal, stage=stage(pipeline, "Встреча"))
    assert deal.loss_reason is None and deal.closed_at is None


def test_a_stage_of_another_pipeline_is_refused(pipeline, seller, line_a, client_org):
    other = Pipeline.objects.create(name="Сервис")
    foreign = Stage.objects.create(pipeline=other, name="Заявка")
    deal = new_deal(pipeline, client_org, line_a, "Сделка", actor=seller)
    with pytest.raises(ValidationError):
        services.deal_move(actor=seller, deal=deal, stage=foreign)


def test_the_api_creates_moves_and_lists_deals_of_the_callers_lines(
    pipeline, seller, make_user, line_a, line_b, client_org
):
    api = clients_for(seller)[1]
    boss = PersonFactory(business_lines=[line_a], last_name="Директоров")
    employment_create(actor=None, person=boss, organization=client_org)  # persons work there
    created = api.post(
        "/api/v1/deals/",
        {
            "name": "Лицензии",
            "organization": client_org.pk,
            "business_line": line_a.pk,
            "pipeline": pipeline.pk,
            "persons": [boss.pk],
            "amount": "1200.50",
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    deal = created.json()
    assert deal["stage"] == stage(pipeline, "Первый звонок").pk and deal["persons"] == [boss.pk]
    url = f"/api/v1/deals/{deal['id']}/"
    moved = api.post(
        url + "move/",
        {"stage": stage(pipeline, "Встреча").pk, "version": deal["version"]},
        format="json",
    )
    assert moved.status_code == 200 and moved.json()["stage"] == stage(pipeline, "Встреча").pk
    stale = api.post(
        url + "move/",
        {"stage": stage(pipeline, "Предложение").pk, "version": deal["version"]},
        format="json",
    )
    assert stale.status_code == 409  # someone (here: we) moved it meanwhile
    assert [c["to_stage"] for c in api.get(url + "history/").json()] == [
        stage(pipeline, "Первый звонок").pk,
        stage(pipeline, "Встреча").pk,
    ]
    assert (
        api.patch(
            url,
            {"stage": stage(pipeline, "Оплачено").pk, "version": moved.json()["version"]},
            format="json",
        ).json()["stage"]
        == stage(pipeline, "Встреча").pk
    )
    # Another line's deal is not there for the salesperson.
    stranger = OrganizationFactory(business_lines=[line_b], short_name="Чужая")
    new_deal(pipeline, stranger, line_b, "Чужая сделка")
    names = [d["name"] for d in api.get("/api/v1/deals/").json()["results"]]
    assert names == ["Лицензии"]
    hidden = Deal.objects.get(name="Чужая сделка")
    assert api.get(f"/api/v1/deals/{hidden.pk}/").status_code == 404
    refused = api.post(
        "/api/v1/deals/",
        {
            "name": "Туда",
            "organization": stranger.pk,
            "business_line": line_b.pk,
            "pipeline": pipeline.pk,
        },
        format="json",
    )
    assert refused.status_code == 400


def test_lists_of_deals_and_contacts_show_each_ones_persons_as_its_own_answer_does(
    pipeline, seller, line_a, client_org
):
    """The lists read the persons from plain lists prefetched per page."""
    api = clients_for(seller)[1]
    people = [PersonFactory(business_lines=[line_a], last_name=n) for n in ("Бухов", "Замов")]
    for person in people:
        employment_create(actor=None, person=person, organization=client_org)
    common = {"organization": client_org.pk, "business_line": line_a.pk}
    for persons in ([p.pk for p in people], [people[1].pk], []):
        deal = api.post(
            "/api/v1/deals/",
            {
                **common,
                "name": f"Сделка {len(persons)}",
                "pipeline": pipeline.pk,
                "persons": persons,
            },
            format="json",
        )
        contact = api.post(
            "/api/v1/interactions/",
            {**common, "kind": "call", "status": "done", "persons": persons},
            format="json",
        )
        assert (deal.status_code, contact.status_code) == (201, 201), (deal.json(), contact.json())
    for kind in ("deals", "interactions"):
        listed = api.get(f"/api/v1/{kind}/").json()["results"]
        assert sorted(len(record["persons"]) for record in listed) == [0, 1, 2]
        for record in listed:
            assert record == api.get(f"/api/v1/{kind}/{record['id']}/").json()


def test_pipelines_are_read_by_sales_and_set_up_by_administrators(pipeline, seller, admin_user):
    api = clients_for(seller)[1]
    listed = api.get("/api/v1/pipelines/").json()["results"]
    assert [s["name"] for s in listed[0]["stages"]][:2] == ["Первый звонок", "Встреча"]
    assert api.post("/api/v1/pipelines/", {"name": "Мой"}, format="json").status_code == 403
    admin = clients_for(admin_user)[1]
    created = admin.post(
        "/api/v1/stages/",
        {"pipeline": pipeline.pk, "name": "Договор", "order": 3, "required_fields": ["nonsense"]},
        format="json",
    )
    assert created.status_code == 400 and "nonsense" in str(created.json())


def test_a_call_with_meeting_agreed_moves_the_deal_and_proposes_the_meeting(
    pipeline, seller, line_a, client_org, meeting_agreed
):
    deal = new_deal(pipeline, client_org, line_a, "Лицензии", actor=seller)
    friday = datetime.datetime(2026, 11, 27, 11, 0, tzinfo=datetime.UTC)
    call, proposal = services.interaction_log(
        actor=seller,
        kind="call",
        organization=client_org,
        deal=deal,
        business_line=line_a,
        result=meeting_agreed,
        happened_at=friday,
        subject="Знакомство",
    )
    deal.refresh_from_db()
    assert deal.stage.name == "Встреча"
    assert moves_of(deal)[-1] == ("Первый звонок", "Встреча", seller)
    assert "Договорились о встрече" in StageChange.objects.filter(deal=deal).last().reason
    assert proposal.kind == "meeting" and proposal.deal == deal
    assert proposal.due_at == datetime.datetime(2026, 12, 1, 11, 0, tzinfo=datetime.UTC)
    meeting = services.interaction_plan(  # one click accepts the proposal
        actor=seller,
        kind=proposal.kind,
        due_at=proposal.due_at,
        organization=proposal.organization,
        deal=proposal.deal,
        business_line=line_a,
    )
    assert meeting.status == "planned" and meeting.responsible == seller
    # The same result again, the deal already past "first call": nothing moves.
    services.interaction_log(
        actor=seller,
        kind="call",
        organization=client_org,
        deal=deal,
        business_line=line_a,
        result=meeting_agreed,
    )
    deal.refresh_from_db()
    assert deal.stage.name == "Встреча"


def test_interactions_through_the_api_plan_complete_and_cancel(
    pipeline, seller, line_a, line_b, client_org, meeting_agreed
):
    api = clients_for(seller)[1]
    deal = new_deal(pipeline, client_org, line_a, "Лицензии", actor=seller)
    planned = api.post(
        "/api/v1/interactions/",
        {
            "kind": "call",
            "organization": client_org.pk,
            "deal": deal.pk,
            "business_line": line_a.pk,
            "status": "planned",
            "due_at": "2020-01-01T10:00:00Z",
        },
        format="json",
    )
    assert planned.status_code == 201, planned.json()
    assert planned.json()["is_overdue"] is True
    overdue = api.get("/api/v1/interactions/", {"overdue": "true"}).json()["results"]
    assert [i["id"] for i in overdue] == [planned.json()["id"]]
    url = f"/api/v1/interactions/{planned.json()['id']}/"
    done = api.post(
        url + "complete/",
        {"version": planned.json()["version"], "result": meeting_agreed.pk, "notes": "Ок"},
        format="json",
    )
    assert done.status_code == 200, done.json()
    assert done.json()["status"] == "done" and done.json()["next_contact"]["kind"] == "meeting"
    assert Deal.objects.get(pk=deal.pk).stage.name == "Встреча"
    again = api.post(url + "cancel/", {"version": done.json()["version"]}, format="json")
    assert again.status_code == 400  # only planned contacts are cancelled
    no_due = api.post(
        "/api/v1/interactions/",
        {
            "kind": "meeting",
            "organization": client_org.pk,
            "business_line": line_a.pk,
            "status": "planned",
        },
        format="json",
    )
    assert no_due.status_code == 400 and "due_at" in no_due.json()["errors"]
    stranger = OrganizationFactory(business_lines=[line_b], short_name="Чужая")
    hidden = api.post(
        "/api/v1/interactions/",
        {"kind": "call", "organization": stranger.pk, "business_line": line_a.pk},
        format="json",
    )
    assert hidden.status_code == 400  # another line's organisation is not to be found


def test_results_move_only_deals_the_actor_may_change_and_never_lose_the_contact(
    pipeline, make_user, line_a, line_b, client_org, meeting_agreed
):
    reader_here = make_user(lines={line_a: "read", line_b: "write"})
    client_org.business_lines.add(line_b)  # both lines work with it
    deal = new_deal(pipeline, client_org, line_a, "Лицензии")
    services.interaction_log(
        actor=reader_here,
        kind="call",
        organization=client_org,
        deal=deal,
        business_line=line_b,
        result=meeting_agreed,
    )
    deal.refresh_from_db()
    assert deal.stage.name == "Первый звонок"  # read-only there: not moved
    lost = InteractionResult.objects.create(name="Отказались", kind="call")
    TransitionRule.objects.create(result=lost, to_stage=stage(pipeline, "Отказ"))
    call, _next = services.interaction_log(
        actor=make_user(lines={line_a: "write"}),
        kind="call",
        organization=client_org,
        deal=deal,
        business_line=line_a,
        result=lost,
    )
    deal.refresh_from_db()
    assert call.pk and deal.stage.name == "Первый звонок"  # lost needs a reason: stays


def test_stages_keep_their_pipeline_and_in_use_ones_are_not_deleted(
    pipeline, admin_user, line_a, client_org
):
    new_deal(pipeline, client_org, line_a, "Сделка")
    admin = clients_for(admin_user)[1]
    first = stage(pipeline, "Первый звонок")
    other = Pipeline.objects.create(name="Сервис")
    moved = admin.patch(f"/api/v1/stages/{first.pk}/", {"pipeline": other.pk}, format="json")
    assert moved.status_code == 400
    deleted = admin.delete(f"/api/v1/stages/{first.pk}/")
    assert deleted.status_code == 400 and Stage.objects.filter(pk=first.pk).exists()
    with pytest.raises(ValidationError):
        new_deal(pipeline, client_org, line_a, "Сразу в отказ", stage=stage(pipeline, "Отказ"))


def test_working_days_are_counted_in_local_time():
    saturday_night = datetime.datetime(2026, 11, 27, 22, 0, tzinfo=datetime.UTC)  # Sat 01:00 MSK
    monday = services.add_working_days(saturday_night, 1)
    assert (monday.weekday(), monday.hour) == (0, 1)


def test_a_contact_cannot_end_up_on_another_organisations_deal(
    pipeline, seller, line_a, client_org
):
    deal = new_deal(pipeline, client_org, line_a, "Лицензии", actor=seller)
    call, _next = services.interaction_log(
        actor=seller, kind="call", organization=client_org, deal=deal, business_line=line_a
    )
    other = OrganizationFactory(business_lines=[line_a], short_name="Бета")
    with pytest.raises(ValidationError) as refused:
        services.interaction_update(
            actor=seller, interaction=call, expected_version=call.version, organization=other
        )
    assert "другой организации" in str(refused.value)
    moved = services.interaction_update(
        actor=seller,
        interaction=call,
        expected_version=call.version,
        organization=other,
        deal=None,
    )
    assert (moved.organization, moved.deal) == (other, None)


def test_cancelling_deleting_and_removing_rules_through_the_api(
    pipeline, seller, make_user, admin_user, line_a, client_org, meeting_agreed
):
    from sputnik.access.models import RoleCode
    from sputnik.sales.models import Interaction

    deal = new_deal(pipeline, client_org, line_a, "Лицензии", actor=seller)
    planned = services.interaction_plan(
        actor=seller,
        kind="meeting",
        organization=client_org,
        business_line=line_a,
        due_at=datetime.datetime(2030, 1, 1, tzinfo=datetime.UTC),
    )
    api = clients_for(seller)[1]
    cancelled = api.post(
        f"/api/v1/interactions/{planned.pk}/cancel/", {"version": planned.version}, format="json"
    )
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    assert Interaction.objects.get(pk=planned.pk).status == "cancelled"
    assert api.delete(f"/api/v1/deals/{deal.pk}/").status_code == 403  # salespeople keep deals
    head = clients_for(make_user(RoleCode.HEAD_OF_SALES, lines={line_a: "write"}))[1]
    assert head.delete(f"/api/v1/deals/{deal.pk}/").status_code == 204
    assert not Deal.objects.filter(pk=deal.pk).exists()
    rule = TransitionRule.objects.get(result=meeting_agreed)
    assert api.delete(f"/api/v1/transition-rules/{rule.pk}/").status_code == 403
    admin = clients_for(admin_user)[1]
    assert admin.delete(f"/api/v1/transition-rules/{rule.pk}/").status_code == 204
    assert not TransitionRule.objects.exists()


def test_deals_and_contacts_stay_in_their_organisations_business_lines(
    pipeline, seller, line_a, line_b, client_org
):
    with pytest.raises(ValidationError) as refused:
        new_deal(pipeline, client_org, line_b, "Чужая линия", actor=seller)
    assert "business_line" in refused.value.error_dict
    common = dict(actor=seller, kind="call", organization=client_org, business_line=line_b)
    with pytest.raises(ValidationError) as refused:
        services.interaction_log(**common)
    assert "business_line" in refused.value.error_dict
    with pytest.raises(ValidationError):
        services.interaction_plan(**common, due_at=datetime.datetime.now(datetime.UTC))

    deal = new_deal(pipeline, client_org, line_a, "Своя линия", actor=seller)
    with pytest.raises(ValidationError):
        services.deal_update(
            actor=seller, deal=deal, expected_version=deal.version, business_line=line_b
        )
    contact, _ = services.interaction_log(**{**common, "business_line": line_a})
    with pytest.raises(ValidationError):
        services.interaction_update(
            actor=seller,
            interaction=contact,
            expected_version=contact.version,
            business_line=line_b,
        )
    assert Deal.objects.get(pk=deal.pk).business_line == line_a


def test_overdue_contacts_are_counted_per_employee_within_the_callers_lines(
    make_user, line_a, line_b, client_org
):
    first, second = make_user(lines={line_a: "write"}), make_user(lines={line_a: "write"})
    elsewhere = make_user(lines={line_b: "write"})
    other_org = OrganizationFactory(business_lines=[line_b])
    past = datetime.datetime.now(datetime.UTC) - datetime.timedelta(hours=1)
    future = past + datetime.timedelta(days=2)

    def plan(actor, org, line, due):
        services.interaction_plan(
            actor=actor, kind="call", organization=org, business_line=line, due_at=due
        )

    for due in (past, past, future):
        plan(first, client_org, line_a, due)
    plan(second, client_org, line_a, past)
    plan(elsewhere, other_org, line_b, past)

    head = make_user("head_of_sales", lines={line_a: "manage"})
    counts = clients_for(head)[1].get("/api/v1/interactions/overdue-by-employee/").json()
    assert [(row["responsible"], row["overdue"]) for row in counts] == [
        (first.pk, 2),
        (second.pk, 1),
    ]
    assert counts[0]["name"] == first.full_name
    assert clients_for(None)[1].get("/api/v1/interactions/overdue-by-employee/").status_code == 401


def test_the_responsible_works_in_the_records_business_line(
    pipeline, seller, make_user, line_a, line_b, client_org
):
    outsider = make_user(lines={line_b: "write"})
    with pytest.raises(ValidationError) as refused:
        new_deal(pipeline, client_org, line_a, "Чужой ответственный", responsible=outsider)
    assert "responsible" in refused.value.error_dict
    deal = new_deal(pipeline, client_org, line_a, "Свой", responsible=seller)
    with pytest.raises(ValidationError):
        services.deal_update(
            actor=seller, deal=deal, expected_version=deal.version, responsible=outsider
        )
    common = dict(actor=seller, kind="call", organization=client_org, business_line=line_a)
    with pytest.raises(ValidationError):
        services.interaction_log(**common, responsible=outsider)
    contact, _ = services.interaction_log(**common)
    with pytest.raises(ValidationError):
        services.interaction_update(
            actor=seller,
            interaction=contact,
            expected_version=contact.version,
            responsible=outsider,
        )
    api = clients_for(seller)[1]
    answer = api.post(
        "/api/v1/interactions/",
        {
            "kind": "call",
            "organization": client_org.pk,
            "business_line": line_a.pk,
            "responsible": outsider.pk,
        },
        format="json",
    )
    assert answer.status_code == 400 and "responsible" in answer.json()["errors"]
    assert Deal.objects.get(pk=deal.pk).responsible == seller
