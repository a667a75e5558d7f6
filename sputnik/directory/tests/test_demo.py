"""The demo directory: a few hundred organisations and persons that pass the same checks as
data typed in by people, loaded once."""

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Q

from sputnik.access import demo as access_demo
from sputnik.directory import demo
from sputnik.directory.attributes import clean_attributes
from sputnik.directory.models import (
    AttributeDefinition,
    AttributeTarget,
    ContactKind,
    ContactPoint,
    Employment,
    LegalForm,
    Organization,
    Person,
)
from sputnik.directory.validation import clean_inn, clean_kpp, clean_ogrn

pytestmark = pytest.mark.django_db

MALE_ENDINGS = ("ов", "ев", "ёв", "ин", "ский", "цкий")
FEMALE_ENDINGS = ("ова", "ева", "ёва", "ина", "ская", "цкая")


def test_demo_directory_is_large_valid_and_loaded_once():
    access_demo.load()
    assert demo.load() == []

    organizations = list(Organization.objects.prefetch_related("business_lines"))
    well_known = {row[3] for row in demo.ORGANIZATIONS}
    generated = [o for o in organizations if o.inn not in well_known]
    assert len(organizations) >= 300
    assert len(generated) >= 290

    # The well-known companies keep their real identifiers.
    assert Organization.objects.get(inn="7707083893", kpp="773601001").short_name == "Сбербанк"

    # Identifiers pass the checks the forms and the API apply.
    for organization in organizations:
        sole_trader = organization.legal_form == LegalForm.IP
        assert clean_inn(organization.inn, sole_trader=sole_trader) == organization.inn
        assert len(organization.inn) == (12 if sole_trader else 10)
        assert clean_kpp(organization.kpp) == organization.kpp
        assert clean_ogrn(organization.ogrn) == organization.ogrn
        assert len(organization.kpp) == (0 if sole_trader else 9)
    for organization in generated:
        if organization.legal_form != LegalForm.BRANCH:
            assert len(organization.ogrn) == (15 if organization.is_sole_trader else 13)
    assert any(o.inn.startswith("0") for o in organizations)
    main_inns = [o.inn for o in organizations if o.legal_form != LegalForm.BRANCH]
    assert len(main_inns) == len(set(main_inns))

    # Branches share their parent's INN under a KPP of their own.
    branches = [o for o in organizations if o.legal_form == LegalForm.BRANCH]
    assert len(branches) >= 5
    for branch in branches:
        assert branch.parent.inn == branch.inn
        assert branch.parent.kpp != branch.kpp

    # Both business lines have organisations, some organisations are in both.
    codes = [{line.code for line in o.business_lines.all()} for o in organizations]
    assert sum("software" in c for c in codes) >= 50
    assert sum("consulting" in c for c in codes) >= 50
    assert sum(c == {"software", "consulting"} for c in codes) >= 20
    assert all(o.responsible_id for o in generated)
    assert {o.status for o in generated} == {"prospect", "client", "former"}

    # Organisations have phones and e-mails in normal form, legal addresses in many cities.
    phones = ContactPoint.objects.filter(organization__isnull=False, kind=ContactKind.PHONE)
    assert phones.values("organization").distinct().count() >= 290
    assert all(value.startswith("+7") for value in phones.values_list("value", flat=True))
    cities = Organization.objects.filter(addresses__kind="legal").values("addresses__city")
    assert cities.distinct().count() >= 20

    # Persons: many, of both genders, surnames agreeing with the patronymic.
    persons = list(Person.objects.all())
    assert len(persons) >= 600
    for person in persons:
        assert person.gender in ("m", "f"), person
        other_gender = FEMALE_ENDINGS if person.gender == "m" else MALE_ENDINGS
        assert not person.last_name.endswith(other_gender), person
    assert any(p.birthday for p in persons) and any(p.birthday is None for p in persons)
    assert any(p.consent_mailing for p in persons)
    assert any(p.do_not_contact for p in persons)
    assert not any(p.consent_mailing and p.do_not_contact for p in persons)

    # Every person works somewhere now; some in two places, some had a job that ended.
    current = Employment.objects.current()
    assert set(current.values_list("person", flat=True)) == {p.pk for p in persons}
    two_jobs = Person.objects.annotate(
        jobs=Count("employments", filter=Q(employments__in=current))
    ).filter(jobs__gte=2)
    assert two_jobs.count() >= 30
    assert Employment.objects.former().count() >= 30
    assert not current.filter(Q(position="") | Q(work_email="")).exists()
    assert current.exclude(decision_role="").count() > len(persons) // 2

    # Custom attributes are defined and the stored values fit them.
    staff = AttributeDefinition.objects.get(target=AttributeTarget.ORGANIZATION, code="staff")
    source = AttributeDefinition.objects.get(target=AttributeTarget.ORGANIZATION, code="source")
    assert (staff.type, staff.show_in_list) == ("integer", True)
    assert (source.type, source.choices) == ("choice", demo.SOURCES)
    assert AttributeDefinition.objects.get(target=AttributeTarget.PERSON, code="hobby").type == (
        "string"
    )
    for organization in organizations:
        cleaned = clean_attributes(AttributeTarget.ORGANIZATION, organization.attributes)
        assert cleaned == organization.attributes
    assert sum("staff" in o.attributes for o in generated) > len(generated) // 2
    assert sum("source" in o.attributes for o in generated) > len(generated) // 2
    with_hobby = [p for p in persons if p.attributes.get("hobby")]
    assert len(with_hobby) >= 50
    for person in with_hobby:
        assert clean_attributes(AttributeTarget.PERSON, person.attributes) == person.attributes

    # Written through the services: the audit trail has every organisation's creation.
    created = LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Organization),
        action=LogEntry.Action.CREATE,
    )
    assert created.count() == len(organizations)

    # A second load adds nothing.
    counts = (Organization.objects.count(), Person.objects.count(), Employment.objects.count())
    assert demo.load() == []
    assert counts == (
        Organization.objects.count(),
        Person.objects.count(),
        Employment.objects.count(),
    )
