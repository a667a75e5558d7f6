"""SEC-1 for the directory: organisations, persons, employments and contacts."""

import pytest

from sputnik.access.models import RoleCode
from sputnik.core.testing import AccessCase, check_access, clients_for
from sputnik.directory import services
from sputnik.directory.models import Employment, Organization, Person
from sputnik.directory.tests.factories import INNS, OrganizationFactory, PersonFactory

pytestmark = pytest.mark.django_db


def organization_case(org: Organization) -> AccessCase:
    pk = org.pk

    def current():
        return Organization.objects.get(pk=pk)

    def edit_page(page, api):
        data = {
            "short_name": "Переименована",
            "status": "client",
            "country": "RU",
            "business_lines": [line.pk for line in current().business_lines.all()],
            "version": current().version,
        }
        return page.post(f"/organizations/{pk}/edit/", data).status_code

    def edit_api(page, api):
        return api.patch(
            f"/api/v1/organizations/{pk}/",
            {"notes": "API", "version": current().version},
            format="json",
        ).status_code

    def add_contact(page, api):
        return page.post(
            f"/organizations/{pk}/contacts/", {"kind": "email", "value": "a@b.ru"}
        ).status_code

    def add_person(page, api):
        return page.post(f"/organizations/{pk}/people/new/", {"last_name": "Новиков"}).status_code

    return AccessCase(
        record=org,
        marker=org.short_name,
        pages=[
            f"/organizations/{pk}/",
            f"/organizations/{pk}/edit/",
            f"/history/directory/organization/{pk}/",
            f"/organizations/{pk}/lists/",
        ],
        list_pages=["/organizations/"],
        searches=[
            "/organizations/?q=Ромаш",
            f"/organizations/?inn={org.inn}",
            "/search/?q=Ромаш",
            f"/search/?q={org.inn}",
            "/lookup/organizations/?name=parent&parent_text=Ромаш",
            f"/api/v1/organizations/similar/?name=Ромашка&inn={org.inn}",
        ],
        api_detail=f"/api/v1/organizations/{pk}/",
        api_list="/api/v1/organizations/",
        writes=[edit_page, edit_api, add_contact, add_person],
        unchanged=lambda: (
            current().short_name == org.short_name
            and current().notes == ""
            and not current().contacts.exists()
            and not current().employments.exists()
        ),
    )


def test_organization_access(line_a, line_b, make_user):
    org = OrganizationFactory(business_lines=[line_a], short_name="Ромашка", inn=INNS[0])
    check_access(
        organization_case(org),
        outsider=make_user(RoleCode.SALESPERSON, lines={line_b: "write"}),
        reader=make_user(RoleCode.SALESPERSON, lines={line_a: "read"}),
        writer=make_user(RoleCode.SALESPERSON, lines={line_a: "write"}),
    )
    org.refresh_from_db()
    assert (org.short_name, org.notes) == ("Переименована", "API")
    assert org.contacts.get().value == "a@b.ru"
    assert org.employments.get().person.last_name == "Новиков"


def test_organisation_in_two_lines_is_seen_from_both(line_a, line_b, make_user):
    org = OrganizationFactory(business_lines=[line_a, line_b], short_name="Общая")
    for line in (line_a, line_b):
        page, api = clients_for(make_user(lines={line: "read"}))
        assert page.get(f"/organizations/{org.pk}/").status_code == 200
        assert [row["id"] for row in api.get("/api/v1/organizations/").json()["results"]] == [
            org.pk
        ]


def test_person_access(line_a, line_b, make_user):
    person = PersonFactory(business_lines=[line_a], last_name="Скрытный")
    pk = person.pk

    def edit_api(page, api):
        payload = {"notes": "API", "version": Person.objects.get(pk=pk).version}
        return api.patch(f"/api/v1/persons/{pk}/", payload, format="json").status_code

    def add_contact(page, api):
        contact = {"kind": "email", "value": "skr@example.ru"}
        return page.post(f"/persons/{pk}/contacts/", contact).status_code

    check_access(
        AccessCase(
            record=person,
            marker="Скрытный",
            pages=[f"/persons/{pk}/", f"/persons/{pk}/edit/", f"/persons/{pk}/lists/"],
            list_pages=["/persons/"],
            searches=[
                "/persons/?q=Скрыт",
                "/search/?q=Скрытны",
                "/lookup/persons/?name=p&p_text=Скрытн",
                "/api/v1/persons/similar/?last_name=Скрытный&first_name=Пётр",
            ],
            api_detail=f"/api/v1/persons/{pk}/",
            api_list="/api/v1/persons/",
            writes=[edit_api, add_contact],
            unchanged=lambda: (
                Person.objects.get(pk=pk).notes == "" and not person.contacts.exists()
            ),
        ),
        outsider=make_user(lines={line_b: "write"}),
        reader=make_user(lines={line_a: "read"}),
        writer=make_user(lines={line_a: "write"}),
    )


def test_employments_follow_their_organisation(line_a, line_b, make_user):
    org = OrganizationFactory(business_lines=[line_a])
    person = PersonFactory(business_lines=[line_b])
    job = services.employment_create(actor=None, person=person, organization=org, position="CEO")
    outsider = make_user(lines={line_b: "write"})
    _page, api = clients_for(outsider)
    assert api.get(f"/api/v1/employments/{job.pk}/").status_code == 404
    payload = {"person": person.pk, "organization": org.pk, "position": "Шпион"}
    response = api.post("/api/v1/employments/", payload, format="json")
    assert response.status_code == 400 and "organization" in response.json()["errors"]
    assert Employment.objects.count() == 1


def test_lines_offered_on_forms_are_only_writable_ones(line_a, line_b, make_user, client):
    client.force_login(make_user(lines={line_a: "write", line_b: "read"}))
    form = client.get("/organizations/new/").content.decode()
    assert line_a.name in form and line_b.name not in form
    response = client.post(
        "/organizations/new/",
        {
            "short_name": "Чужая",
            "status": "prospect",
            "country": "RU",
            "business_lines": [line_b.pk],
        },
    )
    assert response.status_code == 200
    assert not Organization.objects.filter(short_name="Чужая").exists()


# Role by role: who defines attributes and who merges ----------------------------------

DEFINES = {RoleCode.ADMINISTRATOR}
MERGES = {RoleCode.HEAD_OF_SALES, RoleCode.HEAD_OF_MARKETING, RoleCode.ADMINISTRATOR}


@pytest.mark.parametrize("role", list(RoleCode))
def test_attribute_definitions_and_merging_by_role(role, line_a, make_user):
    from sputnik.directory.models import AttributeDefinition

    user = make_user(role, all_lines_role="manage")
    page, api = clients_for(user)
    definition = {
        "target": "organization",
        "type": "string",
        "code": f"note_{role}",
        "label_ru": "Заметка",
        "label_en": "Note",
        "order": 0,
    }
    created = page.post("/attributes/new/", definition)
    assert created.status_code == (302 if role in DEFINES else 403), role
    via_api = api.post("/api/v1/attribute-definitions/", {**definition, "code": f"api_{role}"})
    assert via_api.status_code == (201 if role in DEFINES else 403), role
    assert AttributeDefinition.objects.count() == (2 if role in DEFINES else 0)

    kept = OrganizationFactory(business_lines=[line_a], short_name="Ромашка")
    other = OrganizationFactory(business_lines=[line_a], short_name="Ромашка 2")
    merging = role in MERGES
    wizard = page.get(f"/organizations/{kept.pk}/merge/?with={other.pk}")
    assert wizard.status_code == (200 if merging else 403), role
    body = {"other": other.pk, "version": kept.version}
    merged = api.post(f"/api/v1/organizations/{kept.pk}/merge/", body, format="json")
    # Directors and security officers read only: the record itself refuses them first.
    assert merged.status_code == (200 if merging else 403), role
    assert Organization.objects.filter(pk=other.pk).exists() != merging
