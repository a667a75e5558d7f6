"""Indexes that put an organisation's or person's business lines first.

Every list a user sees is restricted to their lines by `EXISTS (… WHERE line IN (…) AND
record = outer.id)`. Django's own index on the many-to-many table leads with the record
(`record, line`), so the database could only test rows one by one; led by the line, it
reads the visible ids of a line as one ordered range (a merge or hash semi-join), which
is what counting a restricted list and filtering by category need.
"""

from django.db import migrations

INDEXES = {
    "directory_org_lines_by_line": (
        "directory_organization_business_lines",
        "businessline_id, organization_id",
    ),
    "directory_person_lines_by_line": (
        "directory_person_business_lines",
        "businessline_id, person_id",
    ),
    "directory_org_categories_by_category": (
        "directory_organization_categories",
        "category_id, organization_id",
    ),
}


class Migration(migrations.Migration):
    dependencies = [("directory", "0004_segments")]

    operations = [
        migrations.RunSQL(
            f"CREATE INDEX {name} ON {table} ({columns})",
            f"DROP INDEX {name}",
        )
        for name, (table, columns) in INDEXES.items()
    ]
