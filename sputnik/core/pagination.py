"""Pagination of pages and of the API (kept apart from the viewsets: DRF imports it while
loading them)."""

import base64
import datetime
import json
import math
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


@dataclass(frozen=True)
class Start:
    """Where a page read from a row starts: after (`forward`) or before the row whose
    values of the order's fields are `values`."""

    forward: bool
    values: list


@dataclass(frozen=True)
class Travel:
    """How a page read from a row was reached, and whether rows lie further that way."""

    forward: bool
    further: bool


START_LENGTH = 1_500  # characters: the longest sort values (names) with room to spare
# Fields whose values go through JSON and back exactly (see `_exact_json`).
SEEKABLE = {
    "AutoField", "BigAutoField", "SmallAutoField", "IntegerField", "BigIntegerField",
    "SmallIntegerField", "PositiveIntegerField", "PositiveBigIntegerField",
    "PositiveSmallIntegerField", "CharField", "TextField", "SlugField", "BooleanField",
    "DateField", "DateTimeField", "DecimalField", "UUIDField",
}  # fmt: skip


class SeekPage(Page):
    """A page whose "Next" and "Previous" say where the page they lead to starts (see
    `CappedPaginator.seek`), wherever the list's order allows it. A page read from a row
    (`travel` set) knows whether rows lie further in the direction it was reached by; the
    way back is always open. Its number is the one its link carried, not checked against
    the count: rows added or removed meanwhile shift the count, not the rows."""

    travel: Travel | None = None

    def has_next(self) -> bool:
        if self.travel is None:
            return super().has_next()
        return self.travel.further if self.travel.forward else True

    def has_previous(self) -> bool:
        if self.travel is None:
            return super().has_previous()
        return True if self.travel.forward else self.travel.further

    def next_page_number(self) -> int:
        return self.number + 1 if self.travel else super().next_page_number()

    def previous_page_number(self) -> int:
        return max(self.number - 1, 1) if self.travel else super().previous_page_number()

    def next_param(self) -> str:
        """The `page` parameter of the next page: its number, and after which row."""
        last = self[len(self) - 1]
        return self.paginator.page_parameter(self.next_page_number(), last, forward=True)

    def previous_param(self) -> str:
        """The `page` parameter of the previous page: its number, and before which row."""
        return self.paginator.page_parameter(self.previous_page_number(), self[0], forward=False)


class CappedPaginator(Paginator):
    """Counts the rows only up to `cap`: on a table of a million rows the exact count costs
    more than the page itself. Past the cap the list says “more than” and asks for a
    filter. The cap bounds the work of the count and of the deepest page asked for by
    number alike (both read up to `cap` visible rows): at 2,000 — forty pages, more than
    anyone pages through — both stay within a page's time budget at a million rows; the
    API pages by cursor and exports take every row.

    A page reached by "Next" or "Previous" is read from the row next to the page the
    reader left (`41.<start>`, see `seek`): as fast as the first page, however deep, and
    "Next" goes on past the cap. A page asked for by number alone skips the rows before
    it."""

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
        by where it starts (`41.<start>`, from a page's `next_param`)."""
        number, _, start = str(value).partition(".")
        sought = self.decode_start(start) if start and number.isdigit() else None
        page = self.seek(int(number), sought) if sought else None
        if page is not None:
            return page
        number = self.validate_number(self.num_pages if number == "last" else number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        return self._get_page(self.rows(bottom, top), number, self)

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
        given row on: every item a column of the rows themselves that is never null, the
        last one the primary key (so that each row has a place of its own). Sorting by a
        related record or a computed value (a custom attribute) pages by number."""
        rows = self.object_list
        if not isinstance(rows, QuerySet) or self.orphans:
            return None
        query = rows.query
        if not query.standard_ordering or query.extra_order_by:  # reversed, or raw SQL
            return None
        items = query.order_by or (rows.model._meta.ordering if query.default_ordering else ())
        order = [self._seekable(item) for item in items]
        if not order or None in order or order[-1][0] != rows.model._meta.pk.name:
            return None
        return tuple(order)

    def _seekable(self, item) -> tuple[str, bool] | None:
        """An item of the order as (field, descending), if a page can be read from a
        value of it (see `order`)."""
        if isinstance(item, OrderBy) and isinstance(item.expression, F):
            name, descending = item.expression.name, item.descending
        elif isinstance(item, str) and item != "?":
            name, descending = item.removeprefix("-"), item.startswith("-")
        else:
            return None
        meta = self.object_list.model._meta
        try:
            field = meta.pk if name == "pk" else meta.get_field(name)
        except FieldDoesNotExist:
            return None
        if not field.concrete or field.null or field.get_internal_type() not in SEEKABLE:
            return None
        return field.name, descending

    def page_parameter(self, number: int, row, *, forward: bool) -> str:
        """The `page` parameter of page `number`, which begins after (`forward`) or ends
        before `row`: the direction and the row's values of the order's fields, as
        URL-safe base64 of JSON. Just the number where the list cannot be read so."""
        if self.order is None or not hasattr(row, "_meta"):
            return str(number)
        values = [getattr(row, name) for name, _ in self.order]
        text = json.dumps(
            [forward, values], default=_exact_json, ensure_ascii=False, separators=(",", ":")
        )
        return f"{number}.{base64.urlsafe_b64encode(text.encode()).decode().rstrip('=')}"

    def seek(self, number: int, start: Start) -> SeekPage | None:
        """Page `number` read from `start` in the list's order — `(a, b) > (x, y)` spelt
        as `a >= x AND (a > x OR (a = x AND b > y))`, which both databases answer from the
        sort index — with one row more, to know whether there are further rows. None if
        there is no row there any more: the page is then read by number."""
        later, tied, sort = Q(), {}, []
        for (name, descending), value in zip(self.order, start.values, strict=True):
            onward = descending != start.forward  # the values grow in the reading direction
            later |= Q(**tied, **{f"{name}__{'gt' if onward else 'lt'}": value})
            tied[name] = value
            sort.append(name if onward else f"-{name}")
        first = self.order[0][0]
        bound = Q(**{f"{first}__{'gte' if sort[0] == first else 'lte'}": start.values[0]})
        rows = list(self.object_list.filter(bound & later).order_by(*sort)[: self.per_page + 1])
        if not rows:
            return None
        further = len(rows) > self.per_page
        rows = rows[: self.per_page] if start.forward else rows[: self.per_page][::-1]
        page = self._get_page(rows, max(number, 1), self)
        page.travel = Travel(start.forward, further)
        return page

    def decode_start(self, text: str) -> Start | None:
        """The start a `page` parameter carries, if it is one this list can read from:
        anything else (a mangled or forged parameter) is None, and the page is read by
        number."""
        if self.order is None or len(text) > START_LENGTH:
            return None
        try:
            forward, values = json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
            if not isinstance(forward, bool) or not isinstance(values, list):
                return None
            if len(values) != len(self.order) or not all(map(_plain_value, values)):
                return None
            meta = self.object_list.model._meta
            values = [
                meta.get_field(name).to_python(value)
                for (name, _), value in zip(self.order, values, strict=True)
            ]
            for value in values:  # a moment the database cannot hold fails here, not there
                if isinstance(value, datetime.datetime) and value.tzinfo:
                    value.astimezone(datetime.UTC)
        except (ValueError, TypeError, ValidationError, OverflowError, RecursionError):
            return None  # not base64 (binascii.Error is a ValueError), not JSON, too deep
        return Start(forward, values)


def _plain_value(value) -> bool:
    """Whether a decoded value could be a sort value: text without NUL (PostgreSQL
    refuses it), a whole number, a finite number or a truth value."""
    if isinstance(value, str):
        return "\x00" not in value
    if isinstance(value, float):
        return math.isfinite(value)
    return isinstance(value, int)


def _exact_json(value) -> str:
    """A date, time, decimal or UUID in JSON, exactly (Django's encoder cuts microseconds)."""
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


class KeysetPagination(CursorPagination):
    """Cursor pagination: constant cost per page whatever the table size."""

    ordering = "-pk"
    page_size_query_param = "page_size"
    max_page_size = 500
