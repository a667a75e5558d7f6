"""The deals board in a real browser: dragging a card moves the deal; a stage that needs
more asks for it in a dialog; cancelling puts the card back."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from sputnik.access import demo as access_demo
from sputnik.access.models import RoleCode, User
from sputnik.directory import demo as directory_demo
from sputnik.sales import demo as sales_demo
from sputnik.sales.models import Deal, LossReason
from sputnik.sales.tests.helpers import new_deal, stage

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def column(page, name):
    return page.locator(f"[data-stage-name='{name}']")


def card(page, name):
    return page.get_by_test_id("deal-card").filter(has_text=name)


def drag(source, target, movable=True):
    """Drag as a person does, in several mouse moves, SortableJS (in its mouse-event mode)
    following them: to the middle of the target column, then a little further down.

    SortableJS places the card under the pointer on a timer, not on each move, and over
    another card only once the pointer has moved across it; so the button is released
    only once the card's placeholder is in the target column."""
    page = source.page
    page.wait_for_function(
        "() => window.Sortable && Sortable.get(document.querySelector('[data-board-list]'))"
    )
    drop = target.locator("[data-board-list]")
    start, end = source.bounding_box(), drop.bounding_box()
    x, y = end["x"] + end["width"] / 2, end["y"] + end["height"] / 2
    page.mouse.move(start["x"] + start["width"] / 2, start["y"] + start["height"] / 2)
    page.mouse.down()
    page.mouse.move(x, y, steps=12)
    page.mouse.move(x, y + 20, steps=4)
    if movable:
        expect(drop.locator(".sp-board-ghost")).to_have_count(1)
    else:  # SortableJS marks a card it picks up at once; this one it did not take
        expect(page.locator(".sp-board-chosen")).to_have_count(0)
    page.mouse.up()


@pytest.fixture
def deals(pipeline, client_org, seller, line_a):
    return {
        "licences": new_deal(
            pipeline, client_org, line_a, "Лицензии", amount=Decimal("90000"), responsible=seller
        ),
        "server": new_deal(pipeline, client_org, line_a, "Сервер", responsible=seller),
    }


def test_dragging_a_card_moves_the_deal(signed_in, live_server, deals, pipeline, seller):
    page = signed_in(seller)
    page.goto(f"{live_server.url}/deals/")
    page.get_by_test_id("deals-as-board").click()
    page.wait_for_url("**/deals/board/")
    expect(card(page, "Лицензии").locator(".sp-grip")).to_be_visible()

    drag(card(page, "Лицензии"), column(page, "Встреча"))
    expect(column(page, "Встреча").get_by_test_id("deal-card")).to_contain_text(["Лицензии"])
    expect(page.get_by_test_id("board-message")).to_be_visible()
    assert Deal.objects.get(pk=deals["licences"].pk).stage == stage(pipeline, "Встреча")
    expect(column(page, "Первый звонок").get_by_test_id("deal-card")).to_have_count(1)
    expect(column(page, "Встреча").get_by_test_id("column-count")).to_have_text("1")

    # Moved again after the board was re-rendered: the new cards are draggable too.
    drag(card(page, "Лицензии"), column(page, "Первый звонок"))
    expect(page.get_by_test_id("board-message")).to_contain_text("Первый звонок")
    expect(column(page, "Первый звонок").get_by_test_id("deal-card")).to_have_count(2)
    assert Deal.objects.get(pk=deals["licences"].pk).stage == stage(pipeline, "Первый звонок")


def test_a_stage_requiring_the_amount_asks_for_it(signed_in, live_server, deals, pipeline, seller):
    page = signed_in(seller)
    page.goto(f"{live_server.url}/deals/board/")
    target = column(page, "Предложение")

    # Cancelling the dialog puts the card back where it was.
    drag(card(page, "Сервер"), target)
    dialog = page.get_by_test_id("board-dialog")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_label("Сумма")).to_be_visible()
    dialog.get_by_role("button", name="Отмена").click()
    expect(dialog).to_have_count(0)
    expect(column(page, "Первый звонок").get_by_test_id("deal-card")).to_have_count(2)
    expect(column(page, "Предложение").get_by_test_id("deal-card")).to_have_count(0)

    drag(card(page, "Сервер"), target)
    expect(dialog).to_be_visible()
    dialog.get_by_label("Сумма").fill("120 000,50")
    dialog.locator("button[type=submit]").click()
    expect(dialog).to_have_count(0)
    expect(column(page, "Предложение").get_by_test_id("deal-card")).to_contain_text(["Сервер"])
    deal = Deal.objects.get(pk=deals["server"].pk)
    assert (deal.stage, deal.amount) == (stage(pipeline, "Предложение"), Decimal("120000.50"))


def test_a_lost_deal_is_asked_why_and_leaves_the_board(
    signed_in, live_server, deals, pipeline, seller
):
    reason = LossReason.objects.create(name="Дорого")
    page = signed_in(seller)
    page.goto(f"{live_server.url}/deals/board/")
    drag(card(page, "Лицензии"), column(page, "Отказ"))
    dialog = page.get_by_test_id("board-dialog")
    dialog.get_by_label("Причина проигрыша").select_option(label="Дорого")
    dialog.get_by_label("Причина проигрыша").press("Control+Enter")
    expect(dialog).to_have_count(0)
    expect(card(page, "Лицензии")).to_have_count(0)
    deal = Deal.objects.get(pk=deals["licences"].pk)
    assert (deal.stage, deal.loss_reason) == (stage(pipeline, "Отказ"), reason)


def test_a_reader_cannot_drag(signed_in, live_server, deals, make_user, line_a):
    page = signed_in(make_user(lines={line_a: "read"}))
    page.goto(f"{live_server.url}/deals/board/")
    expect(card(page, "Лицензии")).to_be_visible()
    expect(page.locator(".sp-grip")).to_have_count(0)
    drag(card(page, "Лицензии"), column(page, "Встреча"), movable=False)
    expect(column(page, "Первый звонок").get_by_test_id("deal-card")).to_have_count(2)
    assert Deal.objects.get(pk=deals["licences"].pk).stage.name == "Первый звонок"


@pytest.mark.parametrize("language", ["ru", "en"])
def test_the_board_with_demo_data(signed_in, live_server, language):
    access_demo.load()
    directory_demo.load()
    sales_demo.load()
    head = User.objects.filter(groups__name=RoleCode.HEAD_OF_SALES).first()
    page = signed_in(head, password=access_demo.DEMO_PASSWORD, language=language)
    page.goto(f"{live_server.url}/deals/board/")
    expect(page.get_by_test_id("board-column").first).to_be_visible()
    expect(page.get_by_test_id("contact-overdue").first).to_be_visible()
    page.screenshot(path=f"/tmp/board-{language}.png", full_page=True)
