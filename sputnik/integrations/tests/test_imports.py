"""Imports from spreadsheets (INT-1): files of every format read, columns guessed, every
row checked before anything is written, duplicates handled by the chosen policy, all or
nothing, the rejected rows returned with their reasons, the author's lines only."""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from sputnik.core.testing import clients_for
from sputnik.directory.models import ContactPoint, Employment, Organization, Person, Segment
from sputnik.directory.tests.factories import INNS, OrganizationFactory
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


def prepared(user, upload, kind="organizations", **options) -> Import:
    run = services.import_create(actor=user, kind=kind, upload=upload)
    return services.import_configure(actor=user, run=run, **options)


def test_columns_are_guessed_from_russian_and_english_headers(seller):
    upload = xlsx([["Наименование", "ИНН", "Phone", "ФИО", "Должность", "Что-то ещё"], ["A"]])
    run = services.import_create(actor=seller, kind="organizations", upload=upload)
    assert run.mapping == [
        "org.short_name", "org.inn", "org.phones", "person.full_name", "job.position", "",
    ]
    assert run.status == "draft" and list(run.business_lines.all())  # the only line


def test_an_organisation_with_its_contact_person_per_row(seller, line_a):
    upload = xlsx([
        ["Наименование", "ИНН", "Телефон", "ФИО", "Должность", "Личный e-mail"],
        ["Альфа", INNS[0], "8 (495) 123-45-67", "Иванов Иван Иванович", "Директор", "i@a.ru"],
        ["Альфа", INNS[0], "", "Петрова Анна Сергеевна", "Бухгалтер", "p@a.ru"],
        ["Бета", int(INNS[1]), "", "", "", ""],
    ])
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
        ("Иванов", "Директор"), ("Петрова", "Бухгалтер"),
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
    form = {"column_0": "org.short_name", "column_1": "org.inn", "column_2": "org.categories",
            "policy": "skip", "business_lines": [line_a.pk], "save_mapping_as": "Клиенты"}
    response = page.post(f"/imports/{run.pk}/columns/", form)
    assert response["Location"] == f"/imports/{run.pk}/preview/"
    preview = page.get(response["Location"]).text
    assert "Обязательно для новой организации" in preview  # empty name, on its cell
    assert "неверная контрольная цифра" in preview  # bad INN checksum
    assert "Нет в справочнике: Нет такой" in preview
    assert "data-testid=\"start-import\" disabled" in preview  # all or nothing by default
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

