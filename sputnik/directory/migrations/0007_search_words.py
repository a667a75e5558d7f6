"""The words of the names, for search's typo step (see `sputnik.directory.search_words`)."""

from django.db import migrations

from sputnik.directory import search_words


def forwards(apps, schema_editor):
    search_words.install(schema_editor)


def backwards(apps, schema_editor):
    search_words.uninstall(schema_editor)


class Migration(migrations.Migration):
    dependencies = [("directory", "0006_attribute_sort_indexes")]

    operations = [migrations.RunPython(forwards, backwards)]
