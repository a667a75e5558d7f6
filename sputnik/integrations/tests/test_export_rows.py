"""What each exported row holds when rows are read in chunks of tuples: related data of
every kind, custom attributes of every type, the author's lines only, and a number of
queries that grows with chunks, never with rows."""

import datetime
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import load_workbook

from sputnik.directory import services
from sputnik.directory.models import Category, ContactPoint, Industry, Organization
from sputnik.directory.tests.factories import OrganizationFactory, PersonFactory, define_attribute
from sputnik.integrations import excel
from sputnik.integrations.models import Export

pytestmark = pytest.mark.django_db

CHOICES = ["малый", "средний", "крупный"]


def export(user, kind: str, params: dict | None = None) -> tuple[Export, list[dict]]:
    """The run and its rows as {header: value}."""
    run = Export.objects.create(created_by=user, kind=kind, params=params or {}, language="ru")
    excel.write_export(run.pk)
    run.refresh_from_db()
    assert run.status == "done", run.error
    sheet = load_workbook(io.BytesIO(run.file.read())).active
    header, *rows = sheet.iter_rows(values_only=True)
    return run, [dict(zip(header, row, strict=True)) for row in rows]


@pytest.fixture
def seller(make_user, line_a):
    return make_user(lines={line_a: "write"}, last_name="Петрова", first_name="Анна")


def test_an_organisation_with_everything(seller, line_a, line_b):
    kinds = {
        "string": "Строка",
        "text": "Текст",
        "integer": "Штат",
        "decimal": "Выручка",
        "date": "Основана",
        "boolean": "Экспортёр",
        "choice": "Размер",
        "multi_choice": "Рынки",
        "organization": "Холдинг",
    }
    for order, (kind, label) in enumerate(kinds.items()):
        choices = {"choices": CHOICES} if "choice" in kind else {}
        define_attribute(kind, kind, label, order=order, **choices)
    hidden = OrganizationFactory(business_lines=[line_b], short_name="Чужой холдинг")
    holding = OrganizationFactory(business_lines=[line_a], short_name="Свой холдинг")
    software = Industry.objects.create(name="Программы")
    organization = OrganizationFactory(
        business_lines=[line_a, line_b],
        short_name="Альфа & Ко",
        legal_form="ooo",
        status="client",
        industry=software,
        responsible=seller,
        website="https://alfa.example",
        attributes={
            "string": "строка & <тег>",
            "text": "две\nстроки",
            "integer": 1200,
            "decimal": "1234.50",
            "date": "2001-02-03",
            "boolean": True,
            "choice": "средний",
            "multi_choice": ["малый", "крупный"],
            "organization": holding.pk,
        },
        contacts=[
            {"kind": "phone", "value": "+7 495 1111111"},
            {"kind": "phone", "value": "+7 495 2222222", "is_primary": True},
            {"kind": "fax", "value": "+7 495 3333333"},
            {"kind": "email", "value": "sales@alfa.example"},
            {"kind": "email", "value": "info@alfa.example", "is_primary": True},
            {"kind": "messenger", "value": "@alfa"},
        ],
    )
    organization.categories.set(
        [Category.objects.create(name=name, order=order) for name, order in [("Б", 1), ("А", 2)]]
    )
    OrganizationFactory(business_lines=[line_a], short_name="Бета", attributes={"boolean": False})
    OrganizationFactory(
        business_lines=[line_a], short_name="Гамма", attributes={"organization": hidden.pk}
    )

    run, rows = export(seller, "organizations")

    with translation.override("ru"):
        assert [row[_("Name")] for row in rows] == ["Альфа & Ко", "Бета", "Гамма", "Свой холдинг"]
        alpha, beta, gamma, _holding = rows
        assert alpha[_("Business lines")] == "Консалтинг, Программное обеспечение"
        assert alpha[_("Categories")] == "Б, А"  # in the categories' own order
        assert alpha[_("Phones")] == "+74953333333, +74952222222, +74951111111"
        assert alpha[_("E-mails")] == "info@alfa.example, sales@alfa.example"
        assert alpha[_("Industry")] == "Программы"
        assert alpha[_("Responsible")] == "Петрова Анна"
        assert alpha[_("Legal form")] == "ООО"
        assert alpha[_("Status")] == _("Client")
        assert alpha[_("Created")] == datetime.datetime.combine(
            organization.created_at.date(), datetime.time()
        )
        assert beta[_("Responsible")] is None and beta[_("Phones")] is None
    assert alpha["Строка"] == "строка & <тег>" and alpha["Текст"] == "две\nстроки"
    assert alpha["Штат"] == 1200 and alpha["Выручка"] == float(Decimal("1234.50"))
    assert alpha["Основана"] == datetime.datetime(2001, 2, 3)
    assert alpha["Экспортёр"] == "да" and beta["Экспортёр"] == "нет"
    assert alpha["Размер"] == "средний" and alpha["Рынки"] == "малый, крупный"
    assert alpha["Холдинг"] == "Свой холдинг"
    assert gamma["Холдинг"] == f"#{hidden.pk}"  # another line's organisation is not named
    assert beta["Штат"] is None
    assert "Чужой холдинг" not in str(rows)
    assert run.done == run.total == 4


def test_plain_text_written_as_it_is_is_still_valid(seller, line_a):
    """Rows with no &, < or > go into the sheet unescaped: a character XML forbids is
    still dropped and spaces at a value's ends are still kept."""
    OrganizationFactory(business_lines=[line_a], short_name="Бета\x07", full_name="  Полное  ")
    run = Export.objects.create(created_by=seller, kind="organizations", language="en")
    excel.write_export(run.pk)
    run.refresh_from_db()
    header, row = load_workbook(io.BytesIO(run.file.read())).active.iter_rows()
    values = {h.value: cell.value for h, cell in zip(header, row, strict=True)}
    assert (values["Name"], values["Full name"]) == ("Бета", "  Полное  ")


def test_cells_keep_their_types_and_text_stays_text(seller, line_a):
    define_attribute("founded", "date", "Основана")
    OrganizationFactory(
        business_lines=[line_a],
        short_name="=1+1",
        full_name="<b>Полное</b> & \x07имя",
        attributes={"founded": "1900-01-01"},
    )
    run = Export.objects.create(created_by=seller, kind="organizations", language="en")
    excel.write_export(run.pk)
    run.refresh_from_db()
    sheet = load_workbook(io.BytesIO(run.file.read())).active
    header, row = sheet.iter_rows()
    assert all(cell.font.b for cell in header)
    assert sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["B"].width == 32
    values = {h.value: cell for h, cell in zip(header, row, strict=True)}
    assert values["Name"].value == "=1+1" and values["Name"].data_type == "s"  # not a formula
    assert values["Full name"].value == "<b>Полное</b> & имя"  # no character XML forbids
    assert values["founded"].value == datetime.datetime(1900, 1, 1)
    assert values["founded"].number_format == excel.DATE_FORMAT["en"]
    assert isinstance(values["ID"].value, int) and values["ID"].data_type == "n"


def test_persons_see_only_their_lines_jobs_and_rows(seller, line_a, line_b):
    define_attribute("since", "date", "Клиент с", target="person")
    own = OrganizationFactory(business_lines=[line_a], short_name="Своя")
    other = OrganizationFactory(business_lines=[line_b], short_name="Чужая")
    person = PersonFactory(
        business_lines=[line_a, line_b],
        last_name="Иванов",
        first_name="Иван",
        patronymic="Иванович",
        birthday=datetime.date(1980, 5, 17),
        consent_mailing=True,
        attributes={"since": "2020-01-01"},
        contacts=[
            {"kind": "email", "value": "ivanov@example.com"},
            {"kind": "phone", "value": "+7 916 1234567"},
        ],
    )
    services.employment_create(actor=None, person=person, organization=own, position="Инженер")
    services.employment_create(
        actor=None, person=person, organization=own, position="Директор", is_primary=True
    )
    services.employment_create(actor=None, person=person, organization=other, position="Тайный")
    services.employment_create(
        actor=None,
        person=person,
        organization=own,
        position="Стажёр",
        started_on=datetime.date(2001, 1, 1),
        ended_on=datetime.date(2002, 1, 1),
    )
    PersonFactory(business_lines=[line_b], last_name="Скрытов")

    _run, rows = export(seller, "persons")

    with translation.override("ru"):
        (row,) = rows
        assert row[_("Full name")] == "Иванов Иван Иванович"
        assert row[_("Organisation and position")] == "Своя, Директор; Своя, Инженер"
        assert row[_("Phones")] == "+79161234567" and row[_("E-mails")] == "ivanov@example.com"
        assert row[_("Gender")] == _("Male")
        assert row[_("Birthday")] == datetime.datetime(1980, 5, 17)
        assert (row[_("Agrees to mailings")], row[_("Do not contact")]) == ("да", "нет")
    assert row["Клиент с"] == datetime.datetime(2020, 1, 1)


def _organizations(line, count: int) -> None:
    """Organisations with a phone and an e-mail each, inserted in bulk (fast)."""
    created = Organization.objects.bulk_create(
        Organization(short_name=f"Организация {n:04d}", attributes={"staff": n})
        for n in range(count)
    )
    through = Organization.business_lines.through
    through.objects.bulk_create(
        through(organization_id=o.pk, businessline_id=line.pk) for o in created
    )
    ContactPoint.objects.bulk_create(
        ContactPoint(organization=o, kind=kind, value=f"{kind}-{o.pk}")
        for o in created
        for kind in ("phone", "email")
    )


def _queries(user, monkeypatch, chunk: int) -> int:
    monkeypatch.setattr(excel, "CHUNK", chunk)
    run = Export.objects.create(created_by=user, kind="organizations", language="ru")
    with CaptureQueriesContext(connection) as queries:
        excel.write_export(run.pk)
    run.refresh_from_db()
    assert run.status == "done", run.error
    return len(queries), run.done


def test_queries_grow_with_chunks_not_rows(seller, line_a, monkeypatch):
    define_attribute("staff", "integer", "Штат")
    define_attribute("holding", "organization", "Холдинг")
    _organizations(line_a, 10)
    _queries(seller, monkeypatch, 1000)  # the first run also reads the seller's access
    few, done = _queries(seller, monkeypatch, 1000)
    assert done == 10
    _organizations(line_a, 290)
    many, done = _queries(seller, monkeypatch, 1000)
    assert done == 300 and many == few  # one chunk either way
    chunked, _done = _queries(seller, monkeypatch, 100)
    assert chunked - few <= 2 * 6  # two more chunks, a handful of queries each


def test_the_file_reads_alike_in_a_second_reader(seller, line_a):
    """The sheet is written as XML text: python-calamine (what imports read with) must see
    the same header, text, numbers and dates that openpyxl sees."""
    from python_calamine import CalamineWorkbook

    define_attribute("staff", "integer", "Штат")
    define_attribute("founded", "date", "Основана")
    OrganizationFactory(
        business_lines=[line_a],
        short_name='ООО "Ромашка" & <партнёры>',
        attributes={"staff": 120, "founded": "2001-02-03"},
    )
    run, rows = export(seller, "organizations")
    run.file.seek(0)
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(run.file.read())).get_sheet_by_index(0)
    header, *values = sheet.to_python(skip_empty_area=False)
    assert header == list(rows[0].keys())
    seen = dict(zip(header, values[0], strict=True))
    with translation.override("ru"):
        name = _("Name")
    assert seen[name] == 'ООО "Ромашка" & <партнёры>'
    assert seen["Штат"] == 120
    assert seen["Основана"] == datetime.date(2001, 2, 3)
