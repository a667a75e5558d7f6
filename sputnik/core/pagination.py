"""Pagination of pages and of the API (kept apart from the viewsets: DRF imports it while
loading them)."""

from django.core.paginator import Paginator
from django.utils.functional import cached_property
from rest_framework.pagination import CursorPagination


class CappedPaginator(Paginator):
    """Counts the rows only up to `cap`: on a table of a million rows the exact count costs
    more than the page itself. Past the cap the list says “more than” and asks for a
    filter; pages up to the cap work as usual."""

    cap = 10_000

    @cached_property
    def counted(self) -> int:
        # COUNT over a LIMIT subquery, unordered: sorting rows only to count them would
        # make the database walk the sort index and test each row's visibility.
        return self.object_list.order_by()[: self.cap + 1].count()

    @cached_property
    def count(self) -> int:
        return min(self.counted, self.cap)

    @property
    def capped(self) -> bool:
        return self.counted > self.cap


class KeysetPagination(CursorPagination):
    """Cursor pagination: constant cost per page whatever the table size."""

    ordering = "-pk"
    page_size_query_param = "page_size"
    max_page_size = 500
