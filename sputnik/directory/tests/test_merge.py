"""Merging duplicates (DIR-5): field by field, every link moved, history kept, audited."""

import pytest
from auditlog.models import LogEntry

from sputnik.access.models import RoleCode
from sputnik.core.models import MergeRecord
from sputnik.core.testing import clients_for
from sputnik.directory import services
from sputnik.directory.blacklist import blacklist_add, is_undesirable
from sputnik.directory.merge import merge
from sputnik.directory.models import Category, Employment, Organization, Person
from sputnik.directory.tests.factories import (
    INNS,
    OrganizationFactory,
    PersonFactory,
    define_attribute,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def head(make_user, line_a, line_b):
    return make_user(RoleCode.HEAD_OF_SALES, lines={line_a: "manage", line_b: "manage"})


@pytest.fixture
def pair(line_a, line_b, security_officer):
    """“Ромашка” (kept) and its duplicate “Ромашка ООО” with people, contacts, a branch,
    a registry entry, a category and a line of its own."""
    define_attribute("staff", "integer", "Штат")
    kept = OrganizationFactory(business_lines=[line_a], short_name="Ромашка", notes="")
    other = OrganizationFactory(
        business_lines=[line_b],
        short_name="Ромашка ООО",
        inn=INNS[1],
        notes="Старый дубль",
        attributes={"staff": 40},
    )
    other.categories.add(Category.objects.create(name="Партнёр"))
    for org in (kept, other):
        services.contact_add(actor=None, organization=org, kind="phone", value="+74951234567")
        person = PersonFactory(business_lines=[line_a])
        services.employment_create(actor=None, person=person, organization=org)
    services.contact_add(actor=None, organization=other, kind="email", value="info@romashka.ru")
    OrganizationFactory(business_lines=[line_b], short_name="Филиал", parent=other)
    blacklist_add(actor=security_officer, reason="Долги", organization=other)
    services.organization_update(
        actor=None, organization=kept, expected_version=None, notes="Основная карточка"
    )
    kept.refresh_from_db()
    return kept, other


def test_merge_moves_every_link_and_combines_fields(pair, head, line_a, line_b):
    kept, other = pair
    other_pk = other.pk
    merged = merge(actor=head, kept=kept, other=other, take=["short_name"])
    assert not Organization.objects.filter(pk=other_pk).exists()
    assert merged.short_name == "Ромашка ООО"  # chosen
    assert merged.notes == "Основная карточка"  # the kept value
    assert merged.inn == INNS[1]  # empty on the kept one: filled in
    assert merged.attributes == {"staff": 40}
    assert set(merged.business_lines.all()) == {line_a, line_b}
    assert [c.name for c in merged.categories.all()] == ["Партнёр"]
    assert Employment.objects.filter(organization=merged).count() == 2
    assert sorted(merged.contacts.values_list("value", flat=True)) == [
        "+74951234567",  # the same phone on both: kept once
        "info@romashka.ru",
    ]
    assert Organization.objects.get(short_name="Филиал").parent == merged
    assert is_undesirable(organization=merged)  # the registry entry followed
    record = MergeRecord.objects.get()
    assert (record.kept_id, record.merged_id, record.merged_repr) == (
        merged.pk,
        other_pk,
        "Ромашка ООО",
    )
    assert record.snapshot["fields"]["notes"] == "Старый дубль"
    assert record.moved == {
        "категории": 1,
        "направления бизнеса": 1,
        "организации": 1,  # the branch
        "нежелательные контрагенты": 1,
        "места работы": 1,
        "контакты": 2,
    }


def test_history_of_the_kept_record_includes_the_merged_one(pair, head):
    kept, other = pair
    page = clients_for(head)[0]
    merge(actor=head, kept=kept, other=other)
    history = page.get(f"/history/directory/organization/{kept.pk}/").content.decode()
    assert "Старый дубль" in history  # the merged record's own creation entry
    assert "Ромашка ООО (#" in history and "Объединено" in history
    entry = LogEntry.objects.filter(object_pk=str(kept.pk)).order_by("-id").first()
    assert entry.additional_data["merged"]["id"] == other.pk and entry.actor == head


def test_wizard_picks_compares_and_merges(pair, head):
    kept, other = pair
    page = clients_for(head)[0]
    card = page.get(kept.get_absolute_url()).content.decode()
    assert f"/organizations/{kept.pk}/merge/" in card
    pick = page.get(f"/organizations/{kept.pk}/merge/").content.decode()
    assert f"?with={other.pk}" in pick  # offered as a similar name
    found = page.get(f"/organizations/{kept.pk}/merge/?q={INNS[1]}").content.decode()
    assert f"?with={other.pk}" in found
    compare = page.get(f"/organizations/{kept.pk}/merge/?with={other.pk}").content.decode()
    assert 'name="choice_short_name"' in compare and "Старый дубль" in compare
    assert "Штат" in compare and "места работы — 1" in compare
    response = page.post(
        f"/organizations/{kept.pk}/merge/",
        {
            "with": other.pk,
            "kept_version": kept.version,
            "other_version": other.version,
            "choice_short_name": "kept",
            "choice_notes": "other",
        },
    )
    assert response.status_code == 302 and response["Location"] == kept.get_absolute_url()
    kept.refresh_from_db()
    assert (kept.short_name, kept.notes) == ("Ромашка", "Старый дубль")


def test_wizard_refuses_a_stale_page(pair, head):
    kept, other = pair
    page = clients_for(head)[0]
    stale = {"with": other.pk, "kept_version": kept.version - 1, "other_version": other.version}
    response = page.post(f"/organizations/{kept.pk}/merge/", stale)
    assert response.status_code == 409
    assert Organization.objects.filter(pk=other.pk).exists()


def test_merging_needs_the_right_to_delete_and_to_see_both(pair, make_user, line_a, head):
    kept, other = pair
    seller = make_user(RoleCode.SALESPERSON, lines={line_a: "write"})
    page, api = clients_for(seller)
    assert page.get(f"/organizations/{kept.pk}/merge/").status_code == 403
    body = {"other": other.pk, "version": kept.version}
    assert api.post(f"/api/v1/organizations/{kept.pk}/merge/", body).status_code == 403
    # A head of line A only cannot reach the duplicate of line B.
    head_a = make_user(RoleCode.HEAD_OF_SALES, lines={line_a: "manage"})
    page, api = clients_for(head_a)
    assert page.get(f"/organizations/{kept.pk}/merge/?with={other.pk}").status_code == 404
    refused = api.post(f"/api/v1/organizations/{kept.pk}/merge/", body)
    assert refused.status_code == 400 and "other" in refused.json()["errors"]
    assert Organization.objects.filter(pk=other.pk).exists()


def test_api_merges_persons_with_all_their_jobs(head, line_a):
    org_1 = OrganizationFactory(business_lines=[line_a])
    org_2 = OrganizationFactory(business_lines=[line_a])
    kept = PersonFactory(business_lines=[line_a], last_name="Иванов", first_name="Иван")
    other = PersonFactory(business_lines=[line_a], last_name="Иванов", first_name="Иван")
    services.employment_create(actor=None, person=kept, organization=org_1)
    services.employment_create(actor=None, person=other, organization=org_2)
    services.contact_add(actor=None, person=other, kind="email", value="ivanov@mail.ru")
    api = clients_for(head)[1]
    response = api.post(
        f"/api/v1/persons/{kept.pk}/merge/",
        {"other": other.pk, "version": kept.version, "take": ["first_name"]},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["contacts"][0]["value"] == "ivanov@mail.ru"
    assert set(Employment.objects.filter(person=kept).values_list("organization", flat=True)) == {
        org_1.pk,
        org_2.pk,
    }
    assert not Person.objects.filter(pk=other.pk).exists()
    stale = api.post(
        f"/api/v1/persons/{kept.pk}/merge/", {"other": kept.pk, "version": 1}, format="json"
    )
    assert stale.status_code == 400  # a record cannot be merged into itself


def test_merge_moves_references_and_keeps_one_address_per_kind(pair, head, line_a):
    kept, other = pair
    define_attribute("employer", "organization", "Работодатель", target="person")
    person = PersonFactory(business_lines=[line_a], attributes={"employer": other.pk})
    for org, city in ((kept, "Москва"), (other, "Тула")):
        services.address_save(actor=None, organization=org, kind="legal", city=city)
    services.address_save(actor=None, organization=other, kind="postal", city="Тула")
    merge(actor=head, kept=kept, other=other)
    person.refresh_from_db()
    assert person.attributes == {"employer": kept.pk}
    assert sorted(kept.addresses.values_list("kind", "city")) == [
        ("legal", "Москва"),
        ("postal", "Тула"),
    ]
    page = clients_for(head)[0]
    assert (
        page.post(
            f"/organizations/{kept.pk}/contacts/",
            {"form": "address", "kind": "legal", "city": "Омск"},
        ).status_code
        == 302
    )


def test_a_chosen_empty_value_is_kept(pair, head):
    kept, other = pair
    page = clients_for(head)[0]
    page.post(
        f"/organizations/{kept.pk}/merge/",
        {"with": other.pk, "choice_inn": "kept", "choice_attr_staff": "kept"},
    )
    kept.refresh_from_db()
    assert kept.inn == "" and "staff" not in kept.attributes


def test_a_malformed_partner_id_is_not_found(pair, head):
    kept, _other = pair
    page = clients_for(head)[0]
    assert page.get(f"/organizations/{kept.pk}/merge/?with=abc").status_code == 404
    assert page.post(f"/organizations/{kept.pk}/merge/", {"with": "abc"}).status_code == 404
