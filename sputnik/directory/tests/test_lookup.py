"""Organisations and persons are chosen on forms by typing, never from a full list."""

import pytest
from playwright.sync_api import expect

from sputnik.core.testing import clients_for
from sputnik.directory.models import Organization
from sputnik.directory.tests.factories import OrganizationFactory, PersonFactory


@pytest.fixture
def seller(make_user, line_a):
    return make_user(lines={line_a: "write"})


@pytest.mark.django_db
def test_forms_do_not_list_every_organisation(seller, line_a):
    for n in range(5):
        OrganizationFactory(business_lines=[line_a], short_name=f"Холдинг {n}")
    page = clients_for(seller)[0]
    form = page.get("/organizations/new/").content.decode()
    assert "Холдинг" not in form and 'name="parent_text"' in form
    card = page.get(f"/organizations/{Organization.objects.first().pk}/").content.decode()
    assert 'name="person_text"' in card


@pytest.mark.django_db
def test_lookup_finds_only_visible_records(seller, line_a, line_b):
    OrganizationFactory(business_lines=[line_a], short_name="Ромашка")
    OrganizationFactory(business_lines=[line_b], short_name="Ромашка-2")
    PersonFactory(business_lines=[line_a], last_name="Ромашкин")
    page = clients_for(seller)[0]
    found = page.get("/lookup/organizations/?name=parent&parent_text=ромаш").content.decode()
    assert "Ромашка" in found and "Ромашка-2" not in found
    people = page.get("/lookup/persons/?name=person&person_text=ромашкин").content.decode()
    assert "Ромашкин" in people and 'data-lookup-pk="' in people
    assert page.get("/lookup/deals/?name=x&x_text=ab").status_code == 404
    assert (
        "data-lookup-pk" not in page.get("/lookup/organizations/?name=p&p_text=р").content.decode()
    )


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_parent_organisation_is_chosen_by_typing(signed_in, live_server, seller, line_a):
    head = OrganizationFactory(business_lines=[line_a], short_name="Газпром")
    OrganizationFactory(business_lines=[line_a], short_name="Газпромбанк")
    page = signed_in(seller)
    page.goto(f"{live_server.url}/organizations/new/")
    page.fill("#id_short_name", "Газпром трансгаз")
    page.get_by_label(line_a.name).check()
    page.locator("#id_parent").press_sequentially("газпр")
    results = page.locator("[data-lookup-results] [data-lookup-pk]")
    expect(results).to_have_count(2)
    page.locator("#id_parent").press("ArrowDown")
    page.keyboard.press("Enter")
    expect(page.locator("#id_parent")).to_have_value("Газпром")
    expect(results).to_have_count(0)
    page.locator("#id_parent").press("Control+Enter")
    page.get_by_label("Нет, это другая организация: сохранить").check()
    page.get_by_role("button", name="Сохранить").click()
    expect(page.get_by_role("heading", name="Газпром трансгаз")).to_be_visible()
    assert Organization.objects.get(short_name="Газпром трансгаз").parent == head
