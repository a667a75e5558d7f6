"""Access pages in a real browser: line isolation, stale edits, language, employees."""

import re

import pytest
from playwright.sync_api import expect

from sputnik.access.models import LineMembership, RoleCode, User

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def save(page):
    page.get_by_role("button", name="Сохранить").click()


def test_each_user_sees_only_their_business_line(signed_in, live_server, make_user, line_a, line_b):
    for mine, other in [(line_a, line_b), (line_b, line_a)]:
        page = signed_in(make_user(RoleCode.SALESPERSON, lines={mine: "write"}))

        expect(page.get_by_test_id("my-lines")).to_contain_text(mine.name)
        expect(page.get_by_test_id("my-lines")).not_to_contain_text(other.name)

        page.goto(f"{live_server.url}/lines/")
        expect(page.get_by_test_id("line-table")).to_contain_text(mine.name)
        expect(page.get_by_test_id("line-table")).not_to_contain_text(other.name)

        response = page.goto(f"{live_server.url}/lines/{other.pk}/")
        assert response.status == 404
        expect(page.get_by_role("heading", name="Не найдено")).to_be_visible()
        expect(page.locator("#main")).not_to_contain_text(other.name)


def test_stale_line_edit_is_refused_and_keeps_what_was_typed(
    signed_in, live_server, make_user, line_a
):
    first = make_user(RoleCode.HEAD_OF_SALES, lines={line_a: "manage"})
    second = make_user(RoleCode.HEAD_OF_SALES, lines={line_a: "manage"})
    edit_url = f"{live_server.url}/lines/{line_a.pk}/edit/"
    page1, page2 = signed_in(first), signed_in(second)
    page1.goto(edit_url)
    page2.goto(edit_url)

    page1.locator("input[name=name]").fill("ПО и облака")
    save(page1)
    expect(page1).to_have_url(f"{live_server.url}/lines/{line_a.pk}/")
    expect(page1.get_by_role("heading", level=1)).to_have_text("ПО и облака")

    page2.locator("textarea[name=description]").fill("Описание второго руководителя")
    save(page2)
    errors = page2.get_by_test_id("form-errors")
    expect(errors).to_contain_text(first.short_name)
    expect(errors).to_contain_text("изменения не сохранены")
    expect(page2.locator("textarea[name=description]")).to_have_value(
        "Описание второго руководителя"
    )

    line_a.refresh_from_db()
    assert line_a.name == "ПО и облака"
    assert line_a.description != "Описание второго руководителя"


def test_language_switch_changes_interface_and_profile(signed_in, make_user, line_a):
    user = make_user(RoleCode.SALESPERSON, lines={line_a: "read"})
    page = signed_in(user, language="ru")
    navbar = page.locator("nav.navbar")
    expect(navbar.get_by_role("link", name="Организации", exact=True)).to_be_visible()

    page.get_by_test_id("user-menu").click()
    page.get_by_test_id("language-switch").get_by_role("button", name="EN").click()

    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(navbar.get_by_role("link", name="Organisations", exact=True)).to_be_visible()
    user.refresh_from_db()
    assert user.language == "en"


def fill_employee(page, username):
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill("correct-horse-42")
    page.locator("#id_last_name").fill("Петрова")
    page.locator("#id_first_name").fill("Анна")


def test_administrator_registers_employee_and_duplicate_login_is_refused(
    signed_in, live_server, admin_user, line_a
):
    page = signed_in(admin_user)
    page.goto(f"{live_server.url}/employees/new/")
    fill_employee(page, "petrova")
    page.locator("input[name=roles][value=salesperson]").check()
    page.get_by_label(line_a.name, exact=True).select_option("write")
    save(page)

    expect(page).to_have_url(re.compile(r"/employees/\d+/$"))
    employee = User.objects.get(username="petrova")
    assert list(employee.groups.values_list("name", flat=True)) == [RoleCode.SALESPERSON]
    assert LineMembership.objects.get(user=employee).role == "write"
    assert LineMembership.objects.get(user=employee).line == line_a

    users = User.objects.count()
    page.goto(f"{live_server.url}/employees/new/")
    fill_employee(page, "petrova")
    save(page)

    expect(page.locator("#id_username")).to_have_class(re.compile(r"\bis-invalid\b"))
    expect(page.locator("#id_username ~ .invalid-feedback")).to_have_text(
        "Пользователь с таким именем уже существует."
    )
    expect(page.locator("#id_last_name")).to_have_value("Петрова")
    assert User.objects.count() == users


def test_pages_load_their_assets_without_console_errors(signed_in, live_server, admin_user, line_a):
    """Scripts and styles pass the CSP and their integrity hashes; htmx and icons work."""
    page = signed_in(admin_user)
    problems = []
    page.on("console", lambda m: m.type == "error" and problems.append(m.text))
    page.on("pageerror", lambda e: problems.append(str(e)))
    for path in ["/", "/lines/", f"/lines/{line_a.pk}/", "/employees/", "/roles/", "/audit/"]:
        page.goto(f"{live_server.url}{path}")
        page.wait_for_load_state("networkidle")
    assert page.evaluate("typeof htmx") == "object"
    icon_font = page.evaluate(
        "getComputedStyle(document.querySelector('.bi'), '::before').fontFamily"
    )
    assert "bootstrap-icons" in icon_font
    assert problems == []


def test_typing_in_the_filter_updates_the_table_in_place(
    signed_in, live_server, admin_user, line_a, line_b
):
    page = signed_in(admin_user)
    page.goto(f"{live_server.url}/lines/")
    page.evaluate("window.marker = 'same page'")
    page.locator(".sp-filters").get_by_role("searchbox").fill("Конс")
    expect(page.get_by_test_id("line-table")).not_to_contain_text(line_a.name)
    expect(page.get_by_test_id("line-table")).to_contain_text(line_b.name)
    assert page.evaluate("window.marker") == "same page"  # no full reload
    assert "q=" in page.url
