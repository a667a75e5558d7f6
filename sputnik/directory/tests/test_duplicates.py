"""Possible duplicates are shown before a new record is saved, on pages and in the API."""

import pytest

from sputnik.core.testing import clients_for
from sputnik.directory import services
from sputnik.directory.models import Person
from sputnik.directory.tests.factories import INNS, OrganizationFactory, PersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def seller(make_user, line_a):
    return make_user(lines={line_a: "write"})


@pytest.fixture
def known(line_a):
    """Иванов with a personal e-mail and a work phone at Ромашка."""
    person = PersonFactory(business_lines=[line_a], last_name="Иванов", first_name="Иван")
    services.contact_add(actor=None, person=person, kind="email", value="Ivanov@Romashka.ru")
    org = OrganizationFactory(business_lines=[line_a], short_name="Ромашка")
    services.employment_create(
        actor=None, person=person, organization=org, work_phone="+7 495 1234567"
    )
    return person


def new_person(line, **fields):
    return {"last_name": "Петров", "first_name": "Пётр", "business_lines": [line.pk], **fields}


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"email": " ivanov@romashka.RU "}, "ivanov@romashka.ru"),
        ({"phone": "8 (495) 123-45-67"}, "+74951234567"),
        ({"last_name": "иванов", "first_name": "ИВАН"}, "ФИО"),
    ],
)
def test_new_person_like_a_known_one_is_shown_before_saving(known, seller, line_a, fields, reason):
    page = clients_for(seller)[0]
    response = page.post("/persons/new/", new_person(line_a, **fields))
    content = response.content.decode()
    assert response.status_code == 200 and 'data-testid="similar-persons"' in content
    assert f'href="/persons/{known.pk}/"' in content and reason in content
    assert Person.objects.count() == 1
    confirmed = page.post("/persons/new/", {**new_person(line_a, **fields), "confirm_different": 1})
    assert confirmed.status_code == 302
    assert Person.objects.count() == 2


def test_contacts_typed_on_creation_are_stored_normalised(db, seller, line_a):
    page = clients_for(seller)[0]
    form = new_person(line_a, email="P.Petrov@Mail.RU", phone="8 916 111-22-33")
    assert page.post("/persons/new/", form).status_code == 302
    person = Person.objects.get()
    assert sorted(person.contacts.values_list("kind", "value")) == [
        ("email", "p.petrov@mail.ru"),
        ("phone", "+79161112233"),
    ]
    bad = page.post("/persons/new/", new_person(line_a, last_name="Сидоров", email="нет"))
    assert "is-invalid" in bad.content.decode() and Person.objects.count() == 1


def test_people_of_other_lines_are_not_revealed(known, make_user, line_b):
    stranger = make_user(lines={line_b: "write"})
    page = clients_for(stranger)[0]
    response = page.post("/persons/new/", new_person(line_b, email="ivanov@romashka.ru"))
    assert response.status_code == 302  # nothing to show: saved at once
    assert Person.objects.filter(last_name="Петров").exists()


def test_api_similar_persons_and_organisations(known, seller, line_a):
    api = clients_for(seller)[1]
    body = api.get("/api/v1/persons/similar/?phone=84951234567&email=x@y.ru").json()
    assert [r["id"] for r in body["results"]] == [known.pk]
    assert body["results"][0]["reasons"] == ["совпадает телефон +74951234567"]
    sber = OrganizationFactory(business_lines=[line_a], short_name="Сбербанк", inn=INNS[0])
    body = api.get(f"/api/v1/organizations/similar/?name=Сбербнк&inn={INNS[0]}").json()
    assert [(r["id"], r["reasons"]) for r in body["results"]] == [(sber.pk, ["тот же ИНН"])]
    body = api.get("/api/v1/organizations/similar/?name=Сбербнк").json()
    assert [(r["id"], r["reasons"]) for r in body["results"]] == [(sber.pk, ["похожее название"])]
