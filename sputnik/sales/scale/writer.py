"""Bulk writing of generated rows: COPY on PostgreSQL, batched inserts on SQLite.

Rows are plain tuples in the order of a table's columns; each table buffers a chunk and
writes it when full. Before a table's chunk is written, the chunks of the tables declared
before it are written too, so that a row never reaches the database before the rows it
refers to (tables are declared parents first). Memory stays at one chunk per table.

The ORM is bypassed on purpose: no signals, hence no audit entries for generated rows.
"""

from __future__ import annotations

import datetime
import json
import time
from collections.abc import Iterable

from django.db import connection, transaction

CHUNK = 20_000


class Table:
    """One table being filled: its columns, the rows waiting and how many were written.
    Generators append to `rows` (its `add`) and call the writer's `due()` after each
    record; the list object stays the same, so a bound `add` stays valid."""

    def __init__(self, writer: Writer, name: str, columns: list[str], position: int):
        self.writer, self.name, self.columns, self.position = writer, name, columns, position
        self.rows: list[tuple] = []
        self.add = self.rows.append
        self.count = 0


class Clock:
    """Moments as whole seconds since the epoch (UTC) and days as day numbers, turned
    into the text both databases read, from cached day and time-of-day strings."""

    def __init__(self, suffix: str):
        self.suffix = suffix
        self.times = [f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}" for s in range(86400)]
        self.days: dict[int, str] = {}

    def day(self, number: int | None) -> str | None:
        if number is None:
            return None
        text = self.days.get(number)
        if text is None:
            text = self.days[number] = (EPOCH + datetime.timedelta(days=number)).isoformat()
        return text

    def moment(self, seconds: int | None) -> str | None:
        if seconds is None:
            return None
        days, rest = divmod(seconds, 86400)
        text = self.days.get(days) or self.day(days)
        return f"{text} {self.times[rest]}{self.suffix}"


EPOCH = datetime.date(1970, 1, 1)


def columns_of(model, fields: Iterable[str]) -> tuple[str, list[str]]:
    """The table name and column names of a model's fields (attribute names)."""
    by_name = {f.attname: f.column for f in model._meta.concrete_fields}
    by_name.update({f.name: f.column for f in model._meta.concrete_fields})
    return model._meta.db_table, [by_name[name] for name in fields]


class Writer:
    """Database-neutral part: tables in dependency order, progress, value forms."""

    vendor = ""
    suffix = ""
    skips_triggers = False  # True when the load bypassed the database's triggers

    def __init__(self, out=None):
        self.tables: list[Table] = []
        self.out = out
        self.clock = Clock(self.suffix)
        self.moment, self.day = self.clock.moment, self.clock.day
        self.pending = 0

    def table(self, model, fields: list[str]) -> Table:
        name, columns = columns_of(model, fields)
        table = Table(self, name, columns, len(self.tables))
        self.tables.append(table)
        return table

    def due(self) -> None:
        """Called after each record: now and then, write the tables whose chunk is full
        (with the tables before them)."""
        self.pending += 1
        if self.pending >= 500:
            self.pending = 0
            full = [t.position for t in self.tables if len(t.rows) >= CHUNK]
            if full:
                self.flush(upto=max(full))

    def flush(self, upto: int | None = None) -> None:
        last = len(self.tables) - 1 if upto is None else upto
        for table in self.tables[: last + 1]:
            if table.rows:
                self.write(table, table.rows)
                table.count += len(table.rows)
                table.rows.clear()

    def write(self, table: Table, rows: list[tuple]) -> None:
        raise NotImplementedError

    def json(self, value) -> str:
        return json.dumps(value, ensure_ascii=False)

    def start(self, tables: list[str]) -> None:
        """Prepare the tables for a bulk load."""

    def finish(self, tables: list[str], say) -> None:
        """Restore what `start` removed, bring sequences past the ids used, gather
        statistics."""


class SqliteWriter(Writer):
    vendor = "sqlite"  # datetimes as UTC text without an offset, as Django keeps them

    def write(self, table: Table, rows: list[tuple]) -> None:
        marks = ", ".join("?" * len(table.columns))
        sql = f'INSERT INTO "{table.name}" ({", ".join(table.columns)}) VALUES ({marks})'
        connection.ensure_connection()
        with transaction.atomic():
            connection.connection.executemany(sql, rows)

    def json(self, value) -> str:
        return json.dumps(value)  # as Django stores JSON on SQLite (non-ASCII escaped)

    def start(self, tables: list[str]) -> None:
        with connection.cursor() as cursor:
            if not connection.in_atomic_block:
                cursor.execute("PRAGMA synchronous=OFF")
                cursor.execute("PRAGMA foreign_keys=OFF")
            # Secondary indexes are built once at the end: faster than row by row.
            marks = ", ".join(["%s"] * len(tables))
            cursor.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
                f"AND tbl_name IN ({marks}) ORDER BY name",
                tables,
            )
            self.saved = cursor.fetchall()
            for name, _sql in self.saved:
                cursor.execute(f'DROP INDEX "{name}"')

    def finish(self, tables: list[str], say) -> None:
        with connection.cursor() as cursor:
            started = time.monotonic()
            for _name, sql in self.saved:
                cursor.execute(sql)
            say(f"{len(self.saved)} indexes rebuilt: {time.monotonic() - started:.1f} s")
            self.saved = []
            if not connection.in_atomic_block:
                cursor.execute("PRAGMA foreign_keys=ON")
                cursor.execute("PRAGMA synchronous=NORMAL")
                started = time.monotonic()
                cursor.execute("ANALYZE")
                say(f"ANALYZE: {time.monotonic() - started:.1f} s")


class PostgresWriter(Writer):
    """COPY per chunk. During the load the secondary indexes and unique constraints of
    the loaded tables are dropped and foreign-key triggers are off (for a superuser), then
    everything is rebuilt in one pass per index, which is several times faster than
    maintaining them row by row."""

    vendor = "postgresql"
    suffix = "+00"

    @property
    def skips_triggers(self) -> bool:
        return self.replica

    def __init__(self, out=None):
        super().__init__(out)
        self.saved: list[tuple[str, str, str, str]] = []
        self.replica = False

    def write(self, table: Table, rows: list[tuple]) -> None:
        columns = ", ".join(table.columns)
        sql = f'COPY "{table.name}" ({columns}) FROM STDIN'
        with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
            for row in rows:
                copy.write_row(row)

    def settle(self, cursor) -> None:
        """Inside a transaction (tests), check the deferred constraints now: a table with
        pending trigger events can neither lose nor gain an index."""
        if connection.in_atomic_block:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")

    def start(self, tables: list[str]) -> None:
        with connection.cursor() as cursor:
            self.settle(cursor)
            cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
            self.replica = bool(cursor.fetchone()[0])
            if self.replica:
                # No foreign-key triggers: the generator writes consistent rows.
                cursor.execute("SET session_replication_role = replica")
            cursor.execute(
                """
                SELECT t.relname, i.relname, c.conname,
                       coalesce(pg_get_constraintdef(c.oid), pg_get_indexdef(i.oid))
                FROM pg_index x
                JOIN pg_class i ON i.oid = x.indexrelid
                JOIN pg_class t ON t.oid = x.indrelid
                LEFT JOIN pg_constraint c
                    ON c.conindid = x.indexrelid AND c.conrelid = t.oid AND c.contype = 'u'
                WHERE t.relname = ANY(%s) AND NOT x.indisprimary
                  AND t.relnamespace = 'public'::regnamespace
                ORDER BY t.relname, i.relname
                """,
                [tables],
            )
            self.saved = [(t, i, c or "", d) for t, i, c, d in cursor.fetchall()]
            for table, index, constraint, _definition in self.saved:
                if constraint:
                    cursor.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT "{constraint}"')
                else:
                    cursor.execute(f'DROP INDEX "{index}"')

    def finish(self, tables: list[str], say) -> None:
        with connection.cursor() as cursor:
            self.settle(cursor)
            started = time.monotonic()
            for table, _index, constraint, definition in self.saved:
                if constraint:
                    cursor.execute(
                        f'ALTER TABLE "{table}" ADD CONSTRAINT "{constraint}" {definition}'
                    )
                else:
                    cursor.execute(definition)
            say(f"{len(self.saved)} indexes rebuilt: {time.monotonic() - started:.1f} s")
            self.saved = []
            if self.replica:
                cursor.execute("SET session_replication_role = DEFAULT")
            for table in tables:
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
                    f'coalesce(max(id), 0) + 1, false) FROM "{table}"'
                )
            # VACUUM too (outside a transaction only): it sets the visibility map, without
            # which a freshly loaded table gets no index-only scans until autovacuum runs.
            command = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
            started = time.monotonic()
            for table in tables:
                cursor.execute(f'{command} "{table}"')
            say(f"{command}: {time.monotonic() - started:.1f} s")


def writer_for_connection(out=None) -> Writer:
    if connection.vendor == "postgresql":
        return PostgresWriter(out)
    if connection.vendor == "sqlite":
        return SqliteWriter(out)
    raise NotImplementedError(f"No bulk path for {connection.vendor}")
