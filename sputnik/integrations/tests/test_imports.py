"""Imports from spreadsheets (INT-1): files of every format read, columns guessed, every
row checked before anything is written, duplicates handled by the chosen policy, all or
nothing, the rejected rows returned with their reasons, the author's lines only."""

import datetime
import io
import zipfile
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from sputnik.access.models import SecurityEvent, SecurityEventKind
from sputnik.core.testing import clients_for
from sputnik.directory import services as directory
from sputnik.directory.demo import company_inn
from sputnik.directory.models import (
    ContactPoint,
    Employment,
    Organization,
    Person,
    Segment,
)
from sputnik.directory.tests.factories import (
    INNS,
    OrganizationFactory,
    PersonFactory,
    define_attribute,
)
from sputnik.integrations import services
from sputnik.integrations.importing import Action
from sputnik.integrations.models import Import
from sputnik.integrations.reading import read_table

pytestmark = pytest.mark.django_db

FILES = Path(__file__).parent / "files"


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
    event = SecurityEvent.objects.get(kind=SecurityEventKind.IMPORT, user=seller)
    assert event.details["file"] == "clients.xlsx" and event.details["written"] == 2
    from sputnik.access.audit import describe_events

    rows = dict(describe_events([event])[0].rows)
    assert rows["Если уже в базе"] == "Пропустить: оставить запись в базе как есть"


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
    define_attribute("founded", "date", "Основана")
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


def test_an_interrupted_import_leaves_nothing_and_runs_again(
    seller, line_a, monkeypatch, django_capture_on_commit_callbacks
):
    rows = [["Название", "ИНН"]] + [[f"Клиент {n}", company_inn("7701", n)] for n in range(30)]
    run = prepared(seller, xlsx(rows), business_lines=[line_a])
    real = directory.contact_add

    def killed(*args, **kwargs):  # the worker dies in the middle of writing
        raise KeyboardInterrupt

    monkeypatch.setattr(directory, "organizations_bulk_create", killed)
    with pytest.raises(KeyboardInterrupt), django_capture_on_commit_callbacks(execute=True):
        services.import_start(actor=seller, run=run)
    assert not Organization.objects.exists()
    run.refresh_from_db()
    assert run.status == "running" and not run.is_interrupted  # silent for too short yet
    monkeypatch.undo()
    assert directory.contact_add is real
    Import.objects.filter(pk=run.pk).update(updated_at=run.updated_at - datetime.timedelta(hours=1))
    run.refresh_from_db()
    assert run.is_interrupted
    page = clients_for(seller)[0]
    assert "Запустить снова" in page.get(f"/imports/{run.pk}/").text
    with django_capture_on_commit_callbacks(execute=True):
        page.post(f"/imports/{run.pk}/start/")
    run.refresh_from_db()
    assert run.status == "done" and Organization.objects.count() == 30


def test_cp1251_csv_with_semicolons_and_utf8_with_commas_read_alike(seller):
    text = "Наименование;ИНН;Город\nАльфа;{};Москва\n«Бета»;{};Пермь\n".format(*INNS[:2])
    for upload in (
        csv_file(text, "cp1251"),
        csv_file(text.replace(";", ","), "utf-8"),
        csv_file("\ufeff" + text, "utf-8"),  # with the byte-order mark Excel writes
    ):
        run = services.import_create(actor=seller, kind="organizations", upload=upload)
        assert run.mapping == ["org.short_name", "org.inn", "org.city"]
        checked = services.import_check(run)
        assert [row.values["org.short_name"] for row in checked.rows] == ["Альфа", "«Бета»"]
        assert not checked.rejected


def test_an_opendocument_spreadsheet_is_read(seller):
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'
        ' xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"'
        ' xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        '<office:body><office:spreadsheet><table:table table:name="Лист1">'
        '<table:table-row><table:table-cell office:value-type="string"><text:p>Название</text:p>'
        '</table:table-cell><table:table-cell office:value-type="string"><text:p>Дата рождения'
        "</text:p></table:table-cell></table:table-row>"
        '<table:table-row><table:table-cell office:value-type="string"><text:p>Альфа</text:p>'
        '</table:table-cell><table:table-cell office:value-type="date" office:date-value='
        '"1980-05-06"><text:p>06.05.1980</text:p></table:table-cell></table:table-row>'
        "</table:table></office:spreadsheet></office:body></office:document-content>"
    )
    raw = io.BytesIO()
    with zipfile.ZipFile(raw, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", content)
        archive.writestr(
            "META-INF/manifest.xml",
            '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest='
            '"urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"><manifest:file-entry '
            'manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.'
            'spreadsheet"/></manifest:manifest>',
        )
    table = read_table(raw.getvalue(), "list.ods")
    assert table.headers == ["Название", "Дата рождения"] and table.sheet == "Лист1"
    assert table.rows == [["Альфа", datetime.date(1980, 5, 6)]]


def test_unreadable_files_are_refused_with_a_reason(seller):
    page = clients_for(seller)[0]
    for upload, message in (
        (SimpleUploadedFile("clients.pdf", b"%PDF-1.4"), "не такой файл"),
        (SimpleUploadedFile("clients.xlsx", b"not a zip"), "не читается как таблица"),
        (csv_file(";\n ; \n"), "В файле нет строк"),
    ):
        response = page.post("/imports/new/", {"kind": "organizations", "source": upload})
        assert response.status_code == 200 and message in response.text
    assert not Import.objects.exists()


def test_persons_are_matched_by_email_or_phone_and_updated_on_request(seller, line_a, line_b):
    known = PersonFactory(
        business_lines=[line_a],
        last_name="Иванов",
        contacts=[{"kind": "email", "value": "ivanov@a.ru"}],
    )
    PersonFactory(
        business_lines=[line_b],
        last_name="Скрытый",
        contacts=[{"kind": "phone", "value": "+7 495 7654321"}],
    )
    rows = [
        ["Фамилия", "Имя", "E-mail", "Телефон", "Дата рождения"],
        ["Иванов", "Иван", "IVANOV@a.ru", "", "01.02.1980"],
        ["Скрытов", "", "", "8 495 765-43-21", ""],
        ["Новикова", "Анна", "anna@b.ru", "", datetime.date(1990, 3, 4)],
        ["Новикова", "Анна", "anna@b.ru", "", ""],
    ]
    run = prepared(seller, xlsx(rows), kind="persons", policy="update")
    assert run.mapping == [
        "person.last_name",
        "person.first_name",
        "person.emails",
        "person.phones",
        "person.birthday",
    ]
    checked = services.import_check(run)
    first, hidden, new, repeated = checked.rows
    assert first.person_action == Action.UPDATE and first.person == known
    assert hidden.rejected and "нет доступа" in str(hidden.errors)  # not named either
    assert "Скрытый" not in str(hidden.errors)
    assert new.person_action == Action.CREATE
    assert repeated.errors["person.emails"] == ["Та же персона, что в строке 4."]
    services.import_configure(actor=seller, run=run, valid_only=True)
    services.import_run(run.pk)
    known.refresh_from_db()
    assert known.birthday == datetime.date(1980, 2, 1) and known.first_name == "Иван"
    anna = Person.objects.get(last_name="Новикова")
    assert anna.gender == "" and anna.birthday == datetime.date(1990, 3, 4)
    assert list(anna.business_lines.all()) == [line_a]


def test_records_go_only_to_the_importers_lines(seller, line_b):
    run = services.import_create(
        actor=seller, kind="organizations", upload=xlsx([["Название"], ["Альфа"]])
    )
    with pytest.raises(ValidationError) as error:
        services.import_configure(actor=seller, run=run, business_lines=[line_b])
    assert "только в свои направления" in str(error.value)


def test_someone_elses_import_is_not_found(seller, make_user, line_a):
    run = services.import_create(
        actor=seller, kind="organizations", upload=xlsx([["Название"], ["Альфа"]])
    )
    colleague = clients_for(make_user(lines={line_a: "write"}))[0]
    for url in ("", "columns/", "preview/", "rejected/"):
        assert colleague.get(f"/imports/{run.pk}/{url}").status_code == 404
    assert colleague.post(f"/imports/{run.pk}/start/").status_code == 404


def test_bulk_creation_is_audited_like_single_creation(seller, line_a):
    from auditlog.models import LogEntry

    single = OrganizationFactory(
        business_lines=[line_a], short_name="Одна", inn=INNS[0], website="https://a.ru"
    )
    (bulk,) = directory.organizations_bulk_create(
        actor=seller,
        business_lines=[line_a],
        items=[{"short_name": "Одна", "inn": INNS[1], "website": "https://a.ru"}],
    )
    one = LogEntry.objects.get(
        object_id=single.pk, action=LogEntry.Action.CREATE, content_type__model="organization"
    )
    many = LogEntry.objects.get(
        object_id=bulk.pk, action=LogEntry.Action.CREATE, content_type__model="organization"
    )
    one.changes.pop("inn"), many.changes.pop("inn")
    assert many.changes == one.changes and many.actor == seller
    lines = LogEntry.objects.get(
        object_id=bulk.pk, action=LogEntry.Action.UPDATE, content_type__model="organization"
    )
    assert lines.changes["business_lines"]["objects"] == [str(line_a)]


def test_an_update_keeps_what_the_file_does_not_have(seller, line_a):
    alpha = OrganizationFactory(
        business_lines=[line_a],
        short_name="Альфа",
        inn=INNS[0],
        addresses=[{"kind": "legal", "city": "Москва", "street": "Тверская, 1"}],
    )
    run = prepared(seller, xlsx([["ИНН", "Город"], [INNS[0], "Санкт-Петербург"]]), policy="update")
    services.import_run(run.pk)
    address = alpha.addresses.get()
    assert (address.city, address.street) == ("Санкт-Петербург", "Тверская, 1")


def export_of(user, kind, capture, **params) -> bytes:
    from sputnik.integrations.services import export_start

    with capture(execute=True):
        run = export_start(actor=user, kind=kind, params=params)
    run.refresh_from_db()
    return run.file.read()


def test_round_trip_export_mark_rows_import_as_a_static_list(
    seller, line_a, line_b, django_capture_on_commit_callbacks
):
    for number in range(6):
        OrganizationFactory(
            business_lines=[line_a], short_name=f"Клиент {number}", inn=company_inn("7701", number)
        )
    OrganizationFactory(business_lines=[line_b], short_name="Чужая")
    book = load_workbook(
        io.BytesIO(
            export_of(seller, "organizations", django_capture_on_commit_callbacks, o="short_name")
        )
    )
    sheet = book.active
    sheet.cell(row=1, column=sheet.max_column + 1, value="Включить")
    marked = {"Клиент 1", "Клиент 4"}
    for row in range(2, sheet.max_row + 1):
        name = sheet.cell(row=row, column=2).value
        sheet.cell(row=row, column=sheet.max_column, value="да" if name in marked else "")
    raw = io.BytesIO()
    book.save(raw)
    run = prepared(
        seller,
        SimpleUploadedFile("marked.xlsx", raw.getvalue()),
        policy="match",
        segment_name="Из Excel",
    )
    assert run.mapping[0] == "org.id" and run.mapping[-1] == "include"
    services.import_run(run.pk)
    run.refresh_from_db()
    assert run.status == "done", run.error
    segment = Segment.objects.get(name="Из Excel")
    assert set(segment.organizations.values_list("short_name", flat=True)) == marked
    assert run.result["excluded"] == 4 and run.result["organizations_match"] == 2
    assert Organization.objects.count() == 7  # nothing created


def test_round_trip_edited_values_come_back_as_updates(
    seller, line_a, django_capture_on_commit_callbacks
):
    OrganizationFactory(business_lines=[line_a], short_name="Альфа", inn=INNS[0])
    book = load_workbook(
        io.BytesIO(export_of(seller, "organizations", django_capture_on_commit_callbacks))
    )
    sheet = book.active
    headers = [cell.value for cell in sheet[1]]
    sheet.cell(row=2, column=headers.index("Название") + 1, value="Альфа Групп")
    sheet.cell(row=2, column=headers.index("Сайт") + 1, value="https://alfa.ru")
    raw = io.BytesIO()
    book.save(raw)
    run = prepared(seller, SimpleUploadedFile("edited.xlsx", raw.getvalue()), policy="update")
    services.import_run(run.pk)
    alpha = Organization.objects.get()
    assert (alpha.short_name, alpha.website, alpha.version) == ("Альфа Групп", "https://alfa.ru", 2)


def test_a_file_of_inns_names_and_emails_fills_a_list_with_a_report(seller, line_a):
    OrganizationFactory(business_lines=[line_a], short_name="Альфа", inn=INNS[0])
    OrganizationFactory(business_lines=[line_a], short_name="Двойник", inn=INNS[1])
    OrganizationFactory(business_lines=[line_a], short_name="Двойник", inn=INNS[2])
    OrganizationFactory(business_lines=[line_a], short_name="Бета", inn=INNS[3])
    segment = directory.segment_create(
        actor=seller, name="Выставка", kind="organizations", business_lines=[line_a]
    )
    page = clients_for(seller)[0]
    upload = xlsx(
        [["ИНН", "Название"], [INNS[0], ""], ["", "бета"], ["", "Двойник"], ["", "Нет такой"]]
    )
    response = page.post(
        f"/imports/new/?kind=organizations&segment={segment.pk}",
        {"kind": "organizations", "source": upload},
    )
    run = Import.objects.get()
    assert (run.segment, run.policy) == (segment, "match")  # found, not created
    checked = services.import_check(run)
    found, by_name, ambiguous, missing = checked.rows
    assert found.organization_action == by_name.organization_action == Action.MATCH
    assert "Неоднозначно: с таким названием 2" in str(ambiguous.errors)
    assert "Не найдена" in str(missing.errors)
    preview = page.get(response["Location"].replace("columns", "preview")).text
    assert "Неоднозначно" in preview and "Не найдена" in preview
    services.import_configure(actor=seller, run=run, valid_only=True)
    services.import_run(run.pk)
    assert set(segment.organizations.values_list("short_name", flat=True)) == {"Альфа", "Бета"}


def test_the_api_creates_previews_starts_and_reports(
    seller, line_a, django_capture_on_commit_callbacks
):
    api = clients_for(seller)[1]
    fields = api.get("/api/v1/imports/fields/?kind=organizations").json()
    assert {"key": "org.inn", "label": "ИНН", "group": "organization"} in fields
    upload = xlsx([["Название", "ИНН"], ["Альфа", INNS[0]], ["Бета", "123"]])
    response = api.post(
        "/api/v1/imports/", {"kind": "organizations", "source": upload}, format="multipart"
    )
    assert response.status_code == 201, response.json()
    created = response.json()
    assert created["mapping"] == ["org.short_name", "org.inn"] and created["status"] == "draft"
    url = f"/api/v1/imports/{created['id']}/"
    preview = api.get(url + "preview/").json()
    assert preview["summary"]["rejected"] == 1
    assert preview["rows"][0]["row"] == 3 and "org.inn" in preview["rows"][0]["errors"]
    assert api.patch(url, {"mapping": ["org.short_name", "org.nope"]}, format="json").json()[
        "errors"
    ]["mapping"]
    assert api.patch(url, {"valid_only": True}, format="json").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        started = api.post(url + "start/")
    assert started.status_code == 202, started.json()
    done = api.get(url).json()
    assert done["status"] == "done" and done["result"]["organizations_create"] == 1
    assert done["rejected"].endswith(f"/api/v1/imports/{created['id']}/rejected/")
    assert api.get(url + "rejected/").status_code == 200
    assert api.patch(url, {"valid_only": False}, format="json").status_code == 400  # started


def test_the_api_refuses_an_import_the_role_does_not_allow(make_user, line_a):
    reader = make_user(lines={line_a: "read"}, role=None)
    api = clients_for(reader)[1]
    upload = xlsx([["Название"], ["Альфа"]])
    response = api.post(
        "/api/v1/imports/", {"kind": "organizations", "source": upload}, format="multipart"
    )
    assert response.status_code == 403


def test_an_old_excel_workbook_is_read():
    """clients.xls was written by xlwt (Excel 97–2003 format): a number for the INN, a
    date cell."""
    table = read_table((FILES / "clients.xls").read_bytes(), "clients.xls")
    assert table.headers == ["Наименование", "ИНН", "Дата рождения", "ФИО"]
    assert table.rows == [
        ["Альфа", 7707083893.0, datetime.date(1980, 5, 6), "Иванов Иван Иванович"]
    ]


def test_a_long_file_is_previewed_by_its_first_rows(seller, monkeypatch):
    from sputnik.integrations import import_views

    monkeypatch.setattr(import_views, "PREVIEW_CHECK", 2)
    rows = [["Название", "ИНН"], ["Альфа", INNS[0]], ["Бета", INNS[1]], ["", "123"]]
    run = prepared(seller, xlsx(rows))
    preview = clients_for(seller)[0].get(f"/imports/{run.pk}/preview/").text
    assert "Здесь проверено первых строк: 2. Ещё 1 строка" in preview
    assert "Проверенные строки можно импортировать" in preview  # the third is not seen yet


def test_another_sheet_of_the_workbook_can_be_taken(seller):
    book = Workbook()
    book.active.title = "Справка"
    book.active.append(["Это лист с пояснениями"])
    clients = book.create_sheet("Клиенты")
    clients.append(["Наименование", "ИНН"])
    clients.append(["Альфа", INNS[0]])
    raw = io.BytesIO()
    book.save(raw)
    page = clients_for(seller)[0]
    page.post(
        "/imports/new/",
        {"kind": "organizations", "source": SimpleUploadedFile("book.xlsx", raw.getvalue())},
    )
    run = Import.objects.get()
    assert run.sheet == "Справка"
    columns = page.get(f"/imports/{run.pk}/columns/").text
    assert "Лист книги" in columns and "Клиенты" in columns
    page.post(f"/imports/{run.pk}/sheet/", {"sheet": "Клиенты"})
    run.refresh_from_db()
    assert (run.sheet, run.mapping) == ("Клиенты", ["org.short_name", "org.inn"])
    assert [row.values["org.short_name"] for row in services.import_check(run).rows] == ["Альфа"]


def test_persons_with_an_organisation_named_but_no_inn_join_the_one_in_the_base(seller, line_a):
    alpha = OrganizationFactory(business_lines=[line_a], short_name="Альфа", inn=INNS[0])
    rows = [
        ["ФИО", "E-mail", "Организация", "Должность"],
        ["Иванов Иван", "i@a.ru", "Альфа", "Директор"],
        ["Петров Пётр", "p@b.ru", "Бета", "Инженер"],
    ]
    run = prepared(seller, xlsx(rows), kind="persons")
    assert run.mapping == ["person.full_name", "person.emails", "org.short_name", "job.position"]
    services.import_run(run.pk)
    run.refresh_from_db()
    assert run.status == "done", run.error
    assert Organization.objects.filter(short_name="Альфа").count() == 1  # no duplicate
    assert Employment.objects.get(person__last_name="Иванов").organization == alpha
    assert Employment.objects.get(person__last_name="Петров").organization.short_name == "Бета"
