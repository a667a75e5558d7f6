"""Lists exported to Excel: the list as filtered and sorted, typed cells, the author's
business lines only, in the background, audited."""

import datetime
import io

import pytest
from openpyxl import load_workbook

from sputnik.access.models import RoleCode, SecurityEvent, SecurityEventKind
from sputnik.core.testing import clients_for
from sputnik.directory import services
from sputnik.directory.models import Organization
from sputnik.directory.tests.factories import (
    INNS,
    OrganizationFactory,
    PersonFactory,
    define_attribute,
)
from sputnik.integrations.models import Export

pytestmark = pytest.mark.django_db


@pytest.fixture
def seller(make_user, line_a):
    return make_user(lines={line_a: "write"})


@pytest.fixture
def base(line_a, line_b):
    for code, kind in (("staff", "integer"), ("founded", "date"), ("holding", "organization")):
        define_attribute(
            code, kind, {"staff": "Штат", "founded": "Основана", "holding": "Холдинг"}[code]
        )
    hidden = OrganizationFactory(business_lines=[line_b], short_name="Чужая")
    OrganizationFactory(
        business_lines=[line_a],
        short_name="Альфа",
        inn=INNS[0],
        attributes={"staff": 1200, "founded": "2001-02-03", "holding": hidden.pk},
        contacts=[{"kind": "phone", "value": "+7 495 1234567"}],
    )
    OrganizationFactory(business_lines=[line_a], short_name="Бета", attributes={"staff": 20})
    OrganizationFactory(business_lines=[line_a], short_name="Гамма ООО")


def export(client, kind, query, capture):
    with capture(execute=True):
        response = client.post(f"/exports/{kind}/new/", query)
    run = Export.objects.latest("pk")
    assert response["Location"] == f"/exports/{run.pk}/"
    run.refresh_from_db()
    assert run.status == "done", run.error
    download = client.get(f"/exports/{run.pk}/download/")
    book = load_workbook(io.BytesIO(b"".join(download.streaming_content)))
    return run, [list(row) for row in book.active.iter_rows(values_only=True)]


def test_the_list_as_filtered_and_sorted_with_typed_cells(
    base, seller, django_capture_on_commit_callbacks
):
    page = clients_for(seller)[0]
    query = {"attr_staff_min": "10", "o": "-attr_staff", "page": "3"}
    run, rows = export(page, "organizations", query, django_capture_on_commit_callbacks)
    header, *data = rows
    assert header[:2] == ["ID", "Название"] and header[-3:] == ["Штат", "Основана", "Холдинг"]
    assert [row[1] for row in data] == ["Альфа", "Бета"]  # filtered and sorted, all pages
    alpha = dict(zip(header, data[0], strict=True))
    assert alpha["ИНН"] == INNS[0] and alpha["Телефоны"] == "+74951234567"
    assert alpha["Штат"] == 1200  # a number, not text
    assert alpha["Основана"] == datetime.datetime(2001, 2, 3)  # a date cell
    hidden = Organization.objects.get(short_name="Чужая")
    assert alpha["Холдинг"] == f"#{hidden.pk}"  # another line's organisation is not named
    assert "Чужая" not in str(rows)  # neither as a row nor as a referenced name
    assert run.done == run.total == 2
    event = SecurityEvent.objects.get(kind=SecurityEventKind.EXPORT, user=seller)
    assert event.details["rows"] == 2 and event.details["what"] == "organizations"


def test_persons_with_their_jobs(line_a, seller, django_capture_on_commit_callbacks):
    org = OrganizationFactory(business_lines=[line_a], short_name="Ромашка")
    person = PersonFactory(
        business_lines=[line_a], last_name="Иванов", birthday=datetime.date(1980, 5, 17)
    )
    services.employment_create(actor=None, person=person, organization=org, position="Директор")
    page = clients_for(seller)[0]
    _run, (header, row) = export(page, "persons", {}, django_capture_on_commit_callbacks)
    person_row = dict(zip(header, row, strict=True))
    assert person_row["Организация и должность"] == "Ромашка, Директор"
    assert person_row["День рождения"] == datetime.datetime(1980, 5, 17)


def test_exports_are_private_and_need_the_list(base, seller, make_user, line_a):
    run = Export.objects.create(created_by=seller, kind="organizations")
    other = clients_for(make_user(lines={line_a: "write"}))[0]
    assert other.get(f"/exports/{run.pk}/").status_code == 404
    assert other.get(f"/exports/{run.pk}/download/").status_code == 404
    assert "export-table" not in other.get("/exports/").content.decode()
    security = clients_for(make_user(RoleCode.SECURITY_OFFICER, all_lines_role="read"))[0]
    assert security.post("/exports/organizations/new/").status_code == 302  # reads the base
    nobody = clients_for(make_user(role=None))[0]
    assert nobody.post("/exports/organizations/new/").status_code == 403
    assert clients_for(seller)[0].post("/exports/deals/new/").status_code == 404


def test_list_pages_offer_the_export(base, seller):
    page = clients_for(seller)[0]
    content = page.get("/organizations/?q=Аль").content.decode()
    assert 'action="/exports/organizations/new/"' in content
    assert 'name="q" value="Аль"' in content


def test_api_starts_follows_and_downloads_an_export(
    base, seller, make_user, line_a, django_capture_on_commit_callbacks
):
    api = clients_for(seller)[1]
    payload = {"kind": "organizations", "params": {"q": "Бета"}}
    with django_capture_on_commit_callbacks(execute=True):
        created = api.post("/api/v1/exports/", payload, format="json")
    assert created.status_code == 201, created.json()
    run = api.get(f"/api/v1/exports/{created.json()['id']}/").json()
    assert (run["status"], run["done"]) == ("done", 1)
    download = api.get(run["file"])
    book = load_workbook(io.BytesIO(b"".join(download.streaming_content)))
    assert [row[1] for row in book.active.iter_rows(values_only=True)][1:] == ["Бета"]
    other = clients_for(make_user(lines={line_a: "write"}))[1]
    assert other.get(f"/api/v1/exports/{run['id']}/").status_code == 404
    assert other.get("/api/v1/exports/").json()["results"] == []
    bad = api.post("/api/v1/exports/", {"kind": "deals"}, format="json")
    assert bad.status_code == 400 and "kind" in bad.json()["errors"]
    assert api.delete(f"/api/v1/exports/{run['id']}/").status_code == 405


def test_search_results_open_as_a_table_and_export(
    base, seller, django_capture_on_commit_callbacks
):
    page = clients_for(seller)[0]
    results = page.get("/search/?q=Альфа").text
    assert "/organizations/?found=" in results
    table = page.get("/organizations/", {"found": "Альфа"}).text  # typo-tolerant search
    assert "Альфа" in table and "Бета" not in table
    _run, rows = export(
        page, "organizations", {"found": "Альфа"}, django_capture_on_commit_callbacks
    )
    assert [row[1] for row in rows[1:]] == ["Альфа"]
