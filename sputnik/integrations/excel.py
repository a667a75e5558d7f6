"""Lists of organisations and persons written to .xlsx: the list's filter and sort as the
person who asked sees them, every column of the list plus contacts and custom attributes,
dates as dates and numbers as numbers. Rows stream through openpyxl's write-only mode in
chunks, so a 100 000-row export never holds the whole list in memory."""

from __future__ import annotations

import datetime
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from itertools import batched
from types import SimpleNamespace
from typing import Any

from django.core.files import File
from django.db.models import Prefetch
from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from sputnik.core.services import run_finish, run_progress, run_start
from sputnik.directory.attributes import definitions
from sputnik.directory.filters import OrganizationFilter, PersonFilter
from sputnik.directory.models import (
    AttributeDefinition,
    AttributeTarget,
    AttributeType,
    ContactKind,
    Employment,
    Organization,
    Person,
)

from .models import Export, ExportKind
from .services import export_audit

CHUNK = 1000
DATE_FORMAT = {"ru": "DD.MM.YYYY", "en": "YYYY-MM-DD"}


@dataclass
class Column:
    header: str
    value: Callable[[Any], Any]
    width: int = 18


def _contacts(kinds: tuple[str, ...]) -> Callable[[Any], str]:
    def joined(record) -> str:
        return ", ".join(c.value for c in record.contacts.all() if c.kind in kinds)

    return joined


PHONES = (ContactKind.PHONE, ContactKind.FAX)


def organization_columns() -> list[Column]:
    return [
        Column(_("ID"), lambda o: o.pk, 9),
        Column(_("Name"), lambda o: o.short_name, 32),
        Column(_("Full name"), lambda o: o.full_name, 40),
        Column(_("Legal form"), lambda o: o.get_legal_form_display()),
        Column(_("INN"), lambda o: o.inn, 14),
        Column(_("KPP"), lambda o: o.kpp, 12),
        Column(_("OGRN / OGRNIP"), lambda o: o.ogrn, 17),
        Column(_("Status"), lambda o: o.get_status_display()),
        Column(_("Categories"), lambda o: ", ".join(str(c) for c in o.categories.all())),
        Column(_("Industry"), lambda o: str(o.industry or "")),
        Column(_("Responsible"), lambda o: o.responsible.full_name if o.responsible else ""),
        Column(_("Business lines"), lambda o: ", ".join(str(x) for x in o.business_lines.all())),
        Column(_("Phones"), _contacts(PHONES), 24),
        Column(_("E-mails"), _contacts((ContactKind.EMAIL,)), 28),
        Column(_("Website"), lambda o: o.website, 24),
        Column(_("Created"), lambda o: o.created_at.date(), 12),
    ]


def person_columns() -> list[Column]:
    def jobs(person) -> str:
        return "; ".join(
            ", ".join(filter(None, [str(job.organization), job.position]))
            for job in person.current_jobs
        )

    return [
        Column(_("ID"), lambda p: p.pk, 9),
        Column(_("Full name"), lambda p: p.full_name, 32),
        Column(_("Surname"), lambda p: p.last_name),
        Column(_("First name"), lambda p: p.first_name),
        Column(_("Patronymic"), lambda p: p.patronymic),
        Column(_("Gender"), lambda p: p.get_gender_display() if p.gender else ""),
        Column(_("Birthday"), lambda p: p.birthday, 12),
        Column(_("Organisation and position"), jobs, 40),
        Column(_("Phones"), _contacts(PHONES), 24),
        Column(_("E-mails"), _contacts((ContactKind.EMAIL,)), 28),
        Column(_("Agrees to mailings"), lambda p: _yes_no(p.consent_mailing), 10),
        Column(_("Do not contact"), lambda p: _yes_no(p.do_not_contact), 10),
    ]


def _yes_no(value: bool) -> str:
    return _("yes") if value else _("no")


# kind: the model, its list's FilterSet, its columns, its custom attributes
KINDS = {
    ExportKind.ORGANIZATIONS: (
        Organization,
        OrganizationFilter,
        organization_columns,
        AttributeTarget.ORGANIZATION,
    ),
    ExportKind.PERSONS: (Person, PersonFilter, person_columns, AttributeTarget.PERSON),
}


def rows_of(run: Export):
    """The records of the export: the list's filter and sort over what its author may see."""
    model, filterset_class, *_rest = KINDS[run.kind]
    user = run.created_by
    queryset = model.objects.restrict(user)
    filterset = filterset_class(run.params, queryset=queryset, request=SimpleNamespace(user=user))
    records = filterset.qs if filterset.is_valid() else queryset
    if run.kind == ExportKind.ORGANIZATIONS:
        return records.select_related("industry", "responsible").prefetch_related(
            "categories", "business_lines", "contacts"
        )
    current = Employment.objects.restrict(user).current().select_related("organization")
    return records.prefetch_related(
        Prefetch("employments", queryset=current, to_attr="current_jobs"), "contacts"
    )


def attribute_value(definition: AttributeDefinition, value: Any, names: dict[int, str]) -> Any:
    """A custom attribute's value as a spreadsheet cell wants it."""
    if value in (None, "", []):
        return None
    kind = definition.type
    if kind == AttributeType.DATE:
        return datetime.date.fromisoformat(value)
    if kind == AttributeType.DECIMAL:
        return Decimal(value)
    if kind == AttributeType.BOOLEAN:
        return _yes_no(value)
    if kind == AttributeType.MULTI_CHOICE:
        return ", ".join(value)
    if kind == AttributeType.ORGANIZATION:
        return names.get(value, f"#{value}")
    return value


def write_export(run_id: int) -> None:
    """Write the run's list to an .xlsx file; running it again starts over."""
    run = Export.objects.select_related("created_by").get(pk=run_id)
    if run.is_finished:
        return
    try:
        with translation.override(run.language), tempfile.TemporaryFile() as raw:
            _write_workbook(run, raw)
            raw.seek(0)
            run.file.save(run.filename, File(raw), save=False)
    except Exception as error:  # noqa: BLE001 - the run row tells the user what broke
        run_finish(run, error=str(error))
        raise
    run_finish(run, fields=["file"])
    export_audit(run)


def _write_workbook(run: Export, raw) -> None:
    records = rows_of(run)
    run_start(run, total=records.count())
    _model, _filters, make_columns, target = KINDS[run.kind]
    columns, attributes = make_columns(), definitions(target)
    book = Workbook(write_only=True)
    sheet = book.create_sheet(str(ExportKind(run.kind).label))
    for number, width in enumerate([c.width for c in columns] + [18] * len(attributes), 1):
        sheet.column_dimensions[get_column_letter(number)].width = width
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    headers = [c.header for c in columns] + [d.label for d in attributes]
    sheet.append([_cell(sheet, header, font=bold) for header in headers])
    date_format = DATE_FORMAT.get(run.language, DATE_FORMAT["en"])
    done = 0
    for chunk in batched(records.iterator(chunk_size=CHUNK), CHUNK):
        names = _referenced_names(run, chunk, attributes)
        for record in chunk:
            values = [c.value(record) for c in columns] + [
                attribute_value(d, record.attributes.get(d.code), names) for d in attributes
            ]
            sheet.append([_typed(sheet, value, date_format) for value in values])
        done += len(chunk)
        run_progress(run, done)
    book.save(raw)


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


def _referenced_names(run: Export, chunk: list, attributes) -> dict[int, str]:
    """Names of the organisations the chunk's attributes refer to, among those visible."""
    codes = [d.code for d in attributes if d.type == AttributeType.ORGANIZATION]
    ids = {r.attributes.get(c) for r in chunk for c in codes} - {None}
    if not ids:
        return {}
    visible = Organization.objects.restrict(run.created_by).filter(pk__in=ids)
    return dict(visible.values_list("pk", "short_name"))
