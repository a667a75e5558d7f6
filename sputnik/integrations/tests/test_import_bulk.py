"""The fast paths of a large import behave as the plain ones: bulk-created records are the
stored ones, Django's query log still works, and the rows' cells are kept where someone
looks at them (the preview, the file of rejected rows)."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from sputnik.directory import services as directory
from sputnik.directory.models import ContactKind, Organization
from sputnik.directory.tests.factories import INNS, OrganizationFactory, define_attribute
from sputnik.integrations import services
from sputnik.integrations.importing import SAMPLE_ROWS

from .test_imports import prepared, xlsx

pytestmark = pytest.mark.django_db


@pytest.fixture
def seller(make_user, line_a):
    return make_user(lines={line_a: "write"})


def fields_of(record) -> dict:
    return {field.attname: getattr(record, field.attname) for field in record._meta.fields}


def test_bulk_created_records_are_the_stored_ones(seller, line_a):
    define_attribute("staff", "integer")
    items = [
        {
            "short_name": f"Альфа {n}",
            "inn": INNS[n],
            "attributes": {"staff": n + 1},
            "contacts": [{"kind": ContactKind.PHONE, "value": f"+7 495 000-00-0{n}"}],
        }
        for n in range(3)
    ]
    created = directory.organizations_bulk_create(
        actor=seller, business_lines=[line_a], items=items
    )
    for record in created:
        stored = Organization.objects.get(pk=record.pk)
        assert fields_of(record) == fields_of(stored)
        assert not record._state.adding
    later = directory.organization_create(
        actor=seller, business_lines=[line_a], short_name="Бета", inn=INNS[3]
    )
    assert later.pk > max(record.pk for record in created)


def test_bulk_creation_works_under_the_query_log(seller, line_a):
    with CaptureQueriesContext(connection):
        (alfa,) = directory.organizations_bulk_create(
            actor=seller,
            business_lines=[line_a],
            items=[{"short_name": "Альфа", "contacts": [{"kind": "email", "value": "a@a.ru"}]}],
        )
    assert alfa.contacts.get().value == "a@a.ru"


def test_a_check_keeps_the_cells_of_the_rows_shown(seller, line_a):
    OrganizationFactory(business_lines=[line_a], short_name="Альфа", inn=INNS[0])
    rows = [["Наименование", "ИНН"]]
    rows += [[f"Фирма {n}", ""] for n in range(SAMPLE_ROWS + 5)]
    rows += [["Плохая", "123"], ["Альфа", INNS[0]]]
    checked = services.import_check(prepared(seller, xlsx(rows), business_lines=[line_a]))
    kept = {row.number for row in checked.rows if row.cells is not None}
    rejected = [row for row in checked.rows if row.rejected]
    warned = [row for row in checked.rows if row.warnings and not row.rejected]
    assert [row.cells for row in rejected] == [["Плохая", "123"]]
    assert [row.cells for row in warned] == [["Альфа", INNS[0]]]
    assert kept == {row.number for row in rejected + warned} | set(range(2, 2 + SAMPLE_ROWS))
    assert checked.rows[0].values == {"org.short_name": "Фирма 0"}
    assert all(not row.values for row in checked.rows if row.number not in kept)
    assert [row.organization_action for row in checked.rows].count("create") == SAMPLE_ROWS + 5


def test_a_row_refused_while_writing_is_rejected_with_its_cells(seller, line_a, monkeypatch):
    create_one = directory.organization_create

    def refuse_bulk(**kwargs):
        raise ValidationError("one of them is refused")

    def refuse_one(**values):
        if values["short_name"] == "Отказ":
            raise ValidationError({"short_name": "Refused."})
        return create_one(**values)

    monkeypatch.setattr(directory, "organizations_bulk_create", refuse_bulk)
    monkeypatch.setattr(directory, "organization_create", refuse_one)
    rows = [["Наименование", "ИНН"], ["Альфа", INNS[0]], ["Отказ", INNS[1]], ["Бета", INNS[2]]]
    run = prepared(seller, xlsx(rows), business_lines=[line_a], valid_only=True)
    services.import_run(run.pk)
    run.refresh_from_db()
    assert run.status == "done", run.error
    assert set(Organization.objects.values_list("short_name", flat=True)) == {"Альфа", "Бета"}
    sheet = load_workbook(io.BytesIO(run.file.read())).active
    assert [cell.value for cell in sheet[2]][:2] == ["Отказ", INNS[1]]
