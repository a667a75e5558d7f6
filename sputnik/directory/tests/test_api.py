import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sputnik.access.models import RoleCode
from sputnik.core.testing import clients_for
from sputnik.directory.filters import OrganizationFilter
from sputnik.directory.models import Category, Employment, Organization
from sputnik.directory.tests.factories import INNS, OrganizationFactory, PersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(make_user, line_a):
    return clients_for(make_user(lines={line_a: "write"}))[1]


def test_create_organisation_with_lines_and_read_it_back(api, line_a):
    payload = {
        "short_name": "Ромашка",
        "inn": INNS[1],
        "business_lines": [line_a.pk],
        "legal_form": "ooo",
        "status": "client",
    }
    response = api.post("/api/v1/organizations/", payload, format="json")
    assert response.status_code == 201, response.json()
    body = api.get(f"/api/v1/organizations/{response.json()['id']}/").json()
    assert (body["inn"], body["business_lines"], body["version"]) == (INNS[1], [line_a.pk], 1)


def test_wrong_inn_checksum_names_the_field_and_the_reason(api, line_a):
    payload = {"short_name": "Ошибка", "inn": "7707083894", "business_lines": [line_a.pk]}
    response = api.post("/api/v1/organizations/", payload, format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert "check digit" in response.json()["errors"]["inn"][0]
    assert not Organization.objects.exists()


def test_duplicate_inn_is_refused(api, line_a):
    OrganizationFactory(business_lines=[line_a], short_name="Сбербанк", inn=INNS[0])
    payload = {"short_name": "Сбер", "inn": INNS[0], "business_lines": [line_a.pk]}
    response = api.post("/api/v1/organizations/", payload, format="json")
    assert response.status_code == 400
    assert "Сбербанк" in response.json()["errors"]["inn"][0]


def test_cannot_put_an_organisation_into_a_line_without_write(api, line_b):
    payload = {"short_name": "Чужая", "business_lines": [line_b.pk]}
    response = api.post("/api/v1/organizations/", payload, format="json")
    assert response.status_code == 400 and "business_lines" in response.json()["errors"]


def test_filters_match_the_list_page(api, line_a):
    OrganizationFactory(business_lines=[line_a], short_name="Ромашка", status="client")
    OrganizationFactory(business_lines=[line_a], short_name="Лютик")
    names = [
        o["short_name"] for o in api.get("/api/v1/organizations/?status=client").json()["results"]
    ]
    assert names == ["Ромашка"]
    names = [o["short_name"] for o in api.get("/api/v1/organizations/?q=лют").json()["results"]]
    assert names == ["Лютик"]


def test_a_list_without_filters_builds_no_filter_set(api, line_a, monkeypatch):
    """Only the page and the format asked for: the whole list, at no filter set's cost."""
    OrganizationFactory(business_lines=[line_a], short_name="Ромашка", status="client")
    OrganizationFactory(business_lines=[line_a], short_name="Лютик")
    built = []
    original = OrganizationFilter.__init__

    def counted(self, *args, **kwargs):
        built.append(kwargs.get("data", args[0] if args else None))
        original(self, *args, **kwargs)

    monkeypatch.setattr(OrganizationFilter, "__init__", counted)
    for query in ("", "?page_size=1", "?format=json"):
        answer = api.get(f"/api/v1/organizations/{query}").json()
        assert answer["results"] and len(answer["results"]) <= 2
    assert built == []
    first = api.get("/api/v1/organizations/?page_size=1").json()
    second = api.get(first["next"]).json()
    pages = {first["results"][0]["short_name"], second["results"][0]["short_name"]}
    assert pages == {"Ромашка", "Лютик"} and built == []
    filtered = api.get("/api/v1/organizations/?page_size=1&status=client").json()
    assert [o["short_name"] for o in filtered["results"]] == ["Ромашка"]
    assert len(built) == 1


def test_a_list_shows_each_records_relations_as_its_own_answer_does(make_user, line_a, line_b):
    """The list reads its many-relations from plain lists prefetched per page; each record
    still shows exactly its own lines, categories, contacts and addresses."""
    api = clients_for(make_user(lines={line_a: "write", line_b: "write"}))[1]
    retail = Category.objects.create(name="Розница")
    created = [
        api.post("/api/v1/organizations/", payload, format="json")
        for payload in (
            {
                "short_name": "Ромашка",
                "business_lines": [line_a.pk, line_b.pk],
                "categories": [retail.pk],
                "contacts": [
                    {"kind": "phone", "value": "+74951234567", "is_primary": True},
                    {"kind": "email", "value": "info@romashka.ru"},
                ],
                "addresses": [{"kind": "legal", "city": "Москва", "street": "Тверская, 1"}],
            },
            {"short_name": "Лютик", "business_lines": [line_b.pk]},
        )
    ]
    assert [answer.status_code for answer in created] == [201, 201]
    persons = [
        api.post("/api/v1/persons/", payload, format="json")
        for payload in (
            {
                "last_name": "Иванов",
                "first_name": "Пётр",
                "business_lines": [line_a.pk],
                "contacts": [{"kind": "email", "value": "ivanov@romashka.ru"}],
            },
            {"last_name": "Петров", "first_name": "Иван", "business_lines": [line_b.pk]},
        )
    ]
    assert [answer.status_code for answer in persons] == [201, 201]
    for kind in ("organizations", "persons"):
        listed = api.get(f"/api/v1/{kind}/").json()["results"]
        assert len(listed) == 2
        for record in listed:
            assert record == api.get(f"/api/v1/{kind}/{record['id']}/").json()
    listed = api.get("/api/v1/organizations/").json()["results"]
    romashka = next(o for o in listed if o["short_name"] == "Ромашка")
    assert sorted(romashka["business_lines"]) == sorted([line_a.pk, line_b.pk])
    assert romashka["categories"] == [retail.pk]
    assert {c["value"] for c in romashka["contacts"]} == {"+74951234567", "info@romashka.ru"}
    assert [a["city"] for a in romashka["addresses"]] == ["Москва"]


def test_a_list_reads_of_related_records_only_the_columns_it_shows(api, line_a):
    """Lines and categories are shown as ids and contacts by five fields: the list does not
    read (or build records from) their other columns."""
    created = api.post(
        "/api/v1/organizations/",
        {
            "short_name": "Ромашка",
            "business_lines": [line_a.pk],
            "contacts": [{"kind": "phone", "value": "+74951234567"}],
        },
        format="json",
    )
    assert created.status_code == 201
    with CaptureQueriesContext(connection) as queries:
        listed = api.get("/api/v1/organizations/").json()["results"]
    assert listed[0]["business_lines"] == [line_a.pk]
    assert listed[0]["contacts"][0]["value"] == "+74951234567"
    related = {  # what each related read selects
        table: next(q["sql"] for q in queries if f'FROM "{table}"' in q["sql"]).split(" FROM ")[0]
        for table in ("access_businessline", "directory_contactpoint", "directory_address")
    }
    assert '"access_businessline"."name"' not in related["access_businessline"]
    assert '"directory_contactpoint"."value"' in related["directory_contactpoint"]
    for table, sql in related.items():
        assert f'"{table}"."created_at"' not in sql


def test_a_record_is_read_by_its_key_whatever_the_list_filters_say(api, line_a):
    lutik = OrganizationFactory(business_lines=[line_a], short_name="Лютик", status="prospect")
    answer = api.get(f"/api/v1/organizations/{lutik.pk}/?status=client&q=Ромашка")
    assert answer.status_code == 200 and answer.json()["short_name"] == "Лютик"
    assert api.get("/api/v1/organizations/?status=client").json()["results"] == []


def test_employment_through_the_api(api, line_a):
    org = OrganizationFactory(business_lines=[line_a])
    person = PersonFactory(business_lines=[line_a])
    payload = {
        "person": person.pk,
        "organization": org.pk,
        "position": "Директор",
        "work_phone": "8 (495) 123-45-67",
    }
    response = api.post("/api/v1/employments/", payload, format="json")
    assert response.status_code == 201, response.json()
    job = Employment.objects.get()
    assert job.work_phone == "+74951234567"
    end = api.patch(
        f"/api/v1/employments/{job.pk}/", {"ended_on": "2025-01-31", "version": 1}, format="json"
    )
    assert end.status_code == 200 and end.json()["is_current"] is False


def test_person_gender_from_patronymic_via_api(api, line_a):
    payload = {
        "last_name": "Иванова",
        "first_name": "Мария",
        "patronymic": "Петровна",
        "business_lines": [line_a.pk],
    }
    assert api.post("/api/v1/persons/", payload, format="json").json()["gender"] == "f"


def test_reference_data_is_written_by_administrators_only(api, make_user):
    assert api.post("/api/v1/categories/", {"name": "VIP"}, format="json").status_code == 403
    admin = clients_for(make_user(RoleCode.ADMINISTRATOR, all_lines_role="manage"))[1]
    assert admin.post("/api/v1/categories/", {"name": "VIP"}, format="json").status_code == 201
    assert Category.objects.get().name == "VIP"
    assert [c["name"] for c in api.get("/api/v1/categories/").json()["results"]] == ["VIP"]


def test_duplicate_in_another_line_is_refused_without_naming_it(api, line_a, line_b):
    OrganizationFactory(business_lines=[line_b], short_name="Секретная", inn=INNS[3])
    payload = {"short_name": "Моя", "inn": INNS[3], "business_lines": [line_a.pk]}
    response = api.post("/api/v1/organizations/", payload, format="json")
    assert response.status_code == 400 and "inn" in response.json()["errors"]
    assert "Секретная" not in response.content.decode()


def test_api_update_keeps_lines_the_caller_cannot_write_to(api, line_a, line_b):
    org = OrganizationFactory(business_lines=[line_a, line_b])
    response = api.patch(
        f"/api/v1/organizations/{org.pk}/",
        {"business_lines": [line_a.pk], "version": 1},
        format="json",
    )
    assert response.status_code == 200
    assert set(org.business_lines.all()) == {line_a, line_b}


def test_contacts_and_addresses_are_written_with_the_record(api, line_a):
    payload = {
        "short_name": "Ромашка",
        "business_lines": [line_a.pk],
        "contacts": [
            {"kind": "phone", "value": "8 (495) 123-45-67", "label": "Приёмная"},
            {"kind": "email", "value": "Info@Romashka.RU"},
        ],
        "addresses": [{"kind": "legal", "city": "Москва", "street": "ул. Ленина, 1"}],
    }
    created = api.post("/api/v1/organizations/", payload, format="json")
    assert created.status_code == 201, created.json()
    body = created.json()
    assert [(c["kind"], c["value"]) for c in body["contacts"]] == [
        ("email", "info@romashka.ru"),
        ("phone", "+74951234567"),
    ]
    assert body["addresses"][0]["city"] == "Москва"
    phone_id = next(c["id"] for c in body["contacts"] if c["kind"] == "phone")
    changed = api.patch(
        f"/api/v1/organizations/{body['id']}/",
        {
            "version": body["version"],
            "contacts": [{"kind": "phone", "value": "+7 495 1234567", "label": "Приёмная"}],
        },
        format="json",
    ).json()
    assert [(c["id"], c["value"]) for c in changed["contacts"]] == [(phone_id, "+74951234567")]
    assert len(changed["addresses"]) == 1  # not sent: untouched
    bad = api.patch(
        f"/api/v1/organizations/{body['id']}/",
        {"version": changed["version"], "contacts": [{"kind": "phone", "value": "звоните"}]},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert bad.status_code == 400 and "#1" in bad.json()["errors"]["contacts"][0]
    org = Organization.objects.get()
    assert org.contacts.count() == 1 and org.version == changed["version"]  # nothing half-done


def test_person_contacts_through_the_api(api, line_a):
    payload = {
        "last_name": "Иванов",
        "business_lines": [line_a.pk],
        "contacts": [{"kind": "messenger", "value": "@ivanov", "label": "Telegram"}],
    }
    body = api.post("/api/v1/persons/", payload, format="json").json()
    assert body["contacts"][0]["value"] == "@ivanov"


def test_the_same_contact_in_two_spellings_is_stored_once(api, line_a):
    payload = {
        "last_name": "Иванов",
        "business_lines": [line_a.pk],
        "contacts": [
            {"kind": "email", "value": "ivanov@mail.ru"},
            {"kind": "email", "value": "IVANOV@mail.ru"},
        ],
    }
    body = api.post("/api/v1/persons/", payload, format="json").json()
    assert [c["value"] for c in body["contacts"]] == ["ivanov@mail.ru"]
