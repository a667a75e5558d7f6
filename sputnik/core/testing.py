"""Shared access tests: every model's pages and endpoints are run through these.

`AccessCase` describes a record's surfaces (pages, list pages, API) and the writes a
caller may attempt; `check_access` asserts the rules of SEC-1 for them:
anonymous → login page / 401; another line's user → 404 and absent from every list,
search and export; a `read` member → every write refused and nothing changed;
a `write` member (or the role the model needs) → writes succeed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.test import Client
from rest_framework.test import APIClient

Write = Callable[[Client, APIClient], int]


@dataclass
class AccessCase:
    """What to probe for one record. `marker` is text that identifies it on a page."""

    record: object
    marker: str
    pages: list[str] = field(default_factory=list)
    list_pages: list[str] = field(default_factory=list)
    api_detail: str | None = None
    api_list: str | None = None
    searches: list[str] = field(default_factory=list)
    exports: list[Callable[[Client], bytes]] = field(default_factory=list)
    writes: list[Write] = field(default_factory=list)
    unchanged: Callable[[], bool] | None = None


def clients_for(user) -> tuple[Client, APIClient]:
    page, api = Client(), APIClient()
    if user is not None:
        page.force_login(user)
        api.force_authenticate(user)
    return page, api


def assert_anonymous_refused(case: AccessCase) -> None:
    page, api = clients_for(None)
    for url in case.pages + case.list_pages:
        response = page.get(url)
        assert response.status_code == 302, url
        assert "/accounts/login/" in response["Location"], url
    for url in filter(None, [case.api_detail, case.api_list]):
        assert api.get(url).status_code == 401, url


def assert_hidden_from(case: AccessCase, outsider) -> None:
    page, api = clients_for(outsider)
    for url in case.pages:
        assert page.get(url).status_code == 404, url
    for url in case.list_pages + case.searches:
        response = page.get(url)
        assert response.status_code == 200, url
        assert case.marker not in response.content.decode(), url
    if case.api_detail:
        assert api.get(case.api_detail).status_code == 404
    if case.api_list:
        response = api.get(case.api_list)
        assert response.status_code == 200
        assert case.record.pk not in [row["id"] for row in response.json()["results"]]
    for export in case.exports:
        assert case.marker.encode() not in export(page)
    for write in case.writes:
        assert write(page, api) == 404, write
    if case.unchanged is not None:
        assert case.unchanged()


def assert_read_only(case: AccessCase, reader) -> None:
    page, api = clients_for(reader)
    for url in case.pages[:1]:
        assert page.get(url).status_code == 200, url
    for write in case.writes:
        assert write(page, api) in {403, 404}, write
    if case.unchanged is not None:
        assert case.unchanged()


def assert_writes_work(case: AccessCase, writer) -> None:
    page, api = clients_for(writer)
    for write in case.writes:
        status = write(page, api)
        assert status < 400, (write, status)


def check_access(case: AccessCase, *, outsider, reader, writer) -> None:
    """All four rules, in an order that leaves the record changed only by the writer."""
    assert_anonymous_refused(case)
    assert_hidden_from(case, outsider)
    assert_read_only(case, reader)
    assert_writes_work(case, writer)


def query_count(client, url: str, **headers) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, headers=headers)
    assert response.status_code == 200, (url, response.status_code)
    return len(queries)


def assert_constant_queries(client, url: str, grow: Callable[[], None], **headers) -> None:
    """The page costs the same number of queries after `grow()` added more rows (no N+1),
    drawn afresh (an empty cache: its filter panel and the user's access read too) and
    from the cache."""
    from django.core.cache import cache

    def counts() -> tuple[int, int]:
        cache.clear()
        cold = query_count(client, url, **headers)
        return cold, query_count(client, url, **headers)

    query_count(client, url, **headers)  # fill what a process reads once (content types …)
    before = counts()
    grow()
    after = counts()
    assert after == before, f"{url}: {before} queries (afresh, cached), then {after} with more rows"
