"""On PostgreSQL, the words of inserted names are added once per statement, over all its
rows, instead of row by row (see `sputnik.directory.search_words`); renames are unchanged.
SQLite keeps its triggers."""

from django.db import migrations

from sputnik.directory import search_words


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        search_words.install(schema_editor, fill=False)


class Migration(migrations.Migration):
    dependencies = [("directory", "0007_search_words")]

    # Going back keeps the new triggers: they add the same words as the old ones.
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
