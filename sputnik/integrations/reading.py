"""Spreadsheets and CSV files read into rows of Python values, whatever program wrote them.

.xlsx, .xls and .ods go through python-calamine (dates come as dates, numbers as floats);
.csv is decoded as UTF-8 or, failing that, Windows-1251, and its separator (`;`, `,` or a
tab) is found from the first lines.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from python_calamine import CalamineError, CalamineWorkbook

SPREADSHEETS = (".xlsx", ".xlsm", ".xls", ".ods")
EXTENSIONS = (*SPREADSHEETS, ".csv", ".txt")
SEPARATORS = ";,\t"


@dataclass
class Table:
    """One sheet: its header cells and the rows under them (each as long as the header)."""

    headers: list[str]
    rows: list[list[Any]] = field(default_factory=list)
    sheet: str = ""
    sheets: list[str] = field(default_factory=list)
    encoding: str = ""
    separator: str = ""


def read_table(data: bytes, filename: str, *, sheet: str = "") -> Table:
    """The first non-empty sheet (or `sheet`) of the file: headers from its first non-empty
    row. ValidationError, in words a user understands, for anything unreadable."""
    name = filename.lower()
    if name.endswith(SPREADSHEETS):
        table = _read_workbook(data, sheet)
    elif name.endswith((".csv", ".txt")):
        table = _read_csv(data)
    else:
        raise ValidationError(
            _("Sputnik reads .xlsx, .xls, .ods and .csv files; “%(name)s” is none of them.")
            % {"name": filename}
        )
    if not table.headers:
        raise ValidationError(_("The file has no rows."))
    return table


def _read_workbook(data: bytes, wanted: str) -> Table:
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
        names = workbook.sheet_names
        if wanted and wanted not in names:
            raise ValidationError(_("The file has no sheet “%(name)s”.") % {"name": wanted})
        table = Table(headers=[], sheets=names)
        for name in [wanted] if wanted else names:
            rows = workbook.get_sheet_by_name(name).to_python(skip_empty_area=True)
            rows = _without_empty(rows)
            if rows:
                table.sheet = name
                table.headers, table.rows = _split(rows)
                break
        return table
    except (CalamineError, ValueError, OSError) as error:
        raise ValidationError(
            _("The file cannot be read as a spreadsheet (%(error)s).") % {"error": error}
        ) from None


def _read_csv(data: bytes) -> Table:
    for encoding in ("utf-8-sig", "cp1251"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - cp1251 decodes every byte but a few
        raise ValidationError(_("The file is neither UTF-8 nor Windows-1251 text."))
    separator = _separator(text)
    rows = _without_empty(list(csv.reader(io.StringIO(text, newline=""), delimiter=separator)))
    table = Table(headers=[], encoding=encoding.removesuffix("-sig"), separator=separator)
    if rows:
        table.headers, table.rows = _split(rows)
    return table


def _separator(text: str) -> str:
    sample = "\n".join(text.splitlines()[:20])
    try:
        return csv.Sniffer().sniff(sample, delimiters=SEPARATORS).delimiter
    except csv.Error:
        first = sample.split("\n", 1)[0]
        return max(SEPARATORS, key=first.count)


def _without_empty(rows: list[list[Any]]) -> list[list[Any]]:
    return [row for row in rows if any(_filled(value) for value in row)]


def _filled(value: Any) -> bool:
    return value is not None and str(value).strip() != ""


def _split(rows: list[list[Any]]) -> tuple[list[str], list[list[Any]]]:
    headers = [str(value).strip() if value is not None else "" for value in rows[0]]
    while headers and not headers[-1]:
        headers.pop()
    width = len(headers)
    body = [list(row[:width]) + [""] * (width - len(row)) for row in rows[1:]]
    return headers, body
