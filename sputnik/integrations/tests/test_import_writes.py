"""What an import writes in bulk is what saving the same records one by one writes: the
same stored values and the same audit entries."""

import datetime

import pytest
from auditlog.diff import model_instance_diff
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType

from sputnik.directory import services as directory
from sputnik.directory.models import ContactKind, Employment, Organization, Person
from sputnik.directory.tests.factories import INNS, define_attribute

pytestmark = pytest.mark.django_db


@pytest.fixture
def seller(make_user, line_a):
    return make_user(lines={line_a: "write"})


def organization(inn: str) -> dict:
    return {
        "short_name": "Альфа",
        "full_name": "ООО «Альфа»",
        "legal_form": "ooo",
        "inn": inn,
        "website": "https://alfa.example",
        "notes": "Из файла",
        "attributes": {"founded": datetime.date(2001, 2, 3)},
        "contacts": [
            {"kind": ContactKind.PHONE, "value": "+7 495 123-45-67"},
            {"kind": ContactKind.EMAIL, "value": "Info@Alfa.Example"},
        ],
        "addresses": [{"kind": "legal", "city": "Москва", "street": "Тверская, 1"}],
    }


PERSON = {
    "last_name": "Иванова",
    "first_name": "Анна",
    "patronymic": "Петровна",
    "birthday": datetime.date(1980, 5, 6),
    "consent_mailing": True,
    "contacts": [{"kind": ContactKind.EMAIL, "value": "anna@alfa.example"}],
}


def audited_as_saved(record) -> None:
    """The record's creation entry holds what auditlog writes when such a record is saved."""
    stored = type(record).objects.get(pk=record.pk)
    entry = LogEntry.objects.get(
        content_type=ContentType.objects.get_for_model(record),
        object_id=record.pk,
        action=LogEntry.Action.CREATE,
    )
    expected = {name: list(change) for name, change in model_instance_diff(None, stored).items()}
    assert entry.changes == expected
    assert entry.object_repr == str(stored)


def test_bulk_creation_stores_and_audits_what_saving_does(seller, line_a):
    define_attribute("founded", "date")
    (alfa,) = directory.organizations_bulk_create(
        actor=seller, business_lines=[line_a], items=[organization(INNS[0])]
    )
    (anna,) = directory.persons_bulk_create(actor=seller, business_lines=[line_a], items=[PERSON])
    (job,) = directory.employments_bulk_create(
        actor=seller,
        items=[(anna, alfa, {"position": "Директор", "work_phone": "8 (495) 1112233"})],
    )

    stored = Organization.objects.get(pk=alfa.pk)
    assert (stored.country, stored.status, stored.version) == ("RU", "prospect", 1)
    assert (stored.created_by, stored.updated_by) == (seller, seller)
    assert stored.attributes == {"founded": "2001-02-03"}
    assert sorted(stored.contacts.values_list("value", flat=True)) == [
        "+74951234567",
        "info@alfa.example",
    ]
    assert Person.objects.get(pk=anna.pk).gender == "f"
    assert Employment.objects.get(pk=job.pk).work_phone == "+74951112233"
    records = [alfa, anna, job, *alfa.contacts.all(), *alfa.addresses.all(), *anna.contacts.all()]
    for record in records:
        audited_as_saved(record)
    for record in (alfa, anna):
        lines = LogEntry.objects.get(
            content_type=ContentType.objects.get_for_model(record),
            object_id=record.pk,
            action=LogEntry.Action.UPDATE,
        )
        assert lines.changes["business_lines"]["objects"] == [str(line_a)]
        assert lines.actor == seller
