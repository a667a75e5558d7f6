"""Pagination of pages and of the API (kept apart from the viewsets: DRF imports it while
loading them)."""

import base64
import binascii
import json
from dataclasses import dataclass

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.db import connections
from django.db.models import F, IntegerField, Q, QuerySet, Subquery
from django.db.models.expressions import OrderBy, RawSQL
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


class SeekPage(Page):
    """A page whose "Next" and "Previous" say where the page they lead to starts (see
    `CappedPaginator.seek`), wherever the list's order allows it."""

    def next_param(self) -> str:
        """The `page` parameter of the next page: its number, and after which row."""
        number = self.next_page_number()
        return self.paginator.param(number, self[len(self) - 1], forward=True)

    def previous_param(self) -> str:
        number = self.previous_page_number()
        if number == 1:  # the first page is read from the start anyway
            return "1"
        return self.paginator.param(number, self[0], forward=False)


class CappedPaginator(Paginator):
    """Counts the rows only up to `cap`: on a table of a million rows the exact count costs
    more than the page itself. Past the cap the list says “more than” and asks for a
    filter; pages up to the cap work as usual. The cap bounds the work of the count and of
    the deepest page alike (both read up to `cap` visible rows): at 2,000 — forty pages,
    more than anyone pages through — both stay within a page's time budget at a million
    rows; the API pages by cursor and exports take every row.

    A page reached by "Next" or "Previous" is read from the row next to the page the
    reader left (`41.<where>`, see `seek`): as fast as the first page, however deep. A
    page asked for by number alone skips the rows before it."""

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

    def page(self, value):
        """The page `value` names: a number ("last" for the last one), possibly followed
        by where it starts (`41.<where>`, from a page's `next_param`)."""
        number, _, start = str(value).partition(".")
        number = self.validate_number(self.num_pages if number == "last" else number)
        rows = self.seek(start) if start else None
        if rows is None:
            bottom = (number - 1) * self.per_page
            top = bottom + self.per_page
            if top + self.orphans >= self.count:
                top = self.count
            rows = self.rows(bottom, top)
        return self._get_page(rows, number, self)

    def get_page(self, value):
        """A valid page whatever `value` is: the first for nonsense, the last past it."""
        try:
            return self.page(value)
        except PageNotAnInteger:
            return self.page(1)
        except EmptyPage:
            return self.page(self.num_pages)

    def _get_page(self, *args, **kwargs):
        return SeekPage(*args, **kwargs)

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

    @cached_property
    def order(self) -> tuple[tuple[str, bool], ...] | None:
        """The list's order as (field, descending) pairs if a page can be read from a
        given row on: every item a column of the rows themselves that is never empty,
        the last one the primary key (so that each row has a place of its own). Sorting
        by a related record or a computed value (a custom attribute) pages by number."""
        rows = self.object_list
        if not isinstance(rows, QuerySet):
            return None
        query, meta = rows.query, rows.model._meta
        items = query.order_by or (meta.ordering if query.default_ordering else ())
        order = []
        for item in items:
            if isinstance(item, OrderBy) and isinstance(item.expression, F):
                name, descending = item.expression.name, item.descending
            elif isinstance(item, str) and item != "?":
                name, descending = item.removeprefix("-"), item.startswith("-")
            else:
                return None
            try:
                field = meta.pk if name == "pk" else meta.get_field(name)
            except FieldDoesNotExist:
                return None
            if not field.concrete or field.is_relation or field.null:
                return None
            order.append((field.name, descending))
        if not order or order[-1][0] != meta.pk.name:
            return None
        return tuple(order)

    def param(self, number: int, row, *, forward: bool) -> str:
        """The `page` parameter of page `number`, which begins after (`forward`) or ends
        before `row`: the direction and the row's values of the order's fields, as
        URL-safe base64 of JSON."""
        if self.order is None or not hasattr(row, "_meta"):
            return str(number)
        values = [getattr(row, name) for name, _ in self.order]
        text = json.dumps([forward, values], default=_plain, ensure_ascii=False, separators=",:")
        return f"{number}.{base64.urlsafe_b64encode(text.encode()).decode().rstrip('=')}"

    def seek(self, start: str) -> list | None:
        """The page's rows read from where `start` says (see `param`) in the list's order:
        `(a, b) > (x, y)` spelt as `a >= x AND (a > x OR (a = x AND b > y))`, which both
        databases answer from the sort index. None where the list cannot be read so (its
        order, a mangled parameter, or no row left there): the page is then read by
        number."""
        sought = self.decode(start)
        if sought is None:
            return None
        forward, values = sought
        later, tied = Q(), {}
        for (name, descending), value in zip(self.order, values, strict=True):
            past = "gt" if descending != forward else "lt"
            later |= Q(**tied, **{f"{name}__{past}": value})
            tied[name] = value
        name, descending = self.order[0]
        bound = Q(**{f"{name}__{'gte' if descending != forward else 'lte'}": values[0]})
        sort = [("-" if descending == forward else "") + name for name, descending in self.order]
        rows = list(self.object_list.filter(bound & later).order_by(*sort)[: self.per_page])
        if not forward:
            rows.reverse()
        return rows or None

    def decode(self, start: str) -> tuple[bool, list] | None:
        if self.order is None or len(start) > 2_000:
            return None
        try:
            forward, values = json.loads(base64.urlsafe_b64decode(start + "=" * (-len(start) % 4)))
            if not isinstance(forward, bool) or len(values) != len(self.order):
                return None
            meta = self.object_list.model._meta
            return forward, [
                meta.get_field(name).to_python(value)
                for (name, _), value in zip(self.order, values, strict=True)
            ]
        except (binascii.Error, ValueError, TypeError, ValidationError):
            return None


def _plain(value) -> str:
    """A date, time, decimal or UUID in JSON, exactly (Django's encoder cuts microseconds)."""
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


class KeysetPagination(CursorPagination):
    """Cursor pagination: constant cost per page whatever the table size."""

    ordering = "-pk"
    page_size_query_param = "page_size"
    max_page_size = 500
