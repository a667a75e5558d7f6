"""Indexes on the sort keys of the custom attributes defined before the service built them
(`attribute_indexes`).

Not atomic, so that on PostgreSQL they are built concurrently: a database in use keeps
taking writes to its organisations while the indexes of a million rows are built.
"""

from django.db import migrations

TARGETS = ("organization", "person")


def create(apps, schema_editor):
    from sputnik.directory import attribute_indexes

    for target in TARGETS:
        attribute_indexes.sync(target, apps=apps, using=schema_editor.connection.alias)


def drop(apps, schema_editor):
    from sputnik.directory import attribute_indexes

    for target in TARGETS:
        attribute_indexes.drop_all(target, apps=apps, using=schema_editor.connection.alias)


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("directory", "0005_line_lookup_indexes")]

    operations = [migrations.RunPython(create, drop, elidable=True)]
