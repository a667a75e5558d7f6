"""Inserting many rows of one model without a model instance per row.

Imports write hundreds of thousands of records, links and audit entries; Django's
`bulk_create` spends most of its time preparing each object field by field. Here the
values come as tuples, plain columns go to the database as they are, and the others
(dates, JSON, addresses) through their field's own conversion, so what is stored is
what `bulk_create` would store.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from itertools import batched
from typing import Any

from django.db import connection, models

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


def insert(
    model: type[models.Model],
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    returning: bool = False,
) -> list[int]:
    """Insert `rows` (values in the order of `columns`, which are attribute names such
    as "organization_id") into the model's table, a thousand rows a statement. Returns
    the new primary keys in the rows' order when `returning`. Sends no signals and
    writes no audit: the caller does what it needs of both."""
    if not rows:
        return []
    fields = {field.attname: field for field in model._meta.concrete_fields}
    prepare = [_preparer(fields[name]) for name in columns]
    quote = connection.ops.quote_name
    head = f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(map(quote, columns))}) VALUES "
    one = "(" + ", ".join(["%s"] * len(columns)) + ")"
    tail = f" RETURNING {quote(model._meta.pk.column)}" if returning else ""
    per_statement = ROWS_PER_STATEMENT
    if connection.features.max_query_params:
        per_statement = min(per_statement, connection.features.max_query_params // len(columns))
    ids: list[int] = []
    with connection.cursor() as cursor:
        if not returning:
            # One short statement for every row: the drivers prepare (psycopg: parse) it
            # once, where a statement of a thousand rows is parsed anew each time.
            cursor.executemany(
                head + one,
                [
                    [
                        value if convert is None else convert(value)
                        for convert, value in zip(prepare, row, strict=True)
                    ]
                    for row in rows
                ],
            )
            return ids
        for batch in batched(rows, per_statement):
            params: list[Any] = []
            for row in batch:
                params.extend(
                    value if convert is None else convert(value)
                    for convert, value in zip(prepare, row, strict=True)
                )
            cursor.execute(head + ", ".join([one] * len(batch)) + tail, params)
            if returning:
                ids.extend(pk for (pk,) in cursor.fetchall())
    return ids


def _preparer(field: models.Field) -> Callable[[Any], Any] | None:
    """How a column's value becomes a parameter: as it is, or through the field (the
    last value's result kept, as a whole batch often shares one timestamp)."""
    if field.get_internal_type() in PLAIN:
        return None
    last: list[Any] = [object(), None]

    def convert(value: Any) -> Any:
        if value is not last[0]:
            last[:] = [value, field.get_db_prep_save(value, connection)]
        return last[1]

    return convert


def instances(model: type[models.Model], columns: Sequence[str], rows, ids: list[int]):
    """Model instances of rows just inserted (as if loaded from the database), their
    other fields at their defaults."""
    names = ["id", *columns]
    fields = model._meta.concrete_fields
    missing = [field for field in fields if field.attname not in names]
    names += [field.attname for field in missing]
    order = {name: position for position, name in enumerate(names)}
    positions = [order[field.attname] for field in fields]
    attnames = [field.attname for field in fields]
    result = []
    for pk, row in zip(ids, rows, strict=True):
        values = (pk, *row, *[field.get_default() for field in missing])
        result.append(model.from_db(connection.alias, attnames, [values[i] for i in positions]))
    return result
