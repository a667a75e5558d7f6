"""The deals list and a deal's card: the user's business lines only, the stage history,
moves from the card with the stage's rules."""

import pytest

from sputnik.core.testing import clients_for
from sputnik.directory.tests.factories import OrganizationFactory
from sputnik.sales.models import LossReason, StageChange
from sputnik.sales.tests.helpers import new_deal, stage

pytestmark = pytest.mark.django_db


@pytest.fixture
def deals(pipeline, line_a, line_b):
    ours = OrganizationFactory(business_lines=[line_a], short_name="Альфа")
    theirs = OrganizationFactory(business_lines=[line_b], short_name="Чужая")
    mine = new_deal(pipeline, ours, line_a, "Лицензии")
    new_deal(pipeline, theirs, line_b, "Чужая сделка")
    return mine


def test_the_list_shows_the_deals_of_the_users_lines(deals, make_user, line_a):
    page = clients_for(make_user(lines={line_a: "read"}))[0]
    listed = page.get("/deals/").text
    assert "Лицензии" in listed and "Чужая сделка" not in listed
    assert "Лицензии" not in page.get("/deals/", {"open": "false"}).text
    assert "Лицензии" in page.get("/deals/", {"q": "альф"}).text  # by organisation


def test_moving_a_deal_from_its_card(deals, pipeline, make_user, line_a):
    seller = make_user(lines={line_a: "write"})
    page = clients_for(seller)[0]
    card = page.get(f"/deals/{deals.pk}/").text
    assert "Первый звонок" in card and 'data-testid="move-form"' in card
    refused = page.post(
        f"/deals/{deals.pk}/move/",
        {"stage": stage(pipeline, "Предложение").pk, "version": deals.version},
        follow=True,
    )
    assert "нужно заполнить: сумма" in refused.text
    lost = LossReason.objects.create(name="Дорого")
    page.post(
        f"/deals/{deals.pk}/move/",
        {
            "stage": stage(pipeline, "Отказ").pk,
            "version": deals.version,
            "loss_reason": lost.pk,
            "reason": "Выбрали другого",
        },
    )
    deals.refresh_from_db()
    assert deals.stage.name == "Отказ" and deals.loss_reason == lost and not deals.is_open
    change = StageChange.objects.filter(deal=deals).last()
    assert (change.by, change.reason) == (seller, "Выбрали другого")
    assert "Выбрали другого" in page.get(f"/deals/{deals.pk}/").text


def test_a_reader_sees_the_card_but_cannot_move(deals, pipeline, make_user, line_a):
    page = clients_for(make_user(lines={line_a: "read"}))[0]
    assert 'data-testid="move-form"' not in page.get(f"/deals/{deals.pk}/").text
    response = page.post(
        f"/deals/{deals.pk}/move/",
        {"stage": stage(pipeline, "Встреча").pk, "version": deals.version},
    )
    assert response.status_code == 403
    deals.refresh_from_db()
    assert deals.stage.name == "Первый звонок"
