"""Opening and editing deals on pages and through the API: the organisation is one the
user sees, persons work there, custom attributes of deals are checked and stored, and an
edit made on a stale version is refused without losing what was typed."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from playwright.sync_api import expect

from sputnik.core.testing import clients_for
from sputnik.directory.services import employment_create, employment_update
from sputnik.directory.tests.factories import (
    OrganizationFactory,
    PersonFactory,
    define_attribute,
)
from sputnik.sales import services
from sputnik.sales.models import Deal
from sputnik.sales.tests.helpers import HTMX, field_block, new_deal, stage

pytestmark = pytest.mark.django_db


@pytest.fixture
def boss(line_a, client_org):
    person = PersonFactory(business_lines=[line_a], last_name="Директоров")
    employment_create(actor=None, person=person, organization=client_org, position="Директор")
    return person


@pytest.fixture
def stranger(line_a):
    """A person who works elsewhere."""
    person = PersonFactory(business_lines=[line_a], last_name="Посторонний")
    elsewhere = OrganizationFactory(business_lines=[line_a], short_name="Бета")
    employment_create(actor=None, person=person, organization=elsewhere)
    return person


@pytest.fixture
def deal_attributes():
    return (
        define_attribute("contract_no", "string", "Номер договора", target="deal", required=True),
        define_attribute("licences", "integer", "Лицензий", target="deal"),
    )


def deal_data(pipeline, organization, line, **values):
    return {
        "name": "Лицензии",
        "organization": organization.pk,
        "business_line": line.pk,
        "pipeline": pipeline.pk,
        "stage": stage(pipeline, "Первый звонок").pk,
        "currency": "rub",
        **values,
    }


def api_deal_body(pipeline, organization, line, **values):
    """The least the API needs to open a deal (it starts in the pipeline's first stage)."""
    return {
        "name": "Через API",
        "organization": organization.pk,
        "business_line": line.pk,
        "pipeline": pipeline.pk,
        **values,
    }


def test_a_deal_is_opened_from_the_list_for_a_prefilled_organisation_with_its_attributes(
    seller, pipeline, line_a, client_org, boss, stranger, deal_attributes
):
    page = clients_for(seller)[0]
    assert "/deals/new/" in page.get("/deals/").content.decode()
    form = page.get(f"/deals/new/?organization={client_org.pk}").content.decode()
    assert f'name="organization" value="{client_org.pk}"' in form
    assert 'value="Альфа"' in form  # the organisation's name in the type-to-find box
    assert "Директоров" in field_block(form, "persons") and "Посторонний" not in form
    assert 'name="attr_contract_no"' in form and 'name="attr_licences"' in form

    data = deal_data(pipeline, client_org, line_a, persons=[boss.pk], amount="1 200 000,50")
    missing = page.post("/deals/new/", {**data, "attr_licences": "много"})
    assert missing.status_code == 200 and not Deal.objects.exists()
    html = missing.content.decode()
    assert "invalid-feedback" in field_block(html, "attr_contract_no")
    assert "invalid-feedback" in field_block(html, "attr_licences")
    assert "много" in html  # what was typed stays

    created = page.post("/deals/new/", {**data, "attr_contract_no": "Д-17", "attr_licences": "25"})
    deal = Deal.objects.get()
    assert created.status_code == 302 and created["Location"] == f"/deals/{deal.pk}/"
    assert deal.attributes == {"contract_no": "Д-17", "licences": 25}
    assert list(deal.persons.all()) == [boss]
    assert (deal.stage.name, deal.amount, deal.currency) == ("Первый звонок", 1200000.5, "RUB")
    assert deal.created_by == seller and deal.stage_changes.count() == 1
    card = page.get(f"/deals/{deal.pk}/").content.decode()
    assert "Д-17" in card and "Номер договора" in card and f"/deals/{deal.pk}/edit/" in card


def test_only_open_stages_of_the_chosen_pipeline_are_offered_and_refreshed_in_place(
    seller, pipeline, client_org, boss
):
    page = clients_for(seller)[0]
    form = field_block(page.get("/deals/new/").content.decode(), "stage")
    assert "Первый звонок" in form and "Оплачено" not in form and "Отказ" not in form
    refreshed = page.get(
        "/deals/new/",
        {"refresh": "1", "organization": client_org.pk, "pipeline": pipeline.pk},
        **HTMX,
    ).content.decode()
    assert 'id="deal-persons" hx-swap-oob="true"' in refreshed and "Директоров" in refreshed
    assert 'id="deal-stage" hx-swap-oob="true"' in refreshed and "<html" not in refreshed
    won = stage(pipeline, "Оплачено")
    data = deal_data(pipeline, client_org, seller.line_memberships.get().line, stage=won.pk)
    refused = page.post("/deals/new/", data)
    assert "invalid-feedback" in field_block(refused.content.decode(), "stage")
    assert not Deal.objects.exists()


def test_persons_must_work_at_the_deals_organisation(
    seller, pipeline, line_a, client_org, boss, stranger
):
    page = clients_for(seller)[0]
    refused = page.post(
        "/deals/new/", deal_data(pipeline, client_org, line_a, persons=[stranger.pk])
    )
    assert refused.status_code == 200 and not Deal.objects.exists()
    assert "invalid-feedback" in field_block(refused.content.decode(), "persons")

    with pytest.raises(ValidationError) as error:
        new_deal(pipeline, client_org, line_a, "Сделка", actor=seller, persons=[stranger])
    assert "persons" in error.value.message_dict
    assert "Посторонний" in str(error.value)
    deal = new_deal(pipeline, client_org, line_a, "Сделка", actor=seller, persons=[boss])
    with pytest.raises(ValidationError):
        services.deal_update(
            actor=seller, deal=deal, expected_version=deal.version, persons=[boss, stranger]
        )
    # A person who left since stays on the deal when other details change …
    job = boss.employments.get()
    employment_update(
        actor=None,
        employment=job,
        expected_version=job.version,
        ended_on=datetime.date(2020, 1, 1),
    )
    deal = services.deal_update(
        actor=seller, deal=deal, expected_version=deal.version, persons=[boss], amount=10
    )
    assert list(deal.persons.all()) == [boss]
    # … but not when the deal goes to another organisation.
    other = OrganizationFactory(business_lines=[line_a], short_name="Гамма")
    with pytest.raises(ValidationError) as error:
        services.deal_update(
            actor=seller, deal=deal, expected_version=deal.version, organization=other
        )
    assert "persons" in error.value.message_dict

    api = clients_for(seller)[1]
    body = api_deal_body(pipeline, client_org, line_a, persons=[stranger.pk])
    response = api.post("/api/v1/deals/", body, format="json")
    assert response.status_code == 400 and "persons" in response.json()["errors"]


def test_a_stale_edit_is_refused_and_keeps_what_was_typed(
    seller, make_user, pipeline, line_a, client_org, boss, deal_attributes
):
    deal = new_deal(
        pipeline, client_org, line_a, "Лицензии", actor=seller, attributes={"contract_no": "Д-1"}
    )
    page = clients_for(seller)[0]
    form = page.get(f"/deals/{deal.pk}/edit/").content.decode()
    assert 'name="version"' in form and 'value="Д-1"' in form
    assert 'name="stage"' not in form  # moves go through the card
    colleague = make_user(lines={line_a: "write"}, last_name="Коллегова")
    services.deal_update(actor=colleague, deal=deal, expected_version=deal.version, amount=5)

    stale = page.post(
        f"/deals/{deal.pk}/edit/",
        {
            "name": "Лицензии и внедрение",
            "organization": client_org.pk,
            "business_line": line_a.pk,
            "currency": "RUB",
            "persons": [boss.pk],
            "attr_contract_no": "Д-2",
            "version": deal.version,
        },
    )
    assert stale.status_code == 409
    html = stale.content.decode()
    assert "Коллегова" in html and 'data-testid="form-errors"' in html
    assert 'value="Лицензии и внедрение"' in html and 'value="Д-2"' in html
    deal.refresh_from_db()
    assert deal.name == "Лицензии" and deal.attributes == {"contract_no": "Д-1"}

    saved = page.post(
        f"/deals/{deal.pk}/edit/",
        {
            "name": "Лицензии и внедрение",
            "organization": client_org.pk,
            "business_line": line_a.pk,
            "currency": "RUB",
            "amount": "5",
            "persons": [boss.pk],
            "attr_contract_no": "Д-2",
            "version": deal.version,
        },
    )
    assert saved.status_code == 302
    deal.refresh_from_db()
    assert deal.name == "Лицензии и внедрение" and deal.attributes == {"contract_no": "Д-2"}
    assert list(deal.persons.all()) == [boss] and deal.stage.name == "Первый звонок"


def test_another_lines_organisation_is_neither_offered_nor_accepted(
    seller, pipeline, line_a, line_b
):
    foreign = OrganizationFactory(business_lines=[line_b], short_name="Чужая")
    page = clients_for(seller)[0]
    found = page.get(
        "/lookup/organizations/", {"name": "organization", "organization_text": "Чужая"}
    )
    assert "Чужая" not in found.content.decode()
    prefilled = page.get(f"/deals/new/?organization={foreign.pk}").content.decode()
    assert "Чужая" not in prefilled
    refused = page.post("/deals/new/", deal_data(pipeline, foreign, line_a))
    assert refused.status_code == 200 and not Deal.objects.exists()
    assert "invalid-feedback" in field_block(refused.content.decode(), "organization")
    refused = page.post(
        "/deals/new/", deal_data(pipeline, OrganizationFactory(business_lines=[line_a]), line_b)
    )
    assert "invalid-feedback" in field_block(refused.content.decode(), "business_line")
    assert not Deal.objects.exists()


def test_a_reader_can_neither_open_nor_edit_deals(make_user, pipeline, line_a, client_org):
    deal = new_deal(pipeline, client_org, line_a, "Лицензии")
    reader = make_user(role="director", all_lines_role="read")
    page = clients_for(reader)[0]
    assert "/deals/new/" not in page.get("/deals/").content.decode()
    assert page.get("/deals/new/").status_code == 403
    assert page.get(f"/deals/{deal.pk}/edit/").status_code == 403
    assert f"/deals/{deal.pk}/edit/" not in page.get(f"/deals/{deal.pk}/").content.decode()


def test_the_api_opens_deals_with_custom_attributes_checked(
    seller, pipeline, line_a, client_org, deal_attributes
):
    api = clients_for(seller)[1]
    body = api_deal_body(pipeline, client_org, line_a)
    missing = api.post("/api/v1/deals/", body, format="json")
    assert missing.status_code == 400
    assert "Номер договора" in str(missing.json()["errors"]["attributes"])
    wrong = api.post(
        "/api/v1/deals/",
        {**body, "attributes": {"contract_no": "Д-5", "licences": "много"}},
        format="json",
    )
    assert wrong.status_code == 400 and "licences" in wrong.json()["errors"]["attributes"]
    created = api.post(
        "/api/v1/deals/",
        {**body, "attributes": {"contract_no": "Д-5", "licences": 3}},
        format="json",
    )
    assert created.status_code == 201, created.json()
    assert created.json()["attributes"] == {"contract_no": "Д-5", "licences": 3}
    url = f"/api/v1/deals/{created.json()['id']}/"
    changed = api.patch(
        url,
        {"attributes": {"licences": None}, "version": created.json()["version"]},
        format="json",
    )
    assert changed.status_code == 200 and changed.json()["attributes"] == {"contract_no": "Д-5"}
    assert Deal.objects.get().attributes == {"contract_no": "Д-5"}


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_deal_is_opened_in_the_browser_choosing_the_organisation_by_typing(
    signed_in, live_server, seller, pipeline, line_a, client_org, boss, deal_attributes, tmp_path
):
    page = signed_in(seller)
    page.goto(f"{live_server.url}/deals/")
    page.get_by_test_id("new-deal").click()
    page.locator("#id_name").fill("Внедрение")
    page.locator("#id_organization").press_sequentially("альф")
    page.locator("[data-lookup-results] [data-lookup-pk]").first.click()
    persons = page.locator("#deal-persons")
    expect(persons).to_contain_text("Директоров")  # the organisation's employees, in place
    persons.get_by_label("Директоров", exact=False).check()
    page.locator("#id_amount").fill("250 000")
    page.locator("#id_attr_contract_no").fill("Д-42")
    page.screenshot(path=tmp_path / "deal_form.png", full_page=True)
    page.locator("#id_name").press("Control+Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Внедрение")
    page.screenshot(path=tmp_path / "deal_card.png", full_page=True)
    deal = Deal.objects.get()
    assert list(deal.persons.all()) == [boss] and deal.attributes == {"contract_no": "Д-42"}
    assert deal.organization == client_org and deal.amount == 250000


def test_persons_the_editor_may_not_see_are_neither_shown_nor_dropped(
    seller, pipeline, line_a, line_b, client_org, boss
):
    client_org.business_lines.add(line_b)
    hidden = PersonFactory(business_lines=[line_b], last_name="Невидимов")
    employment_create(actor=None, person=hidden, organization=client_org)
    deal = new_deal(pipeline, client_org, line_a, "Лицензии", persons=[boss, hidden])
    hidden.business_lines.remove(line_a)  # e.g. the card was kept to line B since
    page = clients_for(seller)[0]
    form = page.get(f"/deals/{deal.pk}/edit/").content.decode()
    assert "Директоров" in form and "Невидимов" not in form

    saved = page.post(
        f"/deals/{deal.pk}/edit/",
        {
            "name": "Лицензии 2027",
            "organization": client_org.pk,
            "business_line": line_a.pk,
            "currency": "RUB",
            "persons": [boss.pk],
            "version": deal.version,
        },
    )
    assert saved.status_code == 302
    deal.refresh_from_db()
    assert deal.name == "Лицензии 2027"
    assert set(deal.persons.all()) == {boss, hidden}


def test_api_shows_only_the_persons_the_caller_may_see_and_keeps_the_others(
    seller, pipeline, line_a, line_b, client_org, boss
):
    """Deals and contacts, in the lists and one by one; replacing the persons keeps those
    the caller could not send back."""
    client_org.business_lines.add(line_b)
    hidden = PersonFactory(business_lines=[line_b], last_name="Невидимов")
    employment_create(actor=None, person=hidden, organization=client_org)
    deal = new_deal(pipeline, client_org, line_a, "Лицензии", persons=[boss, hidden])
    contact = services.interaction_plan(
        actor=seller,
        kind="call",
        organization=client_org,
        business_line=line_a,
        due_at=datetime.datetime(2030, 1, 1, 10, tzinfo=datetime.UTC),
        persons=[boss, hidden],
    )
    hidden.business_lines.remove(line_a)  # e.g. the card was kept to line B since
    api = clients_for(seller)[1]
    for path, record in (("deals", deal), ("interactions", contact)):
        assert [row["persons"] for row in api.get(f"/api/v1/{path}/").json()["results"]] == [
            [boss.pk]
        ]
        one = api.get(f"/api/v1/{path}/{record.pk}/").json()
        assert one["persons"] == [boss.pk]
        changed = api.patch(
            f"/api/v1/{path}/{record.pk}/", {"persons": [boss.pk], "version": one["version"]}
        )
        assert changed.status_code == 200 and changed.json()["persons"] == [boss.pk]
        assert set(record.persons.all()) == {boss, hidden}  # the unseen one stays
