"""The main directory flow in a real browser."""

import re

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


def test_administrator_adds_an_attribute_and_salesperson_fills_filters_and_sorts_it(
    signed_in, live_server, admin_user, make_user, line_a
):
    from sputnik.directory.tests.factories import OrganizationFactory

    admin = signed_in(admin_user)
    admin.goto(f"{live_server.url}/attributes/")
    admin.get_by_role("link", name="Новое поле").click()
    admin.select_option("#id_target", "organization")
    admin.select_option("#id_type", "integer")
    admin.fill("#id_code", "staff")
    admin.fill("#id_label_ru", "Численность")
    admin.fill("#id_label_en", "Headcount")
    admin.check("#id_show_in_list")
    admin.get_by_role("button", name="Сохранить").click()
    expect(admin.get_by_test_id("attribute-table")).to_contain_text("Численность")

    for name, staff in (("Большая", 1500), ("Малая", 12)):
        OrganizationFactory(business_lines=[line_a], short_name=name, attributes={"staff": staff})
    page = signed_in(make_user(lines={line_a: "write"}))
    page.goto(f"{live_server.url}/organizations/new/")
    page.fill("#id_short_name", "Средняя")
    page.get_by_label(line_a.name).check()
    page.fill("#id_attr_staff", "сто")
    page.get_by_role("button", name="Сохранить").click()
    expect(page.locator("#id_attr_staff.is-invalid")).to_be_visible()
    page.fill("#id_attr_staff", "150")
    page.get_by_role("button", name="Сохранить").click()
    expect(page.get_by_test_id("custom-values")).to_contain_text("150")

    page.goto(f"{live_server.url}/organizations/")
    table = page.get_by_test_id("organization-table")
    page.get_by_test_id("column-staff").get_by_role("link").click()
    expect(table.locator("tbody tr").first).to_contain_text("Малая")
    page.fill("#id_attr_staff_min", "100")
    expect(table.locator("tbody tr")).to_have_count(2)
    expect(table).not_to_contain_text("Малая")
    expect(table.locator("tbody tr").first).to_contain_text("Средняя")


def test_head_merges_two_duplicate_organisations(signed_in, live_server, make_user, line_a):
    from sputnik.access.models import RoleCode
    from sputnik.directory import services
    from sputnik.directory.tests.factories import OrganizationFactory, PersonFactory

    kept = OrganizationFactory(business_lines=[line_a], short_name="Ромашка")
    other = OrganizationFactory(business_lines=[line_a], short_name="Ромашка ООО", notes="Дубль")
    for org, surname in ((kept, "Иванов"), (other, "Петров")):
        person = PersonFactory(business_lines=[line_a], last_name=surname)
        services.employment_create(actor=None, person=person, organization=org)
    page = signed_in(make_user(RoleCode.HEAD_OF_SALES, lines={line_a: "manage"}))
    page.goto(f"{live_server.url}{kept.get_absolute_url()}")
    page.get_by_test_id("merge-link").click()
    page.get_by_test_id("merge-candidates").get_by_role("link", name="Ромашка ООО").click()
    form = page.get_by_test_id("merge-form")
    form.get_by_label("Дубль").check()
    questions = []
    page.once("dialog", lambda dialog: (questions.append(dialog.message), dialog.accept()))
    form.get_by_role("button", name="Объединить").click()
    expect(page.get_by_role("heading", name="Ромашка", exact=True)).to_be_visible()
    people = page.get_by_test_id("current-people")
    expect(people).to_contain_text("Иванов")
    expect(people).to_contain_text("Петров")
    expect(page.get_by_test_id("history")).to_contain_text("Объединено")
    assert "Ромашка ООО" in questions[0]  # asked before an irreversible merge
    assert not Organization.objects.filter(pk=other.pk).exists()
    assert Organization.objects.get(pk=kept.pk).notes == "Дубль"


def test_salesperson_saves_a_filter_as_a_dynamic_list(signed_in, live_server, make_user, line_a):
    from sputnik.directory.models import Segment
    from sputnik.directory.tests.factories import OrganizationFactory

    for name, status in (("Ромашка", "client"), ("Василёк", "client"), ("Лютик", "prospect")):
        OrganizationFactory(business_lines=[line_a], short_name=name, status=status)
    page = signed_in(make_user(lines={line_a: "write"}))
    page.goto(f"{live_server.url}/organizations/")
    expect(page.get_by_test_id("row-count")).to_have_text("Найдено: 3")
    page.select_option("#id_status", "client")  # the list's criteria, counted as they change
    table = page.get_by_test_id("organization-table")
    expect(table.locator("tbody tr")).to_have_count(2)
    expect(page.get_by_test_id("row-count")).to_have_text("Найдено: 2")
    page.get_by_test_id("save-as-list").click()
    expect(page.locator("main")).to_contain_text("status=client")
    page.fill("#id_name", "Клиенты")
    page.check("#id_dynamic")
    page.get_by_role("button", name="Сохранить").click()
    expect(page.get_by_role("heading", name="Клиенты")).to_be_visible()
    expect(page.get_by_test_id("member-count")).to_have_text("2")
    segment = Segment.objects.get()
    assert segment.dynamic and segment.criteria == {"status": "client"}

    romashka = Organization.objects.get(short_name="Ромашка")
    page.goto(f"{live_server.url}{romashka.get_absolute_url()}")
    expect(page.get_by_test_id("segments")).to_contain_text("Клиенты")  # dynamic membership
    OrganizationFactory(business_lines=[line_a], short_name="Одуванчик", status="client")
    page.goto(f"{live_server.url}{segment.get_absolute_url()}")
    expect(page.get_by_test_id("member-count")).to_have_text("3")  # evaluated when used


def test_ticked_rows_go_to_a_static_list(signed_in, live_server, make_user, line_a):
    from sputnik.directory import services
    from sputnik.directory.tests.factories import OrganizationFactory

    seller = make_user(lines={line_a: "write"})
    for name in ("Ромашка", "Ромашка-Юг", "Василёк"):
        OrganizationFactory(business_lines=[line_a], short_name=name)
    segment = services.segment_create(
        actor=seller, name="Обзвон", kind="organizations", business_lines=[line_a]
    )
    page = signed_in(seller)
    page.goto(f"{live_server.url}/organizations/")
    page.fill("#id_q", "ромаш")
    table = page.get_by_test_id("organization-table")
    expect(table.locator("tbody tr")).to_have_count(2)
    table.get_by_label("Выбрать все на странице").check()
    bar = page.get_by_test_id("selection-bar")
    bar.get_by_role("combobox").select_option(label="Обзвон")
    bar.get_by_role("button", name="Добавить").click()
    expect(page.locator("main")).to_contain_text("Добавлено в «Обзвон»: 2")
    expect(page.locator("#id_q")).to_have_value("ромаш")  # back to the list as filtered
    assert sorted(o.short_name for o in segment.organizations.all()) == ["Ромашка", "Ромашка-Юг"]


def test_salesperson_pages_through_a_sorted_list_and_back(
    signed_in, live_server, make_user, line_a, monkeypatch
):
    from sputnik.directory.tests.factories import OrganizationFactory

    monkeypatch.setattr("sputnik.directory.views.OrganizationListView.paginate_by", 2)
    for name in ("Альфа", "Бета", "Бета", "Гамма", "Дельта"):
        OrganizationFactory(business_lines=[line_a], short_name=name)
    page = signed_in(make_user(lines={line_a: "write"}))
    page.goto(f"{live_server.url}/organizations/?o=-short_name")
    table = page.get_by_test_id("organization-table")
    names = table.locator("tbody td > a[href^='/organizations/']")
    expect(names).to_have_text(["Дельта", "Гамма"])
    seen = []
    for expected in (["Бета", "Бета"], ["Альфа"]):
        page.get_by_role("link", name="Вперёд").click()
        expect(names).to_have_text(expected)
        seen.append(page.url)
    # The address follows: the sort, the page and the row it starts from.
    assert all(re.search(r"o=-short_name&page=\d\.[\w-]+$", url) for url in seen), seen
    page.get_by_role("link", name="Назад").click()
    expect(names).to_have_text(["Бета", "Бета"])
    expect(page.locator("main")).to_contain_text("Страница 2 из 3")
    page.go_back()  # the browser's history holds each page
    expect(names).to_have_text(["Альфа"])


def test_a_part_of_the_page_that_fails_says_so_and_loads_on_retry(
    signed_in, live_server, make_user, line_a
):

    from sputnik.directory.tests.factories import OrganizationFactory

    organization = OrganizationFactory(business_lines=[line_a], short_name="Ромашка")
    page = signed_in(make_user(lines={line_a: "write"}))
    lists = re.compile(r"/lists/$")
    page.route(lists, lambda route: route.fulfill(status=500, body="Server Error"))
    page.goto(f"{live_server.url}{organization.get_absolute_url()}")
    waiting = page.get_by_test_id("segments-loading")
    expect(waiting).to_contain_text("Сервер не смог ответить")
    expect(page.get_by_test_id("history")).to_contain_text("Создано")  # the rest of the card
    page.unroute(lists)
    waiting.get_by_test_id("lazy-retry").click()
    expect(page.get_by_test_id("segments")).to_be_visible()
    expect(waiting).to_have_count(0)

    # Any other request that fails shows a notice, which closes.
    page.route(re.compile(r"/search/\?"), lambda route: route.abort())
    page.fill("#header-search", "Ромаш")
    notice = page.get_by_test_id("request-error")
    expect(notice).to_contain_text("Нет связи с сервером")
    notice.get_by_role("button", name="Закрыть").click()
    expect(notice).to_be_hidden()
    expect(page.locator("#header-search")).to_be_focused()  # back where the user was typing
