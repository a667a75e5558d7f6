"""Imports from spreadsheets (INT-1): files of every format read, columns guessed, every
row checked before anything is written, duplicates handled by the chosen policy, all or
nothing, the rejected rows returned with their reasons, the author's lines only."""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from sputnik.core.testing import clients_for
from sputnik.directory import services as directory
from sputnik.directory.demo import company_inn
from sputnik.directory.models import (
    AttributeDefinition,
    ContactPoint,
    Employment,
    Organization,
    Person,
    Segment,
)
from sputnik.directory.tests.factories import INNS, OrganizationFactory, PersonFactory
from sputnik.integrations import services
from sputnik.integrations.importing import Action
from sputnik.integrations.models import Import

pytestmark = pytest.mark.django_db


def xlsx(rows, name="clients.xlsx") -> SimpleUploadedFile:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    raw = io.BytesIO()
    book.save(raw)
    return SimpleUploadedFile(name, raw.getvalue())


def csv_file(text: str, encoding="utf-8", name="clients.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode(encoding))


@pytest.fixture
def seller(make_user, line_a):
    return make_user(lines={line_a: "write"})


HEADER = ["Наименование", "ИНН", "Телефон", "ФИО", "Должность", "E-mail контакта", "Дата"]


def define_attribute(code: str, kind: str, target="organization", **values):
    return directory.attribute_definition_save(
        actor=None,
        definition=AttributeDefinition(),
        target=target,
        code=code,
        type=kind,
        label_ru={"founded": "Основана"}.get(code, code),
        label_en=code,
        **values,
    )


def prepared(user, upload, kind="organizations", **options) -> Import:
    run = services.import_create(actor=user, kind=kind, upload=upload)
    return services.import_configure(actor=user, run=run, **options)


def test_columns_are_guessed_from_russian_and_english_headers(seller):
    upload = xlsx([["Наименование", "ИНН", "Phone", "ФИО", "Должность", "Что-то ещё"], ["A"]])
    run = services.import_create(actor=seller, kind="organizations", upload=upload)
    assert run.mapping == [
        "org.short_name",
        "org.inn",
        "org.phones",
        "person.full_name",
        "job.position",
        "",
    ]
    assert run.status == "draft" and list(run.business_lines.all())  # the only line


def test_an_organisation_with_its_contact_person_per_row(seller, line_a):
    upload = xlsx(
        [
            ["Наименование", "ИНН", "Телефон", "ФИО", "Должность", "Личный e-mail"],
            ["Альфа", INNS[0], "8 (495) 123-45-67", "Иванов Иван Иванович", "Директор", "i@a.ru"],
            ["Альфа", INNS[0], "", "Петрова Анна Сергеевна", "Бухгалтер", "p@a.ru"],
            ["Бета", int(INNS[1]), "", "", "", ""],
        ]
    )
    run = prepared(seller, upload)
    checked = services.import_check(run)
    assert [r.organization_action for r in checked.rows] == ["create", "same", "create"]
    assert [r.person_action for r in checked.rows] == ["create", "create", ""]
    assert not Organization.objects.exists()  # checking writes nothing
    services.import_run(run.pk)
    run.refresh_from_db()
    assert run.status == "done", run.error
    alpha = Organization.objects.get(short_name="Альфа")
    assert list(alpha.business_lines.all()) == [line_a]
    assert alpha.contacts.get().value == "+74951234567"
    jobs = Employment.objects.filter(organization=alpha).order_by("person__last_name")
    assert [(j.person.last_name, j.position) for j in jobs] == [
        ("Иванов", "Директор"),
        ("Петрова", "Бухгалтер"),
    ]
    assert Person.objects.get(last_name="Петрова").gender == "f"
    assert run.result["organizations_create"] == 2 and run.result["persons_create"] == 2


def test_the_wizard_from_upload_to_result(seller, line_a, django_capture_on_commit_callbacks):
    page = clients_for(seller)[0]
    rows = [
        ["Название", "ИНН", "Категория"],
        ["Альфа", INNS[0], ""],
        ["", INNS[1], ""],
        ["Гамма", "7707083894", "Нет такой"],
    ]
    response = page.post("/imports/new/", {"kind": "organizations", "source": xlsx(rows)})
    run = Import.objects.get()
    assert response["Location"] == f"/imports/{run.pk}/columns/"
    columns = page.get(response["Location"])
    assert columns.status_code == 200 and "Альфа" in columns.text  # first values shown
    form = {
        "column_0": "org.short_name",
        "column_1": "org.inn",
        "column_2": "org.categories",
        "policy": "skip",
        "business_lines": [line_a.pk],
        "save_mapping_as": "Клиенты",
    }
    response = page.post(f"/imports/{run.pk}/columns/", form)
    assert response["Location"] == f"/imports/{run.pk}/preview/"
    preview = page.get(response["Location"]).text
    assert "Обязательно для новой организации" in preview  # empty name, on its cell
    assert "неверная контрольная цифра" in preview  # bad INN checksum
    assert "Нет в справочнике: Нет такой" in preview
    assert 'data-testid="start-import" disabled' in preview  # all or nothing by default
    assert not Organization.objects.exists()
    # Only the valid rows, then.
    form["valid_only"] = "on"
    page.post(f"/imports/{run.pk}/columns/", form)
    with django_capture_on_commit_callbacks(execute=True):
        response = page.post(f"/imports/{run.pk}/start/")
    assert response["Location"] == f"/imports/{run.pk}/"
    result = page.get(response["Location"]).text
    assert "Отклонённые строки" in result
    assert list(Organization.objects.values_list("short_name", flat=True)) == ["Альфа"]
    download = page.get(f"/imports/{run.pk}/rejected/")
    book = load_workbook(io.BytesIO(b"".join(download.streaming_content)))
    header, *rejected = [list(r) for r in book.active.iter_rows(values_only=True)]
    assert header == ["Название", "ИНН", "Категория", "Почему отклонена"]
    assert [row[1] for row in rejected] == [INNS[1], "7707083894"]
    assert "Название: Обязательно" in rejected[0][3]
    # The columns are remembered for the next file with these headers.
    again = page.post("/imports/new/", {"kind": "organizations", "source": xlsx(rows)})
    assert Import.objects.get(pk=again["Location"].split("/")[2]).mapping[2] == "org.categories"


def wrong_check_digit(inn: str) -> str:
    return inn[:-1] + str((int(inn[-1]) + 1) % 10)


def test_a_large_faulty_workbook_is_checked_then_imported_once_fixed(
    seller, line_a, line_b, django_capture_on_commit_callbacks
):
    """10 000 rows with the faults real files have; every one is named on its row, nothing
    is written until the file is right, then everything is."""
    OrganizationFactory(business_lines=[line_a], short_name="Давно в базе", inn=INNS[0])
    OrganizationFactory(business_lines=[line_b], short_name="Чужая", inn=INNS[1])
    define_attribute("founded", "date")
    rows = [["Название", "ИНН", "Основана", "Телефон"]]
    for number in range(10_000):
        founded = [datetime.date(2001, 2, 3), "03.02.2001", "2001-02-03"][number % 3]
        rows.append(
            [f"Клиент {number}", company_inn("7701", number), founded, f"+7 495 {number:07d}"]
        )
    faults = {
        2: ("Клиент 0", wrong_check_digit(company_inn("7701", 0)), "", ""),  # checksum
        100: ("Давно в базе", INNS[0], "", ""),  # already in the base: skipped, not an error
        200: ("", company_inn("7701", 198), "", ""),  # no name
        300: ("Клиент 298", company_inn("7701", 298), "31.02.2001", ""),  # no such date
        400: ("Клиент 398", int(company_inn("0274", 398)), "", ""),  # lost its leading zero
        500: ("Клиент 498", company_inn("7701", 1), "", ""),  # same INN as row 3
        600: ("Чужая", INNS[1], "", ""),  # another line's: skipped without naming it
    }
    for number, values in faults.items():
        rows[number - 1] = list(values)
    run = prepared(seller, xlsx(rows), business_lines=[line_a])
    checked = services.import_check(run)
    by_number = {row.number: row for row in checked.rows}
    assert {row.number for row in checked.rejected} == {2, 200, 300, 500}
    assert "контрольная цифра" in str(by_number[2].errors["org.inn"])
    assert by_number[200].errors["org.short_name"] == ["Обязательно для новой организации."]
    assert "не дата" in str(by_number[300].errors["org.attr.founded"])
    assert by_number[500].errors["org.inn"] == ["Повторяет строку 3."]
    assert by_number[100].organization_action == Action.SKIP
    assert (
        "Чужая" not in str(by_number[600].warnings) and by_number[600].organization_action == "skip"
    )
    restored = by_number[400]
    assert restored.values["org.inn"] == company_inn("0274", 398) and restored.warnings
    assert by_number[4].values["org.attr.founded"] == "2001-02-03"  # a date cell
    assert by_number[5].values["org.attr.founded"] == "2001-02-03"  # dd.mm.yyyy
    # All or nothing: the run refuses the file and writes nothing, but returns the rows.
    with django_capture_on_commit_callbacks(execute=True):
        services.import_start(actor=seller, run=run)
    run.refresh_from_db()
    assert run.status == "failed" and "Строк с ошибками: 4" in run.error
    assert Organization.objects.count() == 2 and run.file
    # Fixed, the same file goes in whole.
    rows[1] = ["Клиент 0", company_inn("7701", 0), "", ""]
    rows[199] = ["Клиент 198", company_inn("7701", 198), "", ""]
    rows[299] = ["Клиент 298", company_inn("7701", 298), "28.02.2001", ""]
    rows[499] = ["Клиент 498", company_inn("7701", 498), "", ""]
    run = prepared(seller, xlsx(rows), business_lines=[line_a])
    with django_capture_on_commit_callbacks(execute=True):
        services.import_start(actor=seller, run=run)
    run.refresh_from_db()
    assert run.status == "done", run.error
    assert run.result["organizations_create"] == 10_000 - 2 and not run.file
    assert Organization.objects.count() == 10_000
    zero = Organization.objects.get(short_name="Клиент 398")
    assert zero.inn.startswith("0") and zero.attributes == {}
    assert Organization.objects.get(short_name="Клиент 297").attributes == {"founded": "2001-02-03"}
    assert ContactPoint.objects.get(organization__short_name="Клиент 5").value == "+74950000005"
