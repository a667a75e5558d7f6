"""Pagination of pages and of the API (kept apart from the viewsets: DRF imports it while
loading them)."""

from dataclasses import dataclass

from django.core.paginator import Paginator
from django.db.models import IntegerField, QuerySet, Subquery
from django.utils.functional import cached_property
from rest_framework.pagination import CursorPagination


@dataclass(frozen=True)
class Capped:
    """A count taken up to a cap: shown as "999+" when there are more."""

    number: int
    more: bool = False

    def __str__(self) -> str:
        return f"{self.number}+" if self.more else str(self.number)

    def __bool__(self) -> bool:
        return self.number > 0


def capped_count(rows: QuerySet, cap: int) -> Capped:
    """How many rows there are, up to `cap`. COUNT over an unordered LIMIT subquery: the
    database stops after `cap` rows instead of counting (and sorting) them all."""
    counted = rows.order_by()[: cap + 1].count()
    return Capped(min(counted, cap), counted > cap)


class CountOf(Subquery):
    """The number of rows of a (sliced) subquery, as a column: counts per row of the
    outer query that stop at the slice's end (`CountOf(rows.values("pk")[: cap + 1])`)."""

    template = "(SELECT COUNT(*) FROM (%(subquery)s) _counted)"
    output_field = IntegerField()


class CappedPaginator(Paginator):
    """Counts the rows only up to `cap`: on a table of a million rows the exact count costs
    more than the page itself. Past the cap the list says “more than” and asks for a
    filter; pages up to the cap work as usual. The cap bounds the work of the count and of
    the deepest page alike (both read up to `cap` visible rows): at 2,000 — forty pages,
    more than anyone pages through — both stay within a page's time budget at a million
    rows; the API pages by cursor and exports take every row."""

    cap = 2_000

    @cached_property
    def counted(self) -> Capped:
        # Unordered: sorting rows only to count them would make the database walk the
        # sort index and test each row's visibility.
        return capped_count(self.object_list, self.cap)

    @cached_property
    def count(self) -> int:
        return self.counted.number

    @property
    def capped(self) -> bool:
        return self.counted.more

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
