"""The SQL statistics header the benchmark reads (sputnik/core/query_stats.py)."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sputnik.core.query_stats import QueryCounter

STATS = "sputnik.core.query_stats.QueryStatsMiddleware"
HEADER = re.compile(r'^db;dur=(?P<ms>\d+\.\d+);desc="(?P<count>\d+) queries"$')


@pytest.fixture
def signed_in(client, admin_user):
    client.force_login(admin_user)
    return client


def test_on_the_header_counts_every_query_of_the_request(settings, signed_in):
    settings.MIDDLEWARE = [STATS, *settings.MIDDLEWARE]
    with CaptureQueriesContext(connection) as captured:
        response = signed_in.get("/")
    assert response.status_code == 200
    found = HEADER.match(response["Server-Timing"])
    assert found, response["Server-Timing"]
    # The session, the user and the page's own queries: all of them, each once.
    assert int(found["count"]) == len(captured) > 0
    assert float(found["ms"]) >= 0


def test_off_by_default_no_header(settings, signed_in):
    assert STATS not in settings.MIDDLEWARE  # SPUTNIK_QUERY_STATS is not set in tests
    response = signed_in.get("/")
    assert response.status_code == 200
    assert "Server-Timing" not in response


def test_counter_adds_up_queries_it_lets_through():
    counter = QueryCounter()

    def execute(sql, params, many, context):
        return "rows"

    assert counter(execute, "SELECT 1", (), False, {}) == "rows"
    assert counter(execute, "SELECT 2", (), False, {}) == "rows"
    assert counter.count == 2
    assert HEADER.match(counter.header())["count"] == "2"
