"""Pagination of pages and of the API (kept apart from the viewsets: DRF imports it while
loading them)."""

from dataclasses import dataclass

from django.core.paginator import Paginator
from django.db import connections
from django.db.models import IntegerField, QuerySet, Subquery
from django.db.models.expressions import RawSQL
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


def merged_firsts(rows: QuerySet, field: str, values: list, order: tuple, start: int, stop: int):
    """The primary keys of the `rows` whose `field` is one of `values`, `start:stop` in
    `order`.

    Each value may have its own index range (an employee's planned contacts, by due time):
    ordering all the values' rows at once would sort every row of every range. On
    PostgreSQL each value's first `stop` rows are read from its own range, in one LATERAL
    join, and only those are sorted: one statement, planned once, however many values.
    Elsewhere the rows are ordered at once."""
    if rows.query.is_empty():  # e.g. the user sees no line
        return []
    connection = connections[rows.db]
    chosen = rows.order_by(*order)
    if connection.vendor != "postgresql" or len(values) < 2:
        picked = chosen.filter(**{f"{field}__in": values})
        return list(picked.values_list("pk", flat=True)[start:stop])
    quote = connection.ops.quote_name
    names = list(dict.fromkeys(item.lstrip("-") for item in (*order, "pk")))
    each = chosen.filter(**{field: RawSQL("each_value.v", ())}).values(*names)[:stop]
    inner, params = each.query.get_compiler(rows.db).as_sql()  # columns named as `names`
    sort = ", ".join(
        f"f.{quote(item.lstrip('-'))}{' DESC' if item.startswith('-') else ''}" for item in order
    )
    value_type = rows.model._meta.get_field(field).db_type(connection)
    sql = (
        f"SELECT f.{quote('pk')} FROM unnest(%s::{value_type}[]) AS each_value(v) "
        f"CROSS JOIN LATERAL ({inner}) f ORDER BY {sort} LIMIT %s OFFSET %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, (list(dict.fromkeys(values)), *params, stop - start, start))
        return [pk for (pk,) in cursor.fetchall()]


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
