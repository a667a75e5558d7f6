"""Import benchmark: a workbook of N rows (default 100 000), each an organisation with its
contact person (name, INN, phone, a date attribute; full name, position, e-mail), checked
and imported by the same code as the import wizard, into a throwaway SQLite database (or
the database of --database). Prints rows per second of the check and of the whole import,
and peak memory.

    DEBUG=1 .venv/bin/python bench/imports.py [--rows 100000] [--database postgres://…]
"""

from __future__ import annotations

import datetime
import tempfile
import time

from common import bench_user, define_attributes, peak_rss_mb, started_up


def workbook(rows: int) -> bytes:
    """The file a client would send, written by openpyxl."""
    from openpyxl import Workbook

    from sputnik.directory.demo import company_inn

    book = Workbook(write_only=True)
    sheet = book.create_sheet("Клиенты")
    sheet.append(["Наименование", "ИНН", "Телефон", "founded", "ФИО", "Должность", "E-mail"])
    for n in range(rows):
        sheet.append(
            [
                f"ООО «Импорт {n}»",
                company_inn(f"{77 + n // 100_000 % 20:02d}{n // 10_000 % 100:02d}", n % 10_000 * 9),
                f"+7 495 {n:07d}",
                datetime.date(2000 + n % 25, 1 + n % 12, 1 + n % 28),
                f"Иванов{n} Иван Петрович",
                "Директор",
                f"director{n}@import.example",
            ]
        )
    with tempfile.TemporaryFile() as raw:
        book.save(raw)
        raw.seek(0)
        return raw.read()


def main() -> None:
    args = started_up(__doc__)
    from django.core.files.uploadedfile import SimpleUploadedFile

    from sputnik.integrations import services
    from sputnik.integrations.models import Import

    user, line = bench_user(all_lines_role="write")
    define_attributes()
    started = time.perf_counter()
    data = workbook(args.rows)
    print(
        f"wrote a {len(data) / 1e6:.1f} MB workbook of {args.rows} rows "
        f"in {time.perf_counter() - started:.1f} s"
    )
    upload = SimpleUploadedFile("clients.xlsx", data)
    run = services.import_create(actor=user, kind="organizations", upload=upload)
    services.import_configure(actor=user, run=run, business_lines=[line])
    before = peak_rss_mb()
    started = time.perf_counter()
    checked = services.import_check(run)
    elapsed = time.perf_counter() - started
    print(
        f"checked {len(checked.rows)} rows in {elapsed:.1f} s: "
        f"{len(checked.rows) / elapsed:,.0f} rows/s ({len(checked.rejected)} rejected)"
    )
    del checked
    started = time.perf_counter()
    services.import_run(run.pk)
    elapsed = time.perf_counter() - started
    run = Import.objects.get(pk=run.pk)
    print(
        f"imported (checked again and written) {run.done} rows in {elapsed:.1f} s: "
        f"{run.done / elapsed:,.0f} rows/s; status {run.status} {run.error}"
    )
    print(f"peak RSS {before:.0f} MB before, {peak_rss_mb():.0f} MB after")


if __name__ == "__main__":
    main()
