"""Pagination of pages and of the API (kept apart from the viewsets: DRF imports it while
loading them)."""

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.utils.functional import cached_property
from rest_framework.pagination import CursorPagination


class CappedPaginator(Paginator):
    """Counts the rows only up to `cap`: on a table of a million rows the exact count costs
    more than the page itself. Past the cap the list says “more than” and asks for a
    filter; pages up to the cap work as usual. The cap bounds the work of the count and of
    the deepest page alike (both read up to `cap` visible rows): at 2,000 — forty pages,
    more than anyone pages through — both stay within a page's time budget at a million
    rows; the API pages by cursor and exports take every row."""

    cap = 2_000

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

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        return self._get_page(self.rows(bottom, top), number, self)

    def rows(self, bottom: int, top: int):
        """The rows of a page. Past the first page the ids come first: skipping rows then
        reads only the sort index (and the visibility test), not every skipped row whole;
        the page's own rows are read by id afterwards (a deferred join)."""
        rows = self.object_list
        if bottom == 0 or not isinstance(rows, QuerySet):
            return rows[bottom:top]
        ids = list(rows.values_list("pk", flat=True)[bottom:top])
        found = {row.pk: row for row in rows.order_by().filter(pk__in=ids)}
        return [found[pk] for pk in ids if pk in found]


class KeysetPagination(CursorPagination):
    """Cursor pagination: constant cost per page whatever the table size."""

    ordering = "-pk"
    page_size_query_param = "page_size"
    max_page_size = 500
