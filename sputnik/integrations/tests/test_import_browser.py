"""The spreadsheet import wizard in a real browser: upload, columns, preview, import."""

import io
import re

import pytest
from openpyxl import Workbook, load_workbook
from playwright.sync_api import expect

from sputnik.directory.models import Employment, Organization, Person
from sputnik.directory.tests.factories import INNS
from sputnik.integrations.models import Import
from sputnik.integrations.tests.test_imports import wrong_check_digit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HEADER = ["Наименование", "ИНН", "ФИО", "Должность"]


def write_xlsx(path, rows):
    book = Workbook()
    for row in rows:
        book.active.append(row)
    book.save(path)
    return path


def upload(page, path):
    """Step 1 of the wizard, already open: the file, then on to the columns."""
    expect(page.get_by_label("Организация (с контактным лицом)")).to_be_checked()
    page.set_input_files("input[name=source]", path)
    page.get_by_role("button", name="Далее: столбцы").click()
    page.wait_for_url("**/columns/")


def test_salesperson_imports_organisations_with_their_contact_persons(
    signed_in, live_server, make_user, line_a, tmp_path
):
    source = write_xlsx(
        tmp_path / "clients.xlsx",
        [
            HEADER,
            ["Альфа", INNS[0], "Иванов Иван Иванович", "Директор"],
            ["Бета", INNS[1], "Петрова Анна Сергеевна", "Бухгалтер"],
        ],
    )
    user = make_user(lines={line_a: "write"})
    page = signed_in(user)
    page.goto(f"{live_server.url}/organizations/")
    page.get_by_role("link", name="Импорт", exact=True).click()
    upload(page, source)

    # The columns are guessed from their headers.
    for number, key in enumerate(["org.short_name", "org.inn", "person.full_name", "job.position"]):
        expect(page.locator(f"select[name=column_{number}]")).to_have_value(key)
    expect(page.get_by_test_id("column-table")).to_contain_text("Альфа")  # first values
    expect(page.get_by_label(line_a.name)).to_be_checked()  # the user's only line
    page.get_by_role("button", name="Далее: проверка строк").click()

    # Checked, nothing written yet.
    page.wait_for_url("**/preview/")
    expect(page.get_by_test_id("preview-verdict")).to_have_text(
        "Все строки можно импортировать. Пока ничего не записано."
    )
    expect(page.get_by_test_id("preview-table").locator("tbody tr")).to_have_count(2)
    expect(page.get_by_test_id("cell-error")).to_have_count(0)
    assert not Organization.objects.exists()
    page.get_by_test_id("start-import").click()

    run = Import.objects.get()
    page.wait_for_url(f"**/imports/{run.pk}/")
    counts = page.get_by_test_id("import-counts")
    expect(counts.locator("dt")).to_have_text(
        ["Строк в файле", "Организации", "Контактные лица", "С предупреждениями", "Отклонено"]
    )
    created = "новых 2 · обновлено 0 · уже в базе 0 · найдено 0"
    expect(counts.locator("dd")).to_have_text(["2", created, created, "0", "0"])
    expect(page.get_by_test_id("rejected-file")).to_have_count(0)

    organizations = Organization.objects.order_by("short_name")
    assert [(o.short_name, o.inn) for o in organizations] == [
        ("Альфа", INNS[0]),
        ("Бета", INNS[1]),
    ]
    jobs = Employment.objects.order_by("person__last_name")
    assert [(j.person.last_name, j.organization.short_name, j.position) for j in jobs] == [
        ("Иванов", "Альфа", "Директор"),
        ("Петрова", "Бета", "Бухгалтер"),
    ]
    for record in [*organizations, *Person.objects.all()]:
        assert list(record.business_lines.all()) == [line_a]
    run.refresh_from_db()
    assert run.status == "done" and run.created_by == user


def test_a_faulty_row_stops_the_import_until_only_valid_rows_are_chosen(
    signed_in, live_server, make_user, line_a, tmp_path
):
    bad_inn = wrong_check_digit(INNS[1])
    source = write_xlsx(
        tmp_path / "clients.xlsx",
        [
            HEADER,
            ["Альфа", INNS[0], "Иванов Иван Иванович", "Директор"],
            ["Бета", bad_inn, "Петрова Анна Сергеевна", "Бухгалтер"],
        ],
    )
    page = signed_in(make_user(lines={line_a: "write"}))
    page.goto(f"{live_server.url}/imports/new/?kind=organizations")
    upload(page, source)
    page.get_by_role("button", name="Далее: проверка строк").click()

    # The error is shown on its row and cell; nothing can be imported.
    page.wait_for_url("**/preview/")
    expect(page.get_by_test_id("preview-verdict")).to_contain_text("Ошибки в 1 строке.")
    expect(page.get_by_test_id("preview-verdict")).to_contain_text("ничего не будет импортировано")
    table = page.get_by_test_id("preview-table")
    expect(table.locator("tbody tr")).to_have_count(1)  # only the rows with errors or warnings
    faulty = table.locator("tr[data-row='3']")  # the file's row 3: header, Альфа, Бета
    expect(faulty.get_by_test_id("cell-error")).to_have_text(
        f"В ИНН {bad_inn} неверная контрольная цифра: проверьте, нет ли опечатки."
    )
    expect(faulty.locator("td.table-danger")).to_contain_text(bad_inn)
    expect(page.get_by_test_id("start-import")).to_be_disabled()

    # Only the valid rows, then.
    page.get_by_role("link", name="Вернуться к столбцам и настройкам").click()
    page.wait_for_url("**/columns/")
    page.get_by_label("импортировать правильные строки, даже если в других есть ошибки").check()
    page.get_by_role("button", name="Далее: проверка строк").click()
    page.wait_for_url("**/preview/")
    expect(page.get_by_test_id("preview-verdict")).to_contain_text("Они будут пропущены")
    assert not Organization.objects.exists()
    page.get_by_test_id("start-import").click()

    run = Import.objects.get()
    page.wait_for_url(f"**/imports/{run.pk}/")
    created = "новых 1 · обновлено 0 · уже в базе 0 · найдено 0"
    expect(page.get_by_test_id("import-counts").locator("dd")).to_have_text(
        ["2", created, created, "0", "1"]
    )
    expect(page.get_by_test_id("rejected-count")).to_have_class(re.compile("text-danger"))
    rejected_link = page.get_by_test_id("rejected-file")
    expect(rejected_link).to_have_text("Отклонённые строки с причинами (.xlsx)")
    assert list(Organization.objects.values_list("short_name", flat=True)) == ["Альфа"]
    assert list(Person.objects.values_list("last_name", flat=True)) == ["Иванов"]
    assert Employment.objects.get().organization.short_name == "Альфа"

    with page.expect_download() as download:
        rejected_link.click()
    assert download.value.suggested_filename == "clients-rejected.xlsx"
    book = load_workbook(io.BytesIO(download.value.path().read_bytes()))
    header, *rejected = book.active.iter_rows(values_only=True)
    assert header[:4] == tuple(HEADER)
    assert [row[:2] for row in rejected] == [("Бета", bad_inn)]
    assert "неверная контрольная цифра" in rejected[0][-1]
