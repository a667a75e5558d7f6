"""Paging a list by "Next" and "Previous": each page starts from the row next to the page
the reader left instead of skipping the rows before it, and shows the same rows a page
asked for by number shows."""

import html
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sputnik.directory import services
from sputnik.directory.models import AttributeDefinition
from sputnik.directory.tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db

NAMES = ["Альфа", "Бета", "Бета", "Бета", "Гамма", "Дельта", "Дельта", "Эпсилон", "Эта"]
INNS = ["", "7707083893", "", "", "7736050003", "", "", "", ""]
ROW = re.compile(r'<td><a href="/organizations/(\d+)/">')


@pytest.fixture
def seller(make_user, line_a):
    return make_user(lines={line_a: "write"})


@pytest.fixture
def organizations(line_a, line_b):
    """Ties in the name (the id decides), INNs with empty ones among them, and an
    organisation of another line that must never show."""
    OrganizationFactory(business_lines=[line_b], short_name="Бета")
    return [
        OrganizationFactory(business_lines=[line_a], short_name=name, inn=inn)
        for name, inn in zip(NAMES, INNS, strict=True)
    ]


@pytest.fixture
def page_of_two(monkeypatch):
    monkeypatch.setattr("sputnik.directory.views.OrganizationListView.paginate_by", 2)


def rows(content: str) -> list[int]:
    return [int(pk) for pk in ROW.findall(content)]


def link(content: str, label: str) -> str | None:
    found = re.search(rf'<a class="page-link" href="([^"]*)"[^>]*>{label}</a>', content)
    return html.unescape(found[1]) if found else None


def walk(client, query: str) -> tuple[list[list[int]], list[list[int]]]:
    """The pages met following "Next" from the first page to the last, then those met
    following "Previous" back to the first."""
    forward = []
    url = "/organizations/" + query
    while url:
        content = client.get(url).content.decode()
        forward.append(rows(content))
        following = link(content, "Вперёд")
        url = following and "/organizations/" + following
    back = [forward[-1]]
    while True:
        preceding = link(content, "Назад")
        if not preceding:
            break
        content = client.get("/organizations/" + preceding).content.decode()
        back.insert(0, rows(content))
    return forward, back


def by_number(client, query: str, pages: int) -> list[list[int]]:
    start = f"/organizations/{query}&" if query else "/organizations/?"
    return [rows(client.get(f"{start}page={n}").content.decode()) for n in range(1, pages + 1)]


@pytest.mark.parametrize("query", ["", "?o=-inn", "?o=status", "?o=-short_name"])
def test_next_and_previous_show_the_pages_the_numbers_show(
    client, seller, organizations, page_of_two, query
):
    client.force_login(seller)
    forward, back = walk(client, query)
    assert len(forward) == 5
    assert forward == by_number(client, query, 5) == back
    everyone = [pk for page in forward for pk in page]
    assert sorted(everyone) == sorted(org.pk for org in organizations)  # each once, none other


def test_a_page_reached_by_next_starts_from_its_row_without_skipping(
    client, seller, organizations, page_of_two
):
    client.force_login(seller)
    first = client.get("/organizations/").content.decode()
    second = link(first, "Вперёд")
    assert re.fullmatch(r"\?page=2\.[\w-]+", second)
    with CaptureQueriesContext(connection) as queries:
        content = client.get("/organizations/" + second).content.decode()
    assert "Страница 2 из 5" in content
    assert not [q for q in queries.captured_queries if "OFFSET" in q["sql"].upper()]
    with CaptureQueriesContext(connection) as queries:
        client.get("/organizations/?page=2")
    assert [q for q in queries.captured_queries if "OFFSET" in q["sql"].upper()]
    assert link(content, "Назад") == "?page=1"  # the first page is read from the start


@pytest.mark.parametrize(
    "start", ["2.", "2.bm9uc2Vuc2U", "2.W3RydWUsWyJ4Il1d", "2.W3RydWUsWyJ4IiwieSJdXQ", "2.!!"]
)
def test_a_mangled_start_falls_back_to_the_page_number(
    client, seller, organizations, page_of_two, start
):
    client.force_login(seller)
    content = client.get(f"/organizations/?page={start}").content.decode()
    assert rows(content) == by_number(client, "", 2)[1]


def test_nonsense_page_numbers_are_not_found(client, seller, organizations, page_of_two):
    client.force_login(seller)
    assert client.get("/organizations/?page=x.W10").status_code == 404
    assert client.get("/organizations/?page=99").status_code == 404
    assert rows(client.get("/organizations/?page=last").content.decode()) == [organizations[-1].pk]


def test_a_start_never_shows_what_the_reader_may_not_see(
    client, seller, organizations, page_of_two, line_b
):
    hidden = OrganizationFactory(business_lines=[line_b], short_name="Аа")
    client.force_login(seller)
    first = client.get("/organizations/").content.decode()
    walked = [pk for page in walk(client, "")[0] for pk in page]
    assert hidden.pk not in walked and hidden.pk not in rows(first)


def test_sorting_by_a_custom_attribute_pages_by_number(
    client, seller, line_a, organizations, page_of_two
):
    services.attribute_definition_save(
        actor=None,
        definition=AttributeDefinition(),
        target="organization",
        code="staff",
        type="integer",
        label_ru="Штат",
        label_en="Staff",
        show_in_list=True,
    )
    client.force_login(seller)
    content = client.get("/organizations/?o=attr_staff").content.decode()
    assert link(content, "Вперёд") == "?o=attr_staff&page=2"
    forward, back = walk(client, "?o=attr_staff")
    assert forward == by_number(client, "?o=attr_staff", 5) == back
