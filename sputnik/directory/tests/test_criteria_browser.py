"""The criteria of a dynamic list in a real browser: groups of the organisation list's
filters, the number matching counted as they change, saved and followed by the list."""

import pytest
from playwright.sync_api import expect

from sputnik.directory import services
from sputnik.directory.models import Category
from sputnik.directory.tests.factories import OrganizationFactory, define_attribute

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

COUNT_URL = "**/lists/criteria/count/organizations/**"


@pytest.fixture
def partner(line_a, line_b):
    """Staff as a custom attribute, partners as a category, and another line's
    organisation that meets every condition below but is never the salesperson's."""
    define_attribute("staff", "integer", "Штат")
    partner = Category.objects.create(name="Партнёр")
    for name, staff, partner_too in (
        ("Альфа", 500, True),
        ("Бета", 50, True),
        ("Гамма", 900, False),
        ("Дельта", None, False),
    ):
        attributes = {} if staff is None else {"staff": staff}
        org = OrganizationFactory(business_lines=[line_a], short_name=name, attributes=attributes)
        if partner_too:
            org.categories.add(partner)
    OrganizationFactory(
        business_lines=[line_b], short_name="Чужая", attributes={"staff": 999}
    ).categories.add(partner)
    return partner


def dynamic_list(user, line, name, criteria):
    return services.segment_create(
        actor=user,
        name=name,
        kind="organizations",
        business_lines=[line],
        dynamic=True,
        criteria=criteria,
    )


def open_criteria(page, live_server, segment):
    """The list's page, then its criteria through the button."""
    page.goto(f"{live_server.url}{segment.get_absolute_url()}")
    page.get_by_test_id("change-criteria").click()
    page.wait_for_url(f"**/lists/{segment.pk}/criteria/")  # loaded: htmx is ready
    expect(page.get_by_role("heading", name="Кто входит в список")).to_be_visible()


def submit(page, button):
    """A button that re-renders the criteria page; waits for the new page to load."""
    with page.expect_navigation():
        button.click()


def save(page, segment, name):
    page.get_by_role("button", name="Сохранить условия").click()
    page.wait_for_url(f"**{segment.get_absolute_url()}")
    expect(page.locator("main")).to_contain_text(f"Условия списка «{name}» сохранены.")


def expect_members(page, names):
    expect(page.get_by_test_id("member-count")).to_have_text(str(len(names)))
    expect(page.get_by_test_id("member-table").locator("tr")).to_have_text(names)


def test_salesperson_narrows_a_list_then_widens_it_with_a_second_group(
    signed_in, live_server, make_user, line_a, partner
):
    seller = make_user(lines={line_a: "write"})
    segment = dynamic_list(seller, line_a, "Крупные", {"attr_staff_min": "100"})
    page = signed_in(seller)
    page.goto(f"{live_server.url}{segment.get_absolute_url()}")
    expect_members(page, ["Альфа", "Гамма"])  # not the other line's Чужая (999)
    open_criteria(page, live_server, segment)
    groups = page.get_by_test_id("criteria-group")
    expect(groups).to_have_count(1)
    expect(groups.locator("xpath=./legend")).to_have_text(["Группа 1: все условия"])
    staff_from = page.locator("[name=g0-attr_staff_min]")
    expect(staff_from).to_have_value("100")  # the stored condition
    count = page.get_by_test_id("criteria-count")
    expect(count).to_have_text("2 подходят сейчас.")

    # A higher bound: counted again in place, as it is typed.
    page.evaluate("window.marker = 'same page'")
    with page.expect_response(COUNT_URL):
        staff_from.fill("800")
    expect(count).to_have_text("1 подходит сейчас.")  # Гамма
    assert page.evaluate("window.marker") == "same page"  # no reload

    # Or partners: a second group, whatever their staff.
    submit(page, page.get_by_test_id("add-group"))
    expect(groups.locator("xpath=./legend")).to_have_text(
        ["Группа 1: все условия", "Группа 2: все условия"]
    )
    expect(page.locator("#criteria-form").get_by_text("или", exact=True)).to_be_visible()
    expect(staff_from).to_have_value("800")  # what was typed stays
    page.evaluate("window.marker = 'same page'")
    groups.nth(1).get_by_label("Категория", exact=True).select_option(label="Партнёр")
    expect(count).to_have_text("3 подходят сейчас.")  # Гамма, or Альфа and Бета
    assert page.evaluate("window.marker") == "same page"

    save(page, segment, "Крупные")
    expect_members(page, ["Альфа", "Бета", "Гамма"])  # never the other line's Чужая
    segment.refresh_from_db()
    assert segment.criteria == {"any": [{"attr_staff_min": "800"}, {"category": str(partner.pk)}]}


def test_removing_a_group_keeps_the_other_one(signed_in, live_server, make_user, line_a, partner):
    seller = make_user(lines={line_a: "write"})
    criteria = {"any": [{"attr_staff_min": "800"}, {"category": str(partner.pk)}]}
    segment = dynamic_list(seller, line_a, "Крупные и партнёры", criteria)
    page = signed_in(seller)
    open_criteria(page, live_server, segment)
    groups = page.get_by_test_id("criteria-group")
    expect(groups).to_have_count(2)
    expect(page.locator("[name=g0-attr_staff_min]")).to_have_value("800")
    expect(groups.nth(1).get_by_label("Категория", exact=True)).to_have_value(str(partner.pk))
    expect(page.get_by_test_id("criteria-count")).to_have_text("3 подходят сейчас.")

    submit(page, groups.nth(0).get_by_role("button", name="Удалить группу"))
    expect(groups).to_have_count(1)  # the partners' group, now the first
    expect(page.get_by_role("button", name="Удалить группу")).to_have_count(0)
    expect(page.locator("[name=g0-attr_staff_min]")).to_have_value("")
    expect(groups.get_by_label("Категория", exact=True)).to_have_value(str(partner.pk))
    expect(page.get_by_test_id("criteria-count")).to_have_text("2 подходят сейчас.")

    save(page, segment, "Крупные и партнёры")
    expect_members(page, ["Альфа", "Бета"])  # not Чужая, a partner of another line
    segment.refresh_from_db()
    assert segment.criteria == {"category": str(partner.pk)}
