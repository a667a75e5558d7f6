"""SQL statistics of a request in its `Server-Timing` header, for the benchmark (bench/).

Installed only when SPUTNIK_QUERY_STATS=1 (settings.py), first in the chain so that the
queries of the session, the user and every other middleware are counted too. The header
reads `db;dur=<ms>;desc="<n> queries"`: browsers show it in their network panel and the
benchmark compares it with the hand-written SQL of the same page. When the variable is not
set, the middleware is not in the chain at all and costs nothing.
"""

from __future__ import annotations

import time
from contextlib import ExitStack

from django.db import connections


class QueryCounter:
    """A `connection.execute_wrapper` that adds up the queries it lets through."""

    def __init__(self) -> None:
        self.count = 0
        self.seconds = 0.0

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - started
            self.count += 1

    def header(self) -> str:
        return f'db;dur={self.seconds * 1000:.2f};desc="{self.count} queries"'


class QueryStatsMiddleware:
    """Counts the request's SQL queries on every database and their total time."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        counter = QueryCounter()
        with ExitStack() as stack:
            for connection in connections.all():
                stack.enter_context(connection.execute_wrapper(counter))
            response = self.get_response(request)
        # A streamed body (an export download) runs its queries later: not counted.
        response["Server-Timing"] = counter.header()
        return response
