"""On PostgreSQL, the words of inserted names are added once per statement, over all its
rows, instead of row by row (see `sputnik.directory.search_words`); renames are unchanged.
SQLite keeps its triggers."""

from django.db import migrations

from sputnik.directory import search_words


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        search_words.install(schema_editor, fill=False)


def backwards(apps, schema_editor):
    """Back to one row trigger for inserts and renames, as migration 0007 made it."""
    if schema_editor.connection.vendor != "postgresql":
        return
    for source, columns in search_words.SOURCES.items():
        trigger = f"{source}_search_words"
        arguments = ", ".join(f"'{column}'" for column in columns)
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {trigger}_insert ON {source}")
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {trigger} ON {source}")
        schema_editor.execute(
            f"CREATE TRIGGER {trigger} AFTER INSERT OR UPDATE OF {', '.join(columns)} "
            f"ON {source} FOR EACH ROW EXECUTE FUNCTION directory_search_words({arguments})"
        )
    schema_editor.execute("DROP FUNCTION IF EXISTS directory_search_words_inserted()")


class Migration(migrations.Migration):
    dependencies = [("directory", "0007_search_words")]

    operations = [migrations.RunPython(forwards, backwards)]
