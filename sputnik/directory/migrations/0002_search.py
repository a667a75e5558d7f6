"""Indexes of the typo-tolerant name search (DIR-4), one kind per database.

PostgreSQL: the pg_trgm extension and GIN trigram indexes on the lower-cased names, so
`lower(name) %> 'query'` (word similarity) and `lower(name) LIKE '%query%'` use an index.

SQLite (3.34 or later): FTS5 tables with the trigram tokenizer over the names, kept in
sync with the directory tables by triggers. Caution: when a later migration alters
`directory_organization` or `directory_person`, Django's SQLite schema editor rebuilds
the table and its triggers are lost; such a migration must run `install_sqlite` of this
module again (test_search checks that renaming a record changes what search finds).
"""

import sqlite3

from django.db import migrations

PG_INDEXES = {
    "directory_org_short_name_trgm": ("directory_organization", "short_name"),
    "directory_org_full_name_trgm": ("directory_organization", "full_name"),
    "directory_person_last_name_trgm": ("directory_person", "last_name"),
    "directory_person_first_name_trgm": ("directory_person", "first_name"),
}

# search table → (content table, indexed columns)
FTS_TABLES = {
    "directory_organization_search": ("directory_organization", ("short_name", "full_name")),
    "directory_person_search": ("directory_person", ("last_name", "first_name")),
}


def sqlite_statements(search, content, columns):
    names = ", ".join(columns)
    new = ", ".join(f"new.{c}" for c in columns)
    old = ", ".join(f"old.{c}" for c in columns)
    insert = f"INSERT INTO {search}(rowid, {names}) VALUES (new.id, {new});"
    delete = f"INSERT INTO {search}({search}, rowid, {names}) VALUES ('delete', old.id, {old});"
    return [
        f"CREATE VIRTUAL TABLE IF NOT EXISTS {search} USING fts5({names}, "
        f"content='{content}', content_rowid='id', tokenize='trigram')",
        f"DROP TRIGGER IF EXISTS {search}_insert",
        f"DROP TRIGGER IF EXISTS {search}_delete",
        f"DROP TRIGGER IF EXISTS {search}_update",
        f"CREATE TRIGGER {search}_insert AFTER INSERT ON {content} BEGIN {insert} END",
        f"CREATE TRIGGER {search}_delete AFTER DELETE ON {content} BEGIN {delete} END",
        f"CREATE TRIGGER {search}_update AFTER UPDATE OF {names} ON {content} "
        f"BEGIN {delete} {insert} END",
        f"INSERT INTO {search}({search}) VALUES ('rebuild')",
    ]


def install_sqlite(schema_editor):
    """Create (or repair) the FTS5 tables and triggers and fill them from the tables."""
    if sqlite3.sqlite_version_info < (3, 34):
        raise RuntimeError(
            f"Search needs SQLite 3.34 or later (FTS5 trigram tokenizer); "
            f"this Python has {sqlite3.sqlite_version}. Use a newer Python or PostgreSQL."
        )
    for search, (content, columns) in FTS_TABLES.items():
        for statement in sqlite_statements(search, content, columns):
            schema_editor.execute(statement)


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        for index, (table, column) in PG_INDEXES.items():
            schema_editor.execute(
                f"CREATE INDEX IF NOT EXISTS {index} ON {table} "
                f"USING gin (lower({column}) gin_trgm_ops)"
            )
    elif vendor == "sqlite":
        install_sqlite(schema_editor)


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        # The extension stays: other schemas or later migrations may rely on it.
        for index in PG_INDEXES:
            schema_editor.execute(f"DROP INDEX IF EXISTS {index}")
    elif vendor == "sqlite":
        for search in FTS_TABLES:
            for suffix in ("insert", "delete", "update"):
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {search}_{suffix}")
            schema_editor.execute(f"DROP TABLE IF EXISTS {search}")


class Migration(migrations.Migration):
    dependencies = [("directory", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
