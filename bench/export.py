"""Export benchmark: N organisations (default 100 000) with custom attributes and contacts
in a throwaway SQLite database (or the database of DATABASE_URL), exported to .xlsx by the
same code as the "Excel" button. Prints rows per second and peak memory.

    DEBUG=1 .venv/bin/python bench/export.py [--rows 100000]

Rows are inserted with bulk_create (the services would validate and audit each one, which
is what the demo data does and what this benchmark does not measure)."""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def setup(database: str | None) -> None:
    os.environ.setdefault("DEBUG", "1")
    if database is None:
        database = f"sqlite:///{tempfile.mkdtemp(prefix='sputnik-bench-')}/bench.sqlite3"
    os.environ["DATABASE_URL"] = database
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sputnik.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def fill(rows: int):
    from django.contrib.auth.models import Group
    from django.db import transaction

    from sputnik.access.models import BusinessLine, RoleCode, User
    from sputnik.directory import services
    from sputnik.directory.models import AttributeDefinition, ContactPoint, Organization

    line = BusinessLine.objects.create(name="Bench", code="bench")
    user = User.objects.create_user("bench", password="bench-bench-42", all_lines_role="read")
    user.groups.add(*Group.objects.filter(name=RoleCode.SALESPERSON))
    for code, kind in (("staff", "integer"), ("founded", "date")):
        services.attribute_definition_save(
            actor=None,
            definition=AttributeDefinition(),
            target="organization",
            code=code,
            type=kind,
            label_ru=code,
            label_en=code,
        )
    through = Organization.business_lines.through
    batch = 5000
    with transaction.atomic():
        for start in range(0, rows, batch):
            organizations = Organization.objects.bulk_create(
                Organization(
                    short_name=f"ООО «Бенчмарк {n}»",
                    full_name=f"Общество с ограниченной ответственностью «Бенчмарк {n}»",
                    attributes={"staff": n % 5000, "founded": f"20{n % 25:02d}-01-15"},
                )
                for n in range(start, min(start + batch, rows))
            )
            through.objects.bulk_create(
                through(organization_id=o.pk, businessline_id=line.pk) for o in organizations
            )
            ContactPoint.objects.bulk_create(
                ContactPoint(organization=o, kind="phone", value=f"+7495{o.pk:07d}")
                for o in organizations
            )
    return user


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--database", help="a DATABASE_URL; a temporary SQLite file if none")
    args = parser.parse_args()
    setup(args.database)
    started = time.perf_counter()
    user = fill(args.rows)
    print(f"filled {args.rows} organisations in {time.perf_counter() - started:.1f} s")

    from sputnik.integrations.excel import write_export
    from sputnik.integrations.models import Export

    run = Export.objects.create(created_by=user, kind="organizations", params={})
    before = peak_rss_mb()
    started = time.perf_counter()
    write_export(run.pk)
    elapsed = time.perf_counter() - started
    run.refresh_from_db()
    size = run.file.size / 1e6
    print(f"exported {run.done} rows in {elapsed:.1f} s: {run.done / elapsed:,.0f} rows/s")
    after = peak_rss_mb()
    print(f"file {size:.1f} MB; peak RSS {before:.0f} MB before the export, {after:.0f} MB after")


def peak_rss_mb() -> float:
    """The process's peak resident memory so far (Linux reports kilobytes)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e3


if __name__ == "__main__":
    main()
