"""Paging a list by "Next" and "Previous": each page starts from the row next to the page
the reader left instead of skipping the rows before it, and shows the same rows a page
asked for by number shows."""

import base64
import html
import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sputnik.access.models import Notification
from sputnik.access.services import notify
from sputnik.directory.tests.factories import OrganizationFactory, define_attribute

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


def walk(client, query: str) -> tuple[list[list[int]], list[list[int]], int]:
    """The pages met following "Next" from the first page to the last, then those met
    following "Previous" back to the first, and how many of the pages reached so were
    read by skipping rows (`OFFSET`) instead of from their row."""
    forward, skipped = [], 0

    def follow(url: str) -> str:
        nonlocal skipped
        with CaptureQueriesContext(connection) as queries:
            content = client.get("/organizations/" + url).content.decode()
        skipped += any("OFFSET" in q["sql"].upper() for q in queries.captured_queries)
        return content

    content = client.get("/organizations/" + query).content.decode()
    forward.append(rows(content))
    while following := link(content, "Вперёд"):
        content = follow(following)
        forward.append(rows(content))
    back = [forward[-1]]
    while preceding := link(content, "Назад"):
        content = follow(preceding)
        back.insert(0, rows(content))
    return forward, back, skipped


def by_number(client, query: str, pages: int) -> list[list[int]]:
    start = f"/organizations/{query}&" if query else "/organizations/?"
    return [rows(client.get(f"{start}page={n}").content.decode()) for n in range(1, pages + 1)]


@pytest.mark.parametrize("query", ["", "?o=-inn", "?o=status", "?o=-short_name"])
def test_next_and_previous_show_the_pages_the_numbers_show(
    client, seller, organizations, page_of_two, query
):
    client.force_login(seller)
    forward, back, skipped = walk(client, query)
    assert len(forward) == 5
    assert forward == by_number(client, query, 5) == back
    assert skipped == 0
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
    assert re.fullmatch(r"\?page=1\.[\w-]+", link(content, "Назад"))


def start(*values, forward=True) -> str:
    """A start as the links write it (or as someone might forge it)."""
    text = json.dumps([forward, list(values)], ensure_ascii=False)
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


MANGLED = [
    "",  # a dot and nothing
    "bm9uc2Vuc2U",  # base64 of "nonsense"
    "!!",  # not base64
    start("x"),  # too few values
    start("x", 1, 2),  # too many
    start(None, None),  # nulls
    start("x", 1e999),  # infinity
    start("x\x00", 1),  # a NUL in text
    start("x", "y"),  # text for the id
    start("x", 1, forward="yes"),
    base64.urlsafe_b64encode(b"[" * 1500).decode(),  # nested too deep
    start("x" * 2000, 1),  # longer than any sort value
]


@pytest.mark.parametrize("mangled", MANGLED)
def test_a_mangled_start_falls_back_to_the_page_number(
    client, seller, organizations, page_of_two, mangled
):
    client.force_login(seller)
    response = client.get(f"/organizations/?page=2.{mangled}")
    assert response.status_code == 200
    assert rows(response.content.decode()) == by_number(client, "", 2)[1]


def test_a_start_past_the_last_row_reads_the_page_by_number(
    client, seller, organizations, page_of_two
):
    client.force_login(seller)
    content = client.get(f"/organizations/?page=3.{start('Яяя', 0)}").content.decode()
    assert rows(content) == by_number(client, "", 3)[2]


def test_a_forged_start_never_shows_what_the_reader_may_not_see(
    client, seller, organizations, page_of_two, line_b
):
    hidden = OrganizationFactory(business_lines=[line_b], short_name="Аа")
    client.force_login(seller)
    content = client.get(f"/organizations/?page=2.{start('А', 0)}").content.decode()
    assert rows(content) == [organizations[0].pk, organizations[1].pk]  # Альфа, Бета
    assert hidden.pk not in rows(content)


def test_paging_on_after_rows_were_added_and_removed_neither_repeats_nor_skips(
    client, seller, line_a, organizations, page_of_two
):
    client.force_login(seller)
    second = client.get(
        "/organizations/" + link(client.get("/organizations/").content.decode(), "Вперёд")
    )
    content = second.content.decode()
    seen = rows(content)
    OrganizationFactory(business_lines=[line_a], short_name="Аааа")  # before the reader
    OrganizationFactory(business_lines=[line_a], short_name="Ааааа")
    organizations[0].delete()  # and one gone before them, one after
    organizations[-1].delete()
    while following := link(content, "Вперёд"):
        content = client.get("/organizations/" + following).content.decode()
        seen += rows(content)
    expected = [org.pk for org in organizations[1:-1]][2 - 1 :]  # from page 2 on, the last gone
    assert seen == expected
    assert "Страница 4" in content  # numbered as the reader went, though the count changed


def test_nonsense_page_numbers_are_not_found(client, seller, organizations, page_of_two):
    client.force_login(seller)
    assert client.get("/organizations/?page=x.W10").status_code == 404
    assert client.get("/organizations/?page=99").status_code == 404
    assert rows(client.get("/organizations/?page=last").content.decode()) == [organizations[-1].pk]


def test_sorting_by_a_custom_attribute_pages_by_number(
    client, seller, line_a, organizations, page_of_two
):
    define_attribute("staff", "integer", "Штат", show_in_list=True)
    client.force_login(seller)
    content = client.get("/organizations/?o=attr_staff").content.decode()
    assert link(content, "Вперёд") == "?o=attr_staff&page=2"
    forward, back, skipped = walk(client, "?o=attr_staff")
    assert forward == by_number(client, "?o=attr_staff", 5) == back
    assert skipped == 7  # pages 2–5 on the way there, 4–2 on the way back


def test_a_list_by_time_pages_by_next_to_the_microsecond(client, seller, monkeypatch):
    """Notifications, newest first: times a microsecond apart and a tie broken by id."""
    for n in range(7):
        notify(recipient=seller, title=f"Уведомление {n}")
    moments = list(Notification.objects.order_by("pk").values_list("pk", "created_at"))
    Notification.objects.filter(pk=moments[3][0]).update(created_at=moments[2][1])
    monkeypatch.setattr("sputnik.access.account_views.NotificationListView.paginate_by", 2)
    client.force_login(seller)
    titles = re.compile(r'<div class="fw-semibold">Уведомление (\d)</div>')
    first = client.get("/notifications/").content.decode()
    assert re.fullmatch(r"\?page=2\.[\w-]+", link(first, "Вперёд"))
    pages, skipped, url = [], [], "/notifications/"
    while url:
        with CaptureQueriesContext(connection) as queries:
            content = client.get(url).content.decode()
        pages.append(titles.findall(content))
        skipped += [q for q in queries.captured_queries if "OFFSET" in q["sql"].upper()]
        following = link(content, "Вперёд")
        url = following and "/notifications/" + following
    assert pages == [["6", "5"], ["4", "3"], ["2", "1"], ["0"]]
    back = []
    while preceding := link(content, "Назад"):
        with CaptureQueriesContext(connection) as queries:
            content = client.get("/notifications/" + preceding).content.decode()
        back.insert(0, titles.findall(content))
        skipped += [q for q in queries.captured_queries if "OFFSET" in q["sql"].upper()]
    assert back == pages[:-1]
    assert not skipped  # each page read from its row, none fell back to skipping


def test_a_lists_members_page_from_a_row_too(seller, organizations):
    """`get_page` (a list's members) reads a start as the list pages do, and falls back
    to the first or the last page for nonsense."""
    from sputnik.core.pagination import CappedPaginator
    from sputnik.directory.models import Organization

    paginator = CappedPaginator(Organization.objects.restrict(seller), 2)
    second = paginator.get_page(paginator.get_page(1).next_param())
    assert [o.pk for o in second] == [org.pk for org in organizations[2:4]]
    assert second.travel is not None  # read from the row, not by number
    assert paginator.get_page("x").number == 1 and paginator.get_page("99").number == 5
