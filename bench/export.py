"""Export benchmark: N organisations (default 100 000) with custom attributes and contacts
in a throwaway SQLite database (or the database of DATABASE_URL), exported to .xlsx by the
same code as the "Excel" button. Prints rows per second and peak memory.

    DEBUG=1 .venv/bin/python bench/export.py [--rows 100000]

Rows are inserted with bulk_create (the services would validate and audit each one, which
is what the demo data does and what this benchmark does not measure)."""

from __future__ import annotations

import time

from common import bench_user, define_attributes, peak_rss_mb, started_up


def fill(rows: int):
    from django.db import transaction

    from sputnik.directory.models import ContactPoint, Organization

    user, line = bench_user()
    define_attributes()
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
    args = started_up(__doc__)
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


if __name__ == "__main__":
    main()
