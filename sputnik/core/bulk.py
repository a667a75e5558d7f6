"""Inserting many rows of one model without a model instance per row.

Imports write hundreds of thousands of records, links and audit entries; Django's
`bulk_create` spends most of its time preparing each object field by field. Here the
values come as tuples, plain columns go to the database as they are, and the others
(dates, JSON, addresses) through their field's own conversion, so what is stored is
what `bulk_create` would store. On PostgreSQL the rows go through COPY.
"""

from __future__ import annotations

import gc
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from functools import partial
from itertools import batched
from typing import Any

from django.db import connection, models
from django.db.models.base import ModelState
from django.db.models.signals import post_init, pre_init

from .collection import FULL_AFTER

ROWS_PER_STATEMENT = 1000

# Fields whose Python value is the database value, on SQLite and PostgreSQL alike.
PLAIN = {
    "AutoField",
    "BigAutoField",
    "BigIntegerField",
    "BooleanField",
    "CharField",
    "EmailField",
    "ForeignKey",
    "IntegerField",
    "PositiveIntegerField",
    "PositiveSmallIntegerField",
    "SlugField",
    "SmallIntegerField",
    "TextField",
    "URLField",
}


@contextmanager
def few_collections(threshold: int = 50_000) -> Iterator[None]:
    """Python's cycle collector seldom and only over new objects while a bulk job runs.

    Reading, checking and writing a hundred thousand rows makes millions of short-lived
    objects; at the default threshold the collector runs every 700 of them, and each full
    run walks the whole heap (Django's included). The objects alive at the start are set
    aside (`gc.freeze`) and the young generation is collected less often; cycles are
    still collected, so memory stays bounded."""
    if _collections["paused"]:  # inside another bulk job: its settings hold
        yield
        return
    before = gc.get_threshold()
    # A web process froze what it started with and collects fully between requests
    # (`core.collection`): its freeze stays, and a long job collects fully at CPython's
    # own cadence.
    frozen = gc.get_freeze_count() > 0
    if not frozen:
        gc.freeze()
    gc.set_threshold(threshold, before[1], min(before[2], FULL_AFTER))
    _collections["paused"] = True
    try:
        yield
    finally:
        _collections["paused"] = False
        gc.set_threshold(*before)
        if not frozen:
            gc.unfreeze()


_collections = {"paused": False}


class JSONText(str):
    """A JSON field's value already encoded (as `json.dumps` would), stored as it is."""


def insert(
    model: type[models.Model],
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    returning: bool = False,
) -> list[int]:
    """Insert `rows` (values in the order of `columns`, which are attribute names such
    as "organization_id") into the model's table. Returns the new primary keys in the
    rows' order when `returning`. Sends no signals and writes no audit: the caller does
    what it needs of both. Rows that need no keys back may come from a generator, which
    is read as they are sent."""
    if returning and not isinstance(rows, Sequence):
        rows = list(rows)
    if isinstance(rows, Sequence) and not rows:
        return []
    fields = {field.attname: field for field in model._meta.concrete_fields}
    prepare = [_preparer(fields[name]) for name in columns]
    names = [fields[name].column for name in columns]
    if connection.vendor == "postgresql" and (not returning or _sequence(model)):
        return _copy(model, names, prepare, rows, returning)
    quote = connection.ops.quote_name
    head = f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(map(quote, names))}) VALUES "
    one = "(" + ", ".join(["%s"] * len(columns)) + ")"
    with connection.cursor() as cursor:
        if not returning:
            # One short statement for every row, which SQLite compiles once (the rows as a
            # list: Django's query log counts them).
            cursor.executemany(head + one, list(_prepared(prepare, rows)))
            return []
        tail = f" RETURNING {quote(model._meta.pk.column)}"
        per_statement = ROWS_PER_STATEMENT
        if connection.features.max_query_params:
            per_statement = min(per_statement, connection.features.max_query_params // len(names))
        ids: list[int] = []
        for batch in batched(rows, per_statement):
            params: list[Any] = []
            for row in _prepared(prepare, batch):
                params.extend(row)
            cursor.execute(head + ", ".join([one] * len(batch)) + tail, params)
            ids.extend(pk for (pk,) in cursor.fetchall())
    return ids


def _prepared(prepare: list, rows: Iterable[Sequence[Any]]) -> Iterator[Sequence[Any]]:
    """The rows with their values converted where a column needs it (most need not)."""
    converting = [(n, convert) for n, convert in enumerate(prepare) if convert is not None]
    if not converting:
        yield from rows
        return
    for row in rows:
        row = list(row)
        for n, convert in converting:
            row[n] = convert(row[n])
        yield row


def _copy(model, names: list[str], prepare: list, rows: Iterable, returning: bool) -> list[int]:
    """PostgreSQL: the rows through COPY, several times faster than INSERT statements
    (Django's driver binds parameters on the client, so each INSERT is parsed anew). The
    new keys, when wanted, are taken from the table's sequence first and written with
    the rows."""
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    ids: list[int] = []
    with connection.cursor() as cursor:
        if returning:
            rows = list(rows)  # a list already (see `insert`); for the type checker
            cursor.execute(
                "SELECT nextval(%s) FROM generate_series(1, %s)", [_sequence(model), len(rows)]
            )
            ids = sorted(pk for (pk,) in cursor.fetchall())
            names = [model._meta.pk.column, *names]
            prepare = [None, *prepare]
            rows = [(pk, *row) for pk, row in zip(ids, rows, strict=True)]
        sql = f"COPY {table} ({', '.join(map(quote, names))}) FROM STDIN"
        # Django's own exceptions (IntegrityError…) for errors, as its cursor raises them.
        with connection.wrap_database_errors, cursor.cursor.copy(sql) as copy:
            for row in _prepared(prepare, rows):
                copy.write_row(row)
    return ids


def _sequence(model: type[models.Model]) -> str | None:
    """The PostgreSQL sequence that numbers the model's rows (None if there is none)."""
    table = model._meta.db_table
    if table not in _SEQUENCES:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_get_serial_sequence(%s, %s)",
                [connection.ops.quote_name(table), model._meta.pk.column],
            )
            _SEQUENCES[table] = cursor.fetchone()[0]
    return _SEQUENCES[table]


_SEQUENCES: dict[str, str | None] = {}


def made_anew(field: models.Field) -> bool:
    """Whether the field's default is a function, called for each record (a new dict);
    other defaults are one value for all."""
    return field.has_default() and callable(field.default)


def _preparer(field: models.Field) -> Callable[[Any], Any] | None:
    """How a column's value becomes a parameter: as it is, or through the field (the
    last value's result kept, as a whole batch often shares one timestamp)."""
    if field.get_internal_type() in PLAIN:
        return None
    prepare = partial(field.get_db_prep_save, connection=connection)
    if isinstance(field, models.JSONField):
        # JSON as text, as Django sends it to SQLite; PostgreSQL's COPY reads the same
        # text into jsonb (Django's wrapper for its driver would encode it alike, slower).
        def prepare(value: Any) -> Any:
            if value is None:
                return None
            if type(value) is JSONText:
                return str(value)
            return json.dumps(field.get_prep_value(value), cls=field.encoder)

    last: list[Any] = [object(), None]

    def convert(value: Any) -> Any:
        if value is not last[0]:
            last[:] = [value, prepare(value)]
        return last[1]

    return convert


def instances(model: type[models.Model], columns: Sequence[str], rows, ids: list[int]):
    """Model instances of rows just inserted (as if loaded from the database), their
    other fields at their defaults."""
    given = {name: position for position, name in enumerate(columns)}
    fields = model._meta.concrete_fields
    pk_name = model._meta.pk.attname
    missing = [field for field in fields if field.attname not in given and field.attname != pk_name]
    alias = connection.alias
    if pre_init.has_listeners(model) or post_init.has_listeners(model):
        names = [pk_name, *columns, *(field.attname for field in missing)]
        order = {name: position for position, name in enumerate(names)}
        positions = [order[field.attname] for field in fields]
        attnames = [field.attname for field in fields]
        result = []
        for pk, row in zip(ids, rows, strict=True):
            values = (pk, *row, *[field.get_default() for field in missing])
            result.append(model.from_db(alias, attnames, [values[i] for i in positions]))
        return result
    # What `from_db` makes, without `__init__`'s work per field: with no receivers of
    # the init signals, an instance is its attribute values and a state.
    made = [f for f in missing if made_anew(f)]
    # The attributes in the fields' order, as `__init__` sets them.
    template = {f.attname: None if made_anew(f) else f.get_default() for f in fields}
    new = model.__new__
    result = []
    for pk, row in zip(ids, rows, strict=True):
        instance = new(model)
        state = ModelState()
        state.adding, state.db = False, alias
        instance._state = state
        values = template.copy()
        values[pk_name] = pk
        for field in made:
            values[field.attname] = field.get_default()
        values.update(zip(columns, row, strict=True))
        instance.__dict__.update(values)
        result.append(instance)
    return result
