"""The main directory flow in a real browser."""

import pytest
from playwright.sync_api import expect

from sputnik.directory.models import Organization, Person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_salesperson_registers_an_organisation_and_its_contact_person(
    signed_in, live_server, make_user, line_a
):
    page = signed_in(make_user(lines={line_a: "write"}))
    page.goto(f"{live_server.url}/organizations/new/")
    page.fill("#id_short_name", "Ромашка")
    page.fill("#id_inn", "7707083894")
    page.get_by_label(line_a.name).check()
    page.get_by_role("button", name="Сохранить").click()
    expect(page.locator("#id_inn.is-invalid")).to_be_visible()
    expect(page.locator("main")).to_contain_text("контрольная цифра")
    expect(page.locator("#id_short_name")).to_have_value("Ромашка")

    page.fill("#id_inn", "7707083893")
    page.get_by_role("button", name="Сохранить").click()
    expect(page.get_by_role("heading", name="Ромашка")).to_be_visible()
    expect(page.get_by_test_id("inn")).to_have_text("7707083893")

    page.get_by_text("Добавить контактное лицо").click()
    people = page.locator("#people")
    people.locator("#id_last_name").fill("Петрова")
    people.locator("#id_first_name").fill("Анна")
    people.locator("#id_patronymic").fill("Сергеевна")
    people.locator("#id_position").fill("Главный бухгалтер")
    people.locator("#id_work_phone").fill("8 (495) 111-22-33")
    page.evaluate("window.marker = 'same page'")
    people.get_by_role("button", name="Добавить").click()
    expect(page.get_by_test_id("current-people")).to_contain_text("Петрова Анна Сергеевна")
    expect(page.get_by_test_id("current-people")).to_contain_text("+7 495 111-22-33")
    assert page.evaluate("window.marker") == "same page"  # added in place, no reload

    organization = Organization.objects.get()
    person = Person.objects.get()
    assert person.employments.get().organization == organization
    assert person.gender == "f"
