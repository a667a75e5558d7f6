"""Lists of organisations and persons written to .xlsx: the list's filter and sort as the
person who asked sees them, every column of the list plus contacts and custom attributes,
dates as dates and numbers as numbers.

A 100 000-row export must take seconds and little memory, so rows are read as plain tuples
in chunks (one query per chunk for the rows and one for each kind of related data, never
per row) and the sheet is written as XML text straight into the zip: openpyxl's
write-only mode spends tens of microseconds on every cell, the text writer below one or
two. openpyxl still writes the small files of rejected import rows."""

from __future__ import annotations

import contextlib
import datetime
import json
import re
import tempfile
import zipfile
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from types import SimpleNamespace
from typing import Any, BinaryIO

from django.core.files import File
from django.db import connection
from django.db.models import BooleanField, DateField, F, Func, JSONField, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.db.models.fields.json import KeyTransform
from django.db.models.sql.constants import MULTI
from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import to_excel

from sputnik.access.models import BusinessLine, User
from sputnik.core import bulk
from sputnik.core.services import run_finish, run_progress, run_start
from sputnik.directory.attributes import definitions
from sputnik.directory.filters import OrganizationFilter, PersonFilter
from sputnik.directory.models import (
    AttributeDefinition,
    AttributeTarget,
    AttributeType,
    Category,
    ContactKind,
    ContactPoint,
    Employment,
    Gender,
    LegalForm,
    Organization,
    OrganizationStatus,
    Person,
)

from .models import Export, ExportKind
from .services import export_audit

CHUNK = 5000  # rows per query: fewer round trips, a few MB of rows at a time
DATE_FORMAT = {"ru": "DD.MM.YYYY", "en": "YYYY-MM-DD"}


@dataclass(frozen=True)
class Column:
    header: str
    width: int = 18


PHONES = (ContactKind.PHONE, ContactKind.FAX)


def organization_columns() -> list[Column]:
    return [
        Column(_("ID"), 9),
        Column(_("Name"), 32),
        Column(_("Full name"), 40),
        Column(_("Legal form")),
        Column(_("INN"), 14),
        Column(_("KPP"), 12),
        Column(_("OGRN / OGRNIP"), 17),
        Column(_("Status")),
        Column(_("Categories")),
        Column(_("Industry")),
        Column(_("Responsible")),
        Column(_("Business lines")),
        Column(_("Phones"), 24),
        Column(_("E-mails"), 28),
        Column(_("Website"), 24),
        Column(_("Created"), 12),
    ]


def person_columns() -> list[Column]:
    return [
        Column(_("ID"), 9),
        Column(_("Full name"), 32),
        Column(_("Surname")),
        Column(_("First name")),
        Column(_("Patronymic")),
        Column(_("Gender")),
        Column(_("Birthday"), 12),
        Column(_("Organisation and position"), 40),
        Column(_("Phones"), 24),
        Column(_("E-mails"), 28),
        Column(_("Agrees to mailings"), 10),
        Column(_("Do not contact"), 10),
    ]


def _yes_no(value: bool) -> str:
    return _("yes") if value else _("no")


def _labels(choices) -> dict[str, str]:
    """A choice's label by its value, translated once per export instead of once per row
    (what `get_FOO_display()` shows; an unknown value shows as itself)."""
    return {value: str(label) for value, label in choices.choices}


def rows_of(run: Export) -> QuerySet:
    """The records of the export: the list's filter and sort over what its author may see."""
    model, filterset_class, *_rest = KINDS[run.kind]
    user = run.created_by
    queryset = model.objects.restrict(user)
    filterset = filterset_class(run.params, queryset=queryset, request=SimpleNamespace(user=user))
    return filterset.qs if filterset.is_valid() else queryset


# Cell values --------------------------------------------------------------------------
# Each kind reads its records as tuples, CHUNK at a time in the list's order, with one
# query per chunk for each kind of related data, and yields the rows' cell values.

Chunks = Iterator[list[list[Any]]]


def _tuples(records: QuerySet, fields: list) -> Iterator[list[Sequence]]:
    """The records' values, CHUNK rows at a time, as the database driver gives them but
    for the few columns Django converts (JSON, and dates on SQLite), converted here with
    less work per value than Django's chain of converters."""
    found = records.values_list(*fields)
    compiler = found.query.get_compiler(found.db)
    chunked = compiler.connection.features.can_use_chunked_reads
    chunks = compiler.execute_sql(MULTI, chunked_fetch=chunked, chunk_size=CHUNK)
    columns = [select[0] for select in compiler.select[: compiler.col_count]]
    converters = [
        (position, _converter_of(expression, functions, compiler.connection))
        for position, (functions, expression) in compiler.get_converters(columns).items()
    ]
    for chunk in chunks:
        if converters:
            chunk = [_converted(row, converters) for row in chunk]
        yield chunk


def _converted(row: Sequence, converters: list[tuple[int, Callable[[Any], Any]]]) -> list:
    row = list(row)
    for position, convert in converters:
        row[position] = convert(row[position])
    return row


def _converter_of(expression, functions: list, connection) -> Callable[[Any], Any]:
    """What Django's converters of a column do to its values."""
    field = expression.output_field
    if isinstance(field, JSONField) and not isinstance(expression, KeyTransform):
        decoder = field.decoder

        def from_json(value: Any) -> Any:
            if not isinstance(value, str):
                return value
            try:
                return json.loads(value, cls=decoder)
            except json.JSONDecodeError:
                return value

        return from_json

    def convert(value: Any) -> Any:
        for function in functions:
            value = function(value, expression, connection)
        return value

    if type(field) is DateField:
        # SQLite gives a date as its ISO text.
        def to_date(value: Any) -> Any:
            if isinstance(value, str):
                with contextlib.suppress(ValueError):
                    return datetime.date.fromisoformat(value)
            return convert(value)

        return to_date
    return convert


def _among(model, field: str, ids: list[int]):
    """`field IN ids` as a single query parameter: Django prepares every item of an `__in`
    list one by one, which costs more than the query itself at thousands of ids."""
    column = f"{connection.ops.quote_name(model._meta.db_table)}.{connection.ops.quote_name(field)}"
    if connection.vendor == "postgresql":
        # The array typed as the column: PostgreSQL looks values up in a hash of it only
        # when both sides have one type (else it compares each row with every id, which
        # took seconds a chunk on a table not yet analysed). Sent as the array's text,
        # which the driver passes as it is instead of checking each item.
        kind = model._meta.get_field(field).db_type(connection)
        ids_text = "{" + ",".join(map(str, ids)) + "}"
        return RawSQL(f"{column} = ANY(%s::{kind}[])", (ids_text,), output_field=BooleanField())
    if connection.vendor == "sqlite":
        sql = f"{column} IN (SELECT value FROM json_each(%s))"
        return RawSQL(sql, (json.dumps(ids),), output_field=BooleanField())
    return Q(**{f"{field}__in": ids})


def _contacts(owner: str, ids: list[int]) -> tuple[dict[int, str], dict[int, str]]:
    """Phones (and faxes) and e-mails of the chunk's records, joined in the order their
    cards show them."""
    phones: dict[int, list[str]] = defaultdict(list)
    emails: dict[int, list[str]] = defaultdict(list)
    found = ContactPoint.objects.filter(
        _among(ContactPoint, owner, ids), kind__in=[*PHONES, ContactKind.EMAIL]
    ).order_by("kind", "-is_primary", "id")
    for owner_id, kind, value in found.values_list(owner, "kind", "value"):
        (emails if kind == ContactKind.EMAIL else phones)[owner_id].append(value)
    return _joined(phones), _joined(emails)


def _joined(grouped: dict[int, list[str]], separator: str = ", ") -> dict[int, str]:
    return {key: separator.join(values) for key, values in grouped.items()}


def _ranked_names(records: QuerySet) -> dict[int, tuple[int, str]]:
    """Reference data (categories, business lines) in its own order, read once."""
    return {pk: (rank, name) for rank, (pk, name) in enumerate(records.values_list("pk", "name"))}


def _many(field, ids: list[int], ranked: dict[int, tuple[int, str]]) -> dict[int, str]:
    """The names a many-to-many field links each record of the chunk to, in their order,
    read from the link table alone."""
    if not ranked:  # nothing to link to (no categories defined, say): no query
        return {}
    through = field.remote_field.through
    own, other = field.m2m_field_name() + "_id", field.m2m_reverse_field_name() + "_id"
    grouped: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for owner_id, target_id in through.objects.filter(_among(through, own, ids)).values_list(
        own, other
    ):
        if target_id not in ranked:  # added while the export runs
            ranked.update(_ranked_names(field.related_model.objects.all()))
        grouped[owner_id].append(ranked[target_id])
    return {key: ", ".join(name for _rank, name in sorted(found)) for key, found in grouped.items()}


def _user_name(last: str, first: str, patronymic: str, username: str) -> str:
    """`User.full_name` from its parts."""
    return " ".join(p for p in (last, first, patronymic) if p) or username


def organization_rows(records: QuerySet, user: User, attributes: list) -> Chunks:
    fields = [
        "pk",
        "short_name",
        "full_name",
        "legal_form",
        "inn",
        "kpp",
        "ogrn",
        "status",
        "industry__name",
        "responsible_id",
        "responsible__last_name",
        "responsible__first_name",
        "responsible__patronymic",
        "responsible__username",
        "website",
    ]
    if attributes:
        fields.append("attributes")
    legal_forms, statuses = _labels(LegalForm), _labels(OrganizationStatus)
    categories = _ranked_names(Category.objects.all())
    lines = _ranked_names(BusinessLine.objects.all())
    category_field = Organization._meta.get_field("categories")
    line_field = Organization._meta.get_field("business_lines")
    responsible: dict[int | None, str] = {None: ""}
    cells = _attribute_cells(attributes)
    # the date of creation in UTC, as `created_at.date()` gives it, without the cost of
    # making a datetime of every row
    created = Func(F("created_at"), function="date", output_field=DateField())
    for chunk in _tuples(records, [*fields, created]):
        ids = [row[0] for row in chunk]
        phones, emails = _contacts("organization_id", ids)
        linked_categories = _many(category_field, ids, categories)
        linked_lines = _many(line_field, ids, lines)
        names = _referenced_names(user, chunk, len(fields) - 1, attributes)
        rows = []
        for (
            pk,
            short_name,
            full_name,
            legal_form,
            inn,
            kpp,
            ogrn,
            status,
            industry,
            responsible_id,
            last,
            first,
            patronymic,
            username,
            website,
            *attribute_values,
            created_on,
        ) in chunk:
            if responsible_id not in responsible:
                responsible[responsible_id] = _user_name(last, first, patronymic, username)
            row = [
                pk,
                short_name,
                full_name,
                legal_forms.get(legal_form, legal_form),
                inn,
                kpp,
                ogrn,
                statuses.get(status, status),
                linked_categories.get(pk, ""),
                industry or "",
                responsible[responsible_id],
                linked_lines.get(pk, ""),
                phones.get(pk, ""),
                emails.get(pk, ""),
                website,
                created_on,
            ]
            if cells:
                row += _attribute_row(cells, attribute_values[0], names)
            rows.append(row)
        yield rows


def person_rows(records: QuerySet, user: User, attributes: list) -> Chunks:
    fields = [
        "pk",
        "last_name",
        "first_name",
        "patronymic",
        "gender",
        "birthday",
        "consent_mailing",
        "do_not_contact",
    ]
    if attributes:
        fields.append("attributes")
    genders = _labels(Gender)
    yes, no = _yes_no(True), _yes_no(False)
    cells = _attribute_cells(attributes)
    for chunk in _tuples(records, fields):
        ids = [row[0] for row in chunk]
        phones, emails = _contacts("person_id", ids)
        jobs = _current_jobs(user, ids)
        names = _referenced_names(user, chunk, -1, attributes)
        rows = []
        for pk, last, first, patronymic, gender, birthday, mailing, avoid, *values in chunk:
            row = [
                pk,
                " ".join(p for p in (last, first, patronymic) if p),
                last,
                first,
                patronymic,
                genders.get(gender, gender) if gender else "",
                birthday,
                jobs.get(pk, ""),
                phones.get(pk, ""),
                emails.get(pk, ""),
                yes if mailing else no,
                yes if avoid else no,
            ]
            if cells:
                row += _attribute_row(cells, values[0], names)
            rows.append(row)
        yield rows


def _current_jobs(user: User, ids: list[int]) -> dict[int, str]:
    """«Организация, Должность; …» of the chunk's persons: their current jobs in the
    organisations the user may see, the primary one first."""
    jobs: dict[int, list[str]] = defaultdict(list)
    current = (
        Employment.objects.restrict(user).current().filter(_among(Employment, "person_id", ids))
    )
    found = current.order_by("-is_primary", "id")  # the model's order, within one person
    for person_id, organization, position in found.values_list(
        "person_id", "organization__short_name", "position"
    ):
        jobs[person_id].append(", ".join(filter(None, [organization, position])))
    return _joined(jobs, "; ")


# Custom attributes ----------------------------------------------------------------------

Convert = Callable[[Any, dict[int, str]], Any]
EMPTY = (None, "", [])


def attribute_value(definition: AttributeDefinition, value: Any, names: dict[int, str]) -> Any:
    """A custom attribute's value as a spreadsheet cell wants it."""
    if value in EMPTY:
        return None
    return _converter(definition)(value, names)


def _converter(definition: AttributeDefinition) -> Convert:
    kind = definition.type
    if kind == AttributeType.DATE:
        return lambda value, names: datetime.date.fromisoformat(value)
    if kind == AttributeType.DECIMAL:
        return lambda value, names: Decimal(value)
    if kind == AttributeType.BOOLEAN:
        yes, no = _yes_no(True), _yes_no(False)
        return lambda value, names: yes if value else no
    if kind == AttributeType.MULTI_CHOICE:
        return lambda value, names: ", ".join(value)
    if kind == AttributeType.ORGANIZATION:
        return lambda value, names: names.get(value, f"#{value}")
    return lambda value, names: value


def _attribute_cells(attributes: list[AttributeDefinition]) -> list[tuple[str, Convert]]:
    return [(d.code, _converter(d)) for d in attributes]


def _attribute_row(
    cells: list[tuple[str, Convert]], values: dict, names: dict[int, str]
) -> list[Any]:
    get = values.get
    return [
        None if (value := get(code)) in EMPTY else convert(value, names) for code, convert in cells
    ]


def _referenced_names(
    user: User, chunk: Iterable[tuple], position: int, attributes
) -> dict[int, str]:
    """Names of the organisations the chunk's attributes (each tuple's item at `position`)
    refer to, among those visible."""
    codes = [d.code for d in attributes if d.type == AttributeType.ORGANIZATION]
    if not codes:
        return {}
    ids = {row[position].get(c) for row in chunk for c in codes} - {None}
    if not ids:
        return {}
    visible = Organization.objects.restrict(user).filter(pk__in=ids)
    return dict(visible.values_list("pk", "short_name"))


# kind: the model, its list's FilterSet, its columns, its custom attributes, its rows
KINDS = {
    ExportKind.ORGANIZATIONS: (
        Organization,
        OrganizationFilter,
        organization_columns,
        AttributeTarget.ORGANIZATION,
        organization_rows,
    ),
    ExportKind.PERSONS: (
        Person,
        PersonFilter,
        person_columns,
        AttributeTarget.PERSON,
        person_rows,
    ),
}


# The export ---------------------------------------------------------------------------


def write_export(run_id: int) -> None:
    """Write the run's list to an .xlsx file; running it again starts over."""
    run = Export.objects.select_related("created_by").get(pk=run_id)
    if run.is_finished:
        return
    try:
        with (
            translation.override(run.language),
            tempfile.TemporaryFile() as raw,
            bulk.few_collections(),
        ):
            _write_workbook(run, raw)
            raw.seek(0)
            run.file.save(run.filename, File(raw), save=False)
    except Exception as error:  # noqa: BLE001 - the run row tells the user what broke
        run_finish(run, error=str(error))
        raise
    run_finish(run, fields=["file"])
    export_audit(run)


def _write_workbook(run: Export, raw: BinaryIO) -> None:
    records = rows_of(run)
    run_start(run, total=records.count())
    _model, _filters, make_columns, target, make_rows = KINDS[run.kind]
    columns, attributes = make_columns(), definitions(target)
    sheet = SheetWriter(
        raw,
        title=str(ExportKind(run.kind).label),
        widths=[c.width for c in columns] + [18] * len(attributes),
        date_format=DATE_FORMAT.get(run.language, DATE_FORMAT["en"]),
    )
    sheet.header([c.header for c in columns] + [d.label for d in attributes])
    done = 0
    with sheet:
        for rows in make_rows(records, run.created_by, attributes):
            sheet.rows(rows)
            done += len(rows)
            run_progress(run, done)


# The .xlsx file ---------------------------------------------------------------------------

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELATIONS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE = "http://schemas.openxmlformats.org/package/2006/relationships"
TYPES = "application/vnd.openxmlformats-officedocument.spreadsheetml"
HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
CONTENT_TYPES = (
    f'{HEAD}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
    'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
    f'<Override PartName="/xl/workbook.xml" ContentType="{TYPES}.sheet.main+xml"/>'
    f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{TYPES}.worksheet+xml"/>'
    f'<Override PartName="/xl/styles.xml" ContentType="{TYPES}.styles+xml"/></Types>'
)
PACKAGE_RELATIONS = (
    f'{HEAD}<Relationships xmlns="{PACKAGE}"><Relationship Id="rId1" '
    f'Type="{RELATIONS}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
WORKBOOK_RELATIONS = (
    f'{HEAD}<Relationships xmlns="{PACKAGE}">'
    f'<Relationship Id="rId1" Type="{RELATIONS}/worksheet" Target="worksheets/sheet1.xml"/>'
    f'<Relationship Id="rId2" Type="{RELATIONS}/styles" Target="styles.xml"/></Relationships>'
)
# Cell styles: 0 plain, 1 bold (the header), 2 a date in the export's language.
STYLES = (
    f'{HEAD}<styleSheet xmlns="{MAIN}">'
    '<numFmts count="1"><numFmt numFmtId="164" formatCode="{date_format}"/></numFmts>'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font>'
    '<font><b val="1"/><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '</cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/>'
    "</cellStyles></styleSheet>"
)
ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")  # not allowed in XML 1.0
MAX_TEXT = 32767  # characters in one cell
WINDOWS_EPOCH = datetime.date(1899, 12, 30).toordinal()


class SheetWriter:
    """One sheet streamed into an .xlsx file as XML text: a bold header row frozen at the
    top, column widths, strings as inline text, numbers, dates with the given format.

    Values are written as openpyxl would write them (numbers with 16 significant digits,
    dates as day numbers, empty strings as no cell, over-long text cut at 32 767
    characters), except that text is always text: a value starting with “=” is not made
    into a formula, and characters XML cannot hold are dropped rather than failing the
    export."""

    def __init__(self, raw: BinaryIO, *, title: str, widths: list[int], date_format: str):
        self.zip = zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED, compresslevel=1)
        self.zip.writestr("[Content_Types].xml", CONTENT_TYPES)
        self.zip.writestr("_rels/.rels", PACKAGE_RELATIONS)
        self.zip.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELATIONS)
        self.zip.writestr(
            "xl/workbook.xml",
            f'{HEAD}<workbook xmlns="{MAIN}" xmlns:r="{RELATIONS}"><bookViews><workbookView/>'
            f'</bookViews><sheets><sheet name="{_escape(title, quotes=True)}" sheetId="1" '
            'r:id="rId1"/></sheets></workbook>',
        )
        self.zip.writestr(
            "xl/styles.xml", STYLES.replace("{date_format}", _escape(date_format, quotes=True))
        )
        self.stream = self.zip.open("xl/worksheets/sheet1.xml", "w", force_zip64=True)
        self.letters = [get_column_letter(n) for n in range(1, len(widths) + 1)]
        self.number = 0
        cols = "".join(
            f'<col min="{n}" max="{n}" width="{width}" customWidth="1"/>'
            for n, width in enumerate(widths, 1)
        )
        self.stream.write(
            (
                f'{HEAD}<worksheet xmlns="{MAIN}" xmlns:r="{RELATIONS}"><sheetViews>'
                '<sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" '
                'activePane="bottomLeft" state="frozen"/><selection pane="bottomLeft" '
                'activeCell="A1" sqref="A1"/></sheetView></sheetViews>'
                f'<sheetFormatPr defaultRowHeight="15"/><cols>{cols}</cols><sheetData>'
            ).encode()
        )

    def header(self, headers: list[str]) -> None:
        self._write([headers], style=' s="1"')

    def rows(self, rows: list[list[Any]]) -> None:
        self._write(rows)

    def __enter__(self) -> SheetWriter:
        return self

    def __exit__(self, error_type, error, traceback) -> None:
        if error_type is None:
            self.close()
        else:  # the file is thrown away; only release it
            with contextlib.suppress(Exception):
                self.stream.close()
                self.zip.close()

    def close(self) -> None:
        self.stream.write(
            b'</sheetData><pageMargins left="0.75" right="0.75" top="1" bottom="1" '
            b'header="0.5" footer="0.5"/></worksheet>'
        )
        self.stream.close()
        self.zip.close()

    def _write(self, rows: list[list[Any]], style: str = "") -> None:
        """Rows as one piece of XML text: the per-cell work is a type check and an f-string."""
        parts: list[str] = []
        add = parts.append
        number = self.number
        letters = self.letters
        # Most text needs no escaping: when no text of the rows has &, < or >, a value
        # with no space at its ends (and not over-long) goes in as it is.
        texts = "".join([value for values in rows for value in values if type(value) is str])
        careful = "&" in texts or "<" in texts or ">" in texts
        for values in rows:
            number += 1
            add(f'<row r="{number}">')
            for letter, value in zip(letters, values, strict=False):
                kind = type(value)
                if kind is str:
                    if value:
                        if (
                            careful
                            or len(value) > MAX_TEXT
                            or value[0].isspace()
                            or value[-1].isspace()
                        ):
                            text = _text(value)
                        else:
                            text = f"<t>{value}</t>"
                        add(f'<c r="{letter}{number}"{style} t="inlineStr"><is>{text}</is></c>')
                elif kind is int:
                    add(f'<c r="{letter}{number}"{style}><v>{value}</v></c>')
                elif value is None:
                    continue
                elif kind is datetime.date:
                    add(f'<c r="{letter}{number}" s="2"><v>{_day(value)}</v></c>')
                else:
                    add(_other(f"{letter}{number}", value, style))
            add("</row>")
        self.number = number
        xml = "".join(parts)
        if ILLEGAL.search(xml):
            xml = ILLEGAL.sub("", xml)
        self.stream.write(xml.encode())


def _escape(text: str, quotes: bool = False) -> str:
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    if quotes and '"' in text:
        text = text.replace('"', "&quot;")
    return text


def _text(value: str) -> str:
    """An inline string's <t>, keeping leading and trailing spaces as openpyxl does."""
    if len(value) > MAX_TEXT:
        value = value[:MAX_TEXT]
    stripped = value.strip()
    if stripped and stripped != value:
        return f'<t xml:space="preserve">{_escape(value)}</t>'
    return f"<t>{_escape(value)}</t>"


def _day(value: datetime.date) -> int:
    """Excel's day number of a date (1900 date system, with its phantom 29 February)."""
    days = value.toordinal() - WINDOWS_EPOCH
    return days - 1 if 0 < days <= 60 else days


def _other(reference: str, value: Any, style: str) -> str:
    """Cells of the rarer types: fractions, booleans, date and time, other text."""
    if isinstance(value, bool):
        return f'<c r="{reference}"{style} t="b"><v>{int(value)}</v></c>'
    if isinstance(value, int | float | Decimal):
        if value != value or value in (float("inf"), float("-inf")):
            return f'<c r="{reference}"{style}/>'
        return f'<c r="{reference}"{style}><v>{float(value):.16g}</v></c>'
    if isinstance(value, datetime.datetime):
        return f'<c r="{reference}" s="2"><v>{to_excel(value):.16g}</v></c>'
    if isinstance(value, datetime.date):
        return f'<c r="{reference}" s="2"><v>{_day(value)}</v></c>'
    text = str(value)
    if not text:
        return ""
    return f'<c r="{reference}"{style} t="inlineStr"><is>{_text(text)}</is></c>'


# Rejected import rows (small files: openpyxl) -------------------------------------------


def write_rejected(headers: list[str], rows, reason_header: str, raw) -> None:
    """The rows an import refused, as they were, with the reason in an extra last column:
    fix them there and import the file again."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("Rejected rows"))
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    sheet.append([_cell(sheet, header, font=bold) for header in [*headers, reason_header]])
    sheet.column_dimensions[get_column_letter(len(headers) + 1)].width = 60
    for cells, reason in rows:
        sheet.append([_typed(sheet, value, DATE_FORMAT["ru"]) for value in cells] + [reason])
    book.save(raw)


def _cell(sheet, value, **style) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=value)
    for name, setting in style.items():
        setattr(cell, name, setting)
    return cell


def _typed(sheet, value, date_format: str):
    if isinstance(value, datetime.date):
        return _cell(sheet, value, number_format=date_format)
    return value
