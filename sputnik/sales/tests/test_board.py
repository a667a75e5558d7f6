"""The deals board: a pipeline's open deals by stage, of the user's business lines only,
with counts and sums; moves by dropping a card, asking for what a stage requires."""

import datetime
import re
from decimal import Decimal

import pytest
from django.utils import timezone

from sputnik.access.models import RoleCode
from sputnik.core.testing import assert_constant_queries, clients_for
from sputnik.directory import services as directory
from sputnik.directory.tests.factories import OrganizationFactory, PersonFactory
from sputnik.sales import services
from sputnik.sales.board_views import CARDS_PER_COLUMN
from sputnik.sales.models import LossReason, Pipeline
from sputnik.sales.tests.helpers import moves_of, new_deal, stage

pytestmark = pytest.mark.django_db

BOARD = "/deals/board/"


def columns(html: str) -> dict[str, str]:
    """Each column's (and won/lost zone's) markup by its stage name."""
    found = re.findall(r'data-stage-name="([^"]*)"(.*?)</section>', html, re.S)
    return dict(found)


def cards(html: str, stage_name: str) -> list[str]:
    return re.findall(
        r'class="sp-board-title[^"]*" href="[^"]*">([^<]*)<', columns(html)[stage_name]
    )


def titles(html: str) -> list[str]:
    """The deals on the board, every column's."""
    return [title for stage_name in columns(html) for title in cards(html, stage_name)]


def move_url(deal, pipeline):
    return f"/deals/{deal.pk}/board-move/?pipeline={pipeline.pk}"


@pytest.fixture
def deals(pipeline, client_org, line_a, line_b, seller):
    """Two deals in the first stage, one in the second, one closed, one of another line."""
    theirs = OrganizationFactory(business_lines=[line_b], short_name="Чужая")
    made = {
        "licences": new_deal(
            pipeline, client_org, line_a, "Лицензии", amount=Decimal("100000"), responsible=seller
        ),
        "server": new_deal(pipeline, client_org, line_a, "Сервер", amount=Decimal("50000.50")),
        "support": new_deal(
            pipeline, client_org, line_a, "Поддержка", stage=stage(pipeline, "Встреча")
        ),
        "foreign": new_deal(pipeline, theirs, line_b, "Чужая сделка"),
    }
    closed = new_deal(pipeline, client_org, line_a, "Закрытая", amount=Decimal("1"))
    services.deal_move(
        actor=None,
        deal=closed,
        stage=stage(pipeline, "Отказ"),
        loss_reason=LossReason.objects.create(name="Дорого"),
    )
    return made


def test_the_board_shows_open_deals_of_the_users_lines_by_stage(deals, make_user, line_a):
    page = clients_for(make_user(lines={line_a: "read"}))[0]
    html = page.get(BOARD).text
    board = columns(html)
    assert list(board) == ["Первый звонок", "Встреча", "Предложение", "Оплачено", "Отказ"]
    assert sorted(cards(html, "Первый звонок")) == ["Лицензии", "Сервер"]
    assert cards(html, "Встреча") == ["Поддержка"] and cards(html, "Предложение") == []
    assert "Чужая сделка" not in html and "Закрытая" not in html
    first = board["Первый звонок"]
    assert re.search(r'data-testid="column-count">2<', first)
    # 100 000 + 50 000,50 in Russian number format, with the rouble sign.
    assert "150\xa0000,50\xa0₽" in first
    assert "100\xa0000\xa0₽" in first and "Продавцова А." in first
    assert 'data-testid="board-zone"' in html  # won and lost are drop zones


def test_the_board_is_a_fragment_for_htmx(deals, seller):
    page = clients_for(seller)[0]
    response = page.get(BOARD, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "<html" not in response.text and 'data-testid="deal-board"' in response.text
    assert "Лицензии" in response.text and "sputnik/board.js" in response.text


def test_filters_by_responsible_line_and_search(deals, seller, make_user, line_a, line_b):
    page = clients_for(seller)[0]
    mine = titles(page.get(BOARD, {"responsible": "me"}).text)
    assert "Лицензии" in mine and "Сервер" not in mine
    by_id = titles(page.get(BOARD, {"responsible": seller.pk}).text)
    assert "Лицензии" in by_id and "Поддержка" not in by_id
    assert titles(page.get(BOARD, {"q": "подд"}).text) == ["Поддержка"]
    director = clients_for(make_user(lines={line_a: "read", line_b: "read"}))[0]
    assert "Чужая сделка" in titles(director.get(BOARD).text)
    only_b = titles(director.get(BOARD, {"business_line": line_b.pk}).text)
    assert "Чужая сделка" in only_b and "Лицензии" not in only_b


def test_another_pipeline_is_chosen_by_its_id(deals, seller, line_a, client_org):
    service = Pipeline.objects.create(name="Сервис", order=5)
    service.stages.create(name="Заявка", order=0)
    new_deal(service, client_org, line_a, "Ремонт")
    page = clients_for(seller)[0]
    default = page.get(BOARD).text
    assert "Лицензии" in default and "Ремонт" not in default  # the first pipeline
    chosen = page.get(BOARD, {"pipeline": service.pk}).text
    assert list(columns(chosen)) == ["Заявка"] and "Ремонт" in chosen
    assert page.get(BOARD, {"pipeline": 999999}).status_code == 404


def test_moving_a_card_to_another_column(deals, pipeline, seller):
    deal = deals["server"]
    page = clients_for(seller)[0]
    response = page.post(
        move_url(deal, pipeline), {"stage": stage(pipeline, "Встреча").pk, "version": deal.version}
    )
    assert response.status_code == 200 and response["X-Sputnik-Board"] == "1"
    deal.refresh_from_db()
    assert deal.stage.name == "Встреча"
    assert moves_of(deal)[-1] == ("Первый звонок", "Встреча", seller)
    assert sorted(cards(response.text, "Встреча")) == ["Поддержка", "Сервер"]


def test_a_stage_asks_for_its_required_fields_then_moves(deals, pipeline, seller):
    deal = deals["support"]  # no amount; "Предложение" requires one
    page = clients_for(seller)[0]
    proposal = stage(pipeline, "Предложение")
    asked = page.post(move_url(deal, pipeline), {"stage": proposal.pk, "version": deal.version})
    assert asked.status_code == 422
    assert 'name="amount"' in asked.text and 'name="loss_reason"' not in asked.text
    assert 'data-testid="board-dialog"' in asked.text
    deal.refresh_from_db()
    assert deal.stage.name == "Встреча"
    answer = {"stage": proposal.pk, "version": deal.version, "requirements": "1"}
    again = page.post(move_url(deal, pipeline), {**answer, "amount": ""})
    assert again.status_code == 422 and "is-invalid" in again.text
    done = page.post(move_url(deal, pipeline), {**answer, "amount": "250 000,50"})
    assert done.status_code == 200
    deal.refresh_from_db()
    assert (deal.stage, deal.amount) == (proposal, Decimal("250000.50"))
    assert cards(done.text, "Предложение") == ["Поддержка"]


def test_contact_persons_and_the_responsible_are_asked_among_those_who_fit(
    deals, pipeline, seller, client_org, make_user, line_a, line_b
):
    meeting = stage(pipeline, "Встреча")
    meeting.required_fields = ["persons", "responsible"]
    meeting.save()
    works = PersonFactory(business_lines=[line_a], last_name="Сидорова")
    left = PersonFactory(business_lines=[line_a], last_name="Ушедший")
    directory.employment_create(actor=None, person=works, organization=client_org)
    directory.employment_create(
        actor=None, person=left, organization=client_org, ended_on=datetime.date(2020, 1, 1)
    )
    stranger = make_user(lines={line_b: "write"}, last_name="Посторонний")
    deal, page = deals["server"], clients_for(seller)[0]
    asked = page.post(move_url(deal, pipeline), {"stage": meeting.pk, "version": deal.version})
    assert asked.status_code == 422
    assert "Сидорова" in asked.text and "Ушедший" not in asked.text
    assert "Продавцова" in asked.text and "Посторонний" not in asked.text
    answer = {"stage": meeting.pk, "version": deal.version, "requirements": "1"}
    answer["persons"] = [works.pk]
    refused = page.post(move_url(deal, pipeline), {**answer, "responsible": stranger.pk})
    assert refused.status_code == 422  # not an employee of the deal's business line
    done = page.post(move_url(deal, pipeline), {**answer, "responsible": seller.pk})
    assert done.status_code == 200
    deal.refresh_from_db()
    assert (deal.stage, deal.responsible, list(deal.persons.all())) == (meeting, seller, [works])


def test_a_lost_deal_needs_its_reason(deals, pipeline, seller):
    deal, lost = deals["server"], stage(pipeline, "Отказ")
    page = clients_for(seller)[0]
    asked = page.post(move_url(deal, pipeline), {"stage": lost.pk, "version": deal.version})
    assert asked.status_code == 422 and 'name="loss_reason"' in asked.text
    assert 'name="amount"' not in asked.text
    reason = LossReason.objects.get(name="Дорого")
    done = page.post(
        move_url(deal, pipeline),
        {"stage": lost.pk, "version": deal.version, "requirements": "1", "loss_reason": reason.pk},
    )
    assert done.status_code == 200
    deal.refresh_from_db()
    assert (deal.stage, deal.loss_reason, deal.is_open) == (lost, reason, False)
    assert "Сервер" not in cards(done.text, "Первый звонок")


def test_a_stale_card_is_refused_with_the_reason(deals, pipeline, seller):
    deal = deals["server"]
    services.deal_update(actor=None, deal=deal, expected_version=deal.version, notes="Звонили")
    page = clients_for(seller)[0]
    response = page.post(
        move_url(deal, pipeline), {"stage": stage(pipeline, "Встреча").pk, "version": deal.version}
    )
    assert response.status_code == 409 and 'data-testid="board-message"' in response.text
    deal.refresh_from_db()
    assert deal.stage.name == "Первый звонок"


def test_a_reader_sees_cards_without_handles_and_cannot_move(
    deals, pipeline, seller, make_user, line_a, line_b
):
    reader = clients_for(make_user(lines={line_a: "read", line_b: "write"}))[0]
    html = reader.get(BOARD).text
    licences = re.search(r"<li[^>]*>(?:(?!</li>).)*Лицензии", html, re.S).group(0)
    assert "data-movable" not in licences
    assert "data-movable" in re.search(r"<li[^>]*>(?:(?!</li>).)*Чужая сделка", html, re.S).group(0)
    deal = deals["server"]
    refused = reader.post(
        move_url(deal, pipeline), {"stage": stage(pipeline, "Встреча").pk, "version": deal.version}
    )
    assert refused.status_code == 403
    outsider = clients_for(make_user(lines={line_b: "write"}))[0]
    hidden = outsider.post(
        move_url(deal, pipeline), {"stage": stage(pipeline, "Встреча").pk, "version": deal.version}
    )
    assert hidden.status_code == 404
    deal.refresh_from_db()
    assert deal.stage.name == "Первый звонок"
    assert "data-movable" in clients_for(seller)[0].get(BOARD).text
    director = make_user(RoleCode.DIRECTOR, all_lines_role="read")  # no right to change deals
    seen = clients_for(director)[0].get(BOARD).text
    assert "Лицензии" in seen and "data-movable" not in seen


def test_marks_overdue_contacts_and_past_close_dates(deals, seller, client_org, line_a):
    deal = deals["licences"]
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    services.deal_update(
        actor=None, deal=deal, expected_version=deal.version, expected_close=yesterday
    )
    services.interaction_plan(
        actor=seller,
        kind="call",
        organization=client_org,
        deal=deal,
        business_line=line_a,
        due_at=timezone.now() - datetime.timedelta(hours=2),
    )
    html = clients_for(seller)[0].get(BOARD).text
    card = re.search(r"<li[^>]*>(?:(?!</li>).)*Лицензии(?:(?!</li>).)*</li>", html, re.S).group(0)
    assert 'data-testid="contact-overdue"' in card and 'data-testid="close-overdue"' in card
    other = re.search(r"<li[^>]*>(?:(?!</li>).)*Сервер(?:(?!</li>).)*</li>", html, re.S).group(0)
    assert "contact-overdue" not in other and "close-overdue" not in other


def test_constant_queries_and_a_link_to_the_rest(pipeline, seller, client_org, line_a):
    for number in range(5):
        new_deal(pipeline, client_org, line_a, f"Сделка {number}", responsible=seller)
    page = clients_for(seller)[0]

    def grow():
        for number in range(5, 60):
            new_deal(
                pipeline, client_org, line_a, f"Сделка {number}", amount=10, responsible=seller
            )

    assert_constant_queries(page, BOARD, grow)
    assert_constant_queries(page, f"{BOARD}?responsible=me", lambda: None)
    html = page.get(BOARD, {"responsible": "me"}).text
    first = columns(html)["Первый звонок"]
    assert len(cards(html, "Первый звонок")) == CARDS_PER_COLUMN
    more = re.search(r'href="([^"]*)" data-testid="column-more">([^<]*)<', first)
    assert str(60 - CARDS_PER_COLUMN) in more.group(2)
    link = more.group(1).replace("&amp;", "&")
    assert (
        f"responsible={seller.pk}" in link
        and f"stage={stage(pipeline, 'Первый звонок').pk}" in link
    )
    assert link.startswith("/deals/?")


def test_anonymous_callers_are_refused(deals, pipeline):
    page = clients_for(None)[0]
    for response in (
        page.get(BOARD),
        page.post(move_url(deals["server"], pipeline), {"stage": 1, "version": 1}),
    ):
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_user_without_deals_access_is_refused(make_user, line_a):
    page = clients_for(make_user(role=None, lines={line_a: "read"}))[0]
    assert page.get(BOARD).status_code == 403
