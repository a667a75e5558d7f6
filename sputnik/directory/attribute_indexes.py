"""An index on the sort key of every custom attribute a list offers to sort by.

Sorted by an attribute, a list orders the rows the user may see by an expression over the
JSON `attributes` (`attributes.sort_key`). Without an index the database computes it for
every visible row and sorts them all to show fifty (0.7 s at a million organisations on
PostgreSQL). With an index on that very expression and the id (which breaks ties), it
reads rows in the list's order, tests each for the user's lines and stops at the page's
end.

Sortable means: active, shown as a column of the organisation or person list (the column's
header sorts it) and of a type whose key is read from the row itself — not a reference to
an organisation (sorted by the other row's name), nor long text or several choices, whose
text may pass what an index entry holds.

`sync` makes a table's indexes match its definitions: after the commit of every change to
a definition (services), in the migration that brought them to existing databases, and
for any code that deletes a definition. A change to `sort_key` needs a migration that
runs it again, or existing databases keep indexes the new queries cannot use.
"""

from __future__ import annotations

import hashlib
import logging
from functools import partial

from django.apps import apps as global_apps
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, transaction
from django.db.models import F, Index

from .attributes import sort_key
from .models import AttributeTarget, AttributeType

logger = logging.getLogger(__name__)

PREFIX = "attr_sort_"
LISTED = {AttributeTarget.ORGANIZATION: "Organization", AttributeTarget.PERSON: "Person"}
T = AttributeType
SORTABLE_TYPES = {T.STRING, T.INTEGER, T.DECIMAL, T.DATE, T.BOOLEAN, T.CHOICE}


def is_sortable(definition) -> bool:
    return (
        definition.is_active
        and definition.show_in_list
        and definition.target in LISTED
        and definition.type in SORTABLE_TYPES
    )


def indexes_for(definition, model, connection) -> list[Index]:
    """The indexes a sortable definition needs, each named after the definition's id and a
    digest of its statement: a definition whose key changes (or a database that writes it
    differently) gets a new index in place of the old one.

    Either direction puts empty values last and breaks ties by ascending id, so each has
    its own index: one read backwards would give the ties, and on PostgreSQL the empty
    values, the other way round. (SQLite keeps empty values last in a descending index
    and cannot say so.)
    """
    key = sort_key(definition)
    descending = key.desc(nulls_last=True) if connection.vendor == "postgresql" else key.desc()
    shapes = {"": (key, F("id")), "_desc": (descending, F("id"))}
    editor = connection.SchemaEditorClass(connection)
    found = []
    for suffix, expressions in shapes.items():
        statement = str(Index(*expressions, name="draft").create_sql(model, editor))
        digest = hashlib.sha1(statement.encode()).hexdigest()[:8]
        found.append(Index(*expressions, name=f"{PREFIX}{definition.pk}_{digest}{suffix}"))
    return found


def sync(target: str, *, apps=global_apps, using: str = DEFAULT_DB_ALIAS) -> None:
    """Create the missing indexes of `target`'s sortable attributes and drop the others.

    Outside a transaction PostgreSQL builds and drops them concurrently, without holding
    up writes to the table. A failure is logged, not raised: the list still sorts, only
    more slowly, and the next change to a definition tries again.
    """
    if target not in LISTED:
        return
    connection, model = connections[using], apps.get_model("directory", LISTED[target])
    definitions = apps.get_model("directory", "AttributeDefinition")._default_manager
    wanted = {
        index.name: index
        for definition in definitions.using(using).filter(target=target)
        if is_sortable(definition)
        for index in indexes_for(definition, model, connection)
    }
    _reconcile(connection, model, wanted)


def drop_all(target: str, *, apps=global_apps, using: str = DEFAULT_DB_ALIAS) -> None:
    """Drop every index of `target`'s attributes (undoing the migration that made them)."""
    if target in LISTED:
        _reconcile(connections[using], apps.get_model("directory", LISTED[target]), {})


def sync_after_commit(target: str) -> None:
    """`sync` once the definition's change is committed (and so visible to it)."""
    transaction.on_commit(partial(sync, target), robust=True)


def _reconcile(connection, model, wanted: dict[str, Index]) -> None:
    present, broken = _present(connection, model._meta.db_table)
    for name in sorted(present - set(wanted) | broken):
        _run(connection, partial(_drop, connection, name))
    for name in sorted(set(wanted) - (present - broken)):
        if not _run(connection, partial(_create, connection, model, wanted[name])):
            _run(connection, partial(_drop, connection, name))


def _present(connection, table: str) -> tuple[set[str], set[str]]:
    """The names of this module's indexes on `table`, and of those a failed concurrent
    build left unusable (PostgreSQL marks them invalid)."""
    pattern = PREFIX.replace("_", "\\_") + "%"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT i.relname, x.indisvalid FROM pg_index x "
                "JOIN pg_class i ON i.oid = x.indexrelid "
                "WHERE x.indrelid = to_regclass(%s) AND i.relname LIKE %s",
                [connection.ops.quote_name(table), pattern],
            )
        else:
            cursor.execute(
                "SELECT name, 1 FROM sqlite_master WHERE type = 'index' AND tbl_name = %s "
                "AND name LIKE %s ESCAPE '\\'",
                [table, pattern],
            )
        rows = cursor.fetchall()
    return {name for name, _valid in rows}, {name for name, valid in rows if not valid}


def _concurrently(connection) -> bool:
    return connection.vendor == "postgresql" and not connection.in_atomic_block


def _create(connection, model, index: Index) -> None:
    editor = connection.SchemaEditorClass(connection)
    options = {"concurrently": True} if _concurrently(connection) else {}
    statement = index.create_sql(model, editor, **options)
    with connection.cursor() as cursor:
        cursor.execute(str(statement))


def _drop(connection, name: str) -> None:
    how = "CONCURRENTLY " if _concurrently(connection) else ""
    with connection.cursor() as cursor:
        cursor.execute(f"DROP INDEX {how}IF EXISTS {connection.ops.quote_name(name)}")


def _run(connection, step) -> bool:
    """Run one step; inside a transaction behind a savepoint, so that a failure leaves
    the transaction usable."""
    try:
        if connection.in_atomic_block:
            with transaction.atomic(using=connection.alias):
                step()
        else:
            step()
    except DatabaseError:
        logger.warning("Custom attribute index not changed: %s", step, exc_info=True)
        return False
    return True
