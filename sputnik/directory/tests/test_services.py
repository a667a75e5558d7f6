from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sputnik.directory import services
from sputnik.directory.models import ContactPoint, Employment, Organization
from sputnik.directory.tests.factories import INNS, OrganizationFactory, PersonFactory

pytestmark = pytest.mark.django_db


def test_identifiers_are_checked_and_errors_name_the_field(line_a):
    with pytest.raises(ValidationError) as error:
        services.organization_create(
            actor=None,
            business_lines=[line_a],
            short_name="Ошибка",
            inn="7707083894",
            kpp="12",
            ogrn="1027700132196",
        )
    assert set(error.value.message_dict) == {"inn", "kpp", "ogrn"}
    assert "7707083894" in error.value.message_dict["inn"][0]
    assert not Organization.objects.exists()


def test_inn_length_follows_the_legal_form(line_a):
    with pytest.raises(ValidationError) as error:
        services.organization_create(
            actor=None, business_lines=[line_a], short_name="ИП", legal_form="ip", inn=INNS[0]
        )
    assert "12" in error.value.message_dict["inn"][0]
    sole = services.organization_create(
        actor=None,
        business_lines=[line_a],
        short_name="ИП Иванов",
        legal_form="ip",
        inn="500100732259",
    )
    assert sole.is_sole_trader


def test_known_inn_is_refused_pointing_at_the_existing_organisation(line_a, line_b):
    existing = OrganizationFactory(business_lines=[line_a], short_name="Сбербанк", inn=INNS[0])
    with pytest.raises(services.DuplicateOrganization) as error:
        services.organization_create(
            actor=None, business_lines=[line_b], short_name="Сбер", inn=" 7707 083893 "
        )
    assert error.value.existing == existing
    assert "Сбербанк" not in error.value.message_dict["inn"][0]  # it may be invisible to the author


def test_a_branch_shares_the_inn_with_another_kpp(line_a):
    head = OrganizationFactory(business_lines=[line_a], inn=INNS[0], kpp="773601001")
    branch = services.organization_create(
        actor=None,
        business_lines=[line_a],
        short_name="Филиал",
        inn=INNS[0],
        kpp="781001001",
        parent=head,
    )
    assert list(head.branches.all()) == [branch]


def test_organisation_needs_a_business_line():
    with pytest.raises(ValidationError) as error:
        services.organization_create(actor=None, business_lines=[], short_name="Нигде")
    assert "business_lines" in error.value.message_dict


def test_gender_is_inferred_from_the_patronymic_and_can_be_overridden(line_a):
    assert PersonFactory(business_lines=[line_a], patronymic="Петровна").gender == "f"
    assert PersonFactory(business_lines=[line_a], patronymic="Ильич").gender == "m"
    assert PersonFactory(business_lines=[line_a], patronymic="Ильич", gender="f").gender == "f"


def test_person_in_several_organisations_current_and_former(line_a, line_b):
    first = OrganizationFactory(business_lines=[line_a])
    second = OrganizationFactory(business_lines=[line_b])
    person = PersonFactory(business_lines=[line_a])
    services.employment_create(
        actor=None,
        person=person,
        organization=first,
        position="Аналитик",
        ended_on=date.today() - timedelta(days=1),
    )
    services.employment_create(
        actor=None,
        person=person,
        organization=second,
        position="Директор",
        work_phone="8 (812) 123-45-67",
        work_email="Boss@Example.COM",
    )
    assert [e.organization for e in Employment.objects.current()] == [second]
    assert [e.organization for e in Employment.objects.former()] == [first]
    job = Employment.objects.get(organization=second)
    assert (job.work_phone, job.work_email) == ("+78121234567", "boss@example.com")
    assert set(person.business_lines.all()) == {line_a, line_b}  # visible where they work


def test_job_cannot_end_before_it_starts(line_a):
    organization = OrganizationFactory(business_lines=[line_a])
    person = PersonFactory(business_lines=[line_a])
    with pytest.raises(ValidationError) as error:
        services.employment_create(
            actor=None,
            person=person,
            organization=organization,
            started_on=date(2024, 5, 1),
            ended_on=date(2024, 1, 1),
        )
    assert "ended_on" in error.value.message_dict


@pytest.mark.parametrize(
    ("kind", "typed", "stored"),
    [("phone", "8 (495) 123-45-67", "+74951234567"), ("email", " Info@Firm.RU ", "info@firm.ru")],
)
def test_contacts_are_stored_in_normal_form(line_a, kind, typed, stored):
    organization = OrganizationFactory(business_lines=[line_a])
    contact = services.contact_add(actor=None, organization=organization, kind=kind, value=typed)
    assert contact.value == stored


def test_bad_phone_is_refused(line_a):
    organization = OrganizationFactory(business_lines=[line_a])
    with pytest.raises(ValidationError) as error:
        services.contact_add(actor=None, organization=organization, kind="phone", value="12")
    assert "value" in error.value.message_dict
    assert not ContactPoint.objects.exists()


def test_ogrnip_check_digit_is_the_last_digit_of_the_remainder():
    from sputnik.directory.validation import clean_ogrn

    # A body whose remainder mod 13 is 11 takes the check digit 1 (not "11").
    body = next(f"3045001160{n:04d}" for n in range(10000) if int(f"3045001160{n:04d}") % 13 == 11)
    assert clean_ogrn(body + "1") == body + "1"
    with pytest.raises(ValidationError):
        clean_ogrn(body + "0")
    body = next(f"3045001160{n:04d}" for n in range(10000) if int(f"3045001160{n:04d}") % 13 == 4)
    assert clean_ogrn(f"{body}4") == f"{body}4"
    with pytest.raises(ValidationError):
        clean_ogrn(f"{body}5")


def test_a_new_record_given_no_contacts_touches_no_contact_or_address(line_a, make_user):
    """It has none to replace: creating an organisation or a person without contacts or
    addresses reads and writes neither table; given some, they are stored."""
    author = make_user(lines={line_a: "write"})
    with CaptureQueriesContext(connection) as queries:
        services.organization_create(actor=author, business_lines=[line_a], short_name="Ромашка")
        services.person_create(actor=author, business_lines=[line_a], last_name="Иванов")
    touched = [q["sql"] for q in queries if "directory_contactpoint" in q["sql"]]
    touched += [q["sql"] for q in queries if "directory_address" in q["sql"]]
    assert touched == []
    lutik = services.organization_create(
        actor=author,
        business_lines=[line_a],
        short_name="Лютик",
        contacts=[{"kind": "email", "value": "Info@Lutik.ru"}],
        addresses=[{"kind": "legal", "city": "Тверь"}],
    )
    assert [c.value for c in lutik.contacts.all()] == ["info@lutik.ru"]
    assert [a.city for a in lutik.addresses.all()] == ["Тверь"]
