"""Every write to organisations, persons, employments, contacts and addresses."""

from __future__ import annotations

from collections.abc import Iterable
from itertools import batched
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sputnik.access.models import BusinessLine
from sputnik.core import bulk
from sputnik.core.audit import log_created, log_m2m_added
from sputnik.core.services import record_create, record_update

from . import attribute_indexes, validation
from .attributes import clean_attributes
from .merge import merge
from .models import (
    Address,
    AttributeDefinition,
    AttributeTarget,
    AttributeType,
    ContactKind,
    ContactPoint,
    Employment,
    LegalForm,
    Organization,
    Person,
    Segment,
)
from .segments import ANY, criteria_errors, matching_records, segment_members


class DuplicateOrganization(ValidationError):
    """An organisation with the same INN (and KPP) exists; `existing` names it.

    The message does not name it: it may be in a business line the author cannot see.
    Pages and the API add the name and a link when the author may open it.
    """

    def __init__(self, existing: Organization):
        self.existing = existing
        super().__init__({"inn": _("An organisation with this INN is already in the base.")})


def _clean_identifiers(values: dict[str, Any]) -> dict[str, Any]:
    """Normalise and check INN, KPP and OGRN; errors name their field."""
    errors: dict[str, list] = {}
    legal_form = values.get("legal_form", "")
    sole = True if legal_form == LegalForm.IP else None
    if legal_form and legal_form not in (LegalForm.IP, LegalForm.FOREIGN, LegalForm.OTHER):
        sole = False
    for field, clean in (
        ("inn", lambda v: validation.clean_inn(v, sole_trader=sole)),
        ("kpp", validation.clean_kpp),
        ("ogrn", validation.clean_ogrn),
    ):
        if field in values:
            try:
                values[field] = clean(values[field])
            except ValidationError as error:
                errors[field] = error.messages
    if errors:
        raise ValidationError(errors)
    return values


def find_duplicate(inn: str, kpp: str = "", *, exclude: int | None = None) -> Organization | None:
    """The organisation that already holds this INN (branches differ by KPP)."""
    if not inn:
        return None
    same = Organization.objects.filter(inn=inn).exclude(pk=exclude)
    return same.filter(kpp=kpp).first() or (same.filter(kpp="").first() if kpp else same.first())


@transaction.atomic
def organization_create(
    *,
    actor,
    business_lines: Iterable,
    contacts: Iterable[dict] = (),
    addresses: Iterable[dict] = (),
    **values: Any,
) -> Organization:
    """Register an organisation in the given business lines, with its phones, e-mails and
    addresses; refuses a known INN."""
    values = _clean_identifiers(values)
    duplicate = find_duplicate(values.get("inn", ""), values.get("kpp", ""))
    if duplicate is not None and values.get("parent") != duplicate:
        raise DuplicateOrganization(duplicate)
    lines = _required_lines(business_lines)
    values["attributes"] = _attributes(AttributeTarget.ORGANIZATION, actor, values)
    organization = record_create(Organization, actor=actor, business_lines=lines, **values)
    if contacts:  # a new record has none to replace
        contacts_replace(actor=actor, owner=organization, items=contacts)
    if addresses:
        addresses_replace(actor=actor, organization=organization, items=addresses)
    return organization


@transaction.atomic
def organization_update(
    *,
    actor,
    organization: Organization,
    expected_version: int | None,
    contacts: Iterable[dict] | None = None,
    addresses: Iterable[dict] | None = None,
    **changes: Any,
) -> Organization:
    """Change an organisation (contacts and addresses, when given, replace its own);
    refused if someone saved it meanwhile or the INN is taken."""
    changes = _clean_identifiers(changes)
    if "inn" in changes or "kpp" in changes:
        duplicate = find_duplicate(
            changes.get("inn", organization.inn),
            changes.get("kpp", organization.kpp),
            exclude=organization.pk,
        )
        parent = changes.get("parent", organization.parent)
        if duplicate is not None and parent != duplicate:
            raise DuplicateOrganization(duplicate)
    if "business_lines" in changes and not list(changes["business_lines"]):
        raise ValidationError({"business_lines": _("Choose at least one business line.")})
    if "attributes" in changes:
        changes["attributes"] = _attributes(
            AttributeTarget.ORGANIZATION, actor, changes, current=organization.attributes
        )
    organization = record_update(
        organization, actor=actor, expected_version=expected_version, **changes
    )
    if contacts is not None:
        contacts_replace(actor=actor, owner=organization, items=contacts)
    if addresses is not None:
        addresses_replace(actor=actor, organization=organization, items=addresses)
    return organization


@transaction.atomic
def person_create(
    *, actor, business_lines: Iterable, contacts: Iterable[dict] = (), **values: Any
) -> Person:
    """Register a contact person with their phones, e-mails and messengers; the gender is
    inferred from the patronymic if not given."""
    if not values.get("gender"):
        values["gender"] = validation.gender_from_patronymic(values.get("patronymic", ""))
    lines = _required_lines(business_lines)
    values["attributes"] = _attributes(AttributeTarget.PERSON, actor, values)
    person = record_create(Person, actor=actor, business_lines=lines, **values)
    if contacts:  # a new record has none to replace
        contacts_replace(actor=actor, owner=person, items=contacts)
    return person


@transaction.atomic
def person_update(
    *,
    actor,
    person: Person,
    expected_version: int | None,
    contacts: Iterable[dict] | None = None,
    **changes: Any,
) -> Person:
    """Change a person (contacts, when given, replace their own); refused if someone saved
    it meanwhile."""
    if "attributes" in changes:
        changes["attributes"] = _attributes(
            AttributeTarget.PERSON, actor, changes, current=person.attributes
        )
    person = record_update(person, actor=actor, expected_version=expected_version, **changes)
    if contacts is not None:
        contacts_replace(actor=actor, owner=person, items=contacts)
    return person


def _required_lines(business_lines: Iterable) -> list:
    lines = list(business_lines)
    if not lines:
        raise ValidationError({"business_lines": _("Choose at least one business line.")})
    return lines


def _attributes(
    target: str, actor, values: dict[str, Any], current: dict | None = None, known=None
) -> dict:
    """The record's custom attributes, all of them, checked against their definitions."""
    return clean_attributes(
        target,
        values.get("attributes") or {},
        current=current,
        merge=False,
        user=actor,
        known=known,
    )


def _definitions(target: str) -> dict[str, AttributeDefinition]:
    return {d.code: d for d in AttributeDefinition.objects.filter(target=target)}


@transaction.atomic
def employment_create(*, actor, person: Person, organization: Organization, **values: Any):
    """Record that a person works (or worked) in an organisation."""
    values.update(_work_contacts(values))
    _check_dates(values.get("started_on"), values.get("ended_on"))
    employment = Employment(
        person=person, organization=organization, created_by=actor, updated_by=actor, **values
    )
    employment.full_clean()
    employment.save()
    # The person becomes visible in the organisation's business lines.
    person.business_lines.add(*organization.business_lines.all())
    return employment


@transaction.atomic
def employment_update(
    *, actor, employment: Employment, expected_version: int | None, **changes: Any
) -> Employment:
    """Change a job (position, contacts, dates); ending it keeps it as a former job."""
    changes.update(_work_contacts(changes))
    _check_dates(
        changes.get("started_on", employment.started_on),
        changes.get("ended_on", employment.ended_on),
    )
    return record_update(employment, actor=actor, expected_version=expected_version, **changes)


def _work_contacts(values: dict[str, Any]) -> dict[str, str]:
    """Work phone and e-mail in normal form; errors name their field."""
    cleaned, errors = {}, {}
    for field, clean in (
        ("work_phone", validation.normalize_phone),
        ("work_email", validation.normalize_email),
    ):
        if field in values:
            try:
                cleaned[field] = clean(values[field] or "")
            except ValidationError as error:
                errors[field] = error.messages
    if errors:
        raise ValidationError(errors)
    return cleaned


def _check_dates(started, ended) -> None:
    if started and ended and ended < started:
        raise ValidationError({"ended_on": _("The job cannot end before it starts.")})


NORMALIZE = {
    ContactKind.PHONE: validation.normalize_phone,
    ContactKind.FAX: validation.normalize_phone,
    ContactKind.EMAIL: validation.normalize_email,
}


@transaction.atomic
def contact_add(
    *, actor, kind: str, value: str, organization=None, person=None, label="", is_primary=False
) -> ContactPoint:
    """Add a phone, fax, e-mail or messenger, stored in its normal form."""
    try:
        value = NORMALIZE.get(kind, str.strip)(value)
    except ValidationError as error:
        raise ValidationError({"value": error.messages}) from error
    contact = ContactPoint(
        organization=organization,
        person=person,
        kind=kind,
        value=value,
        label=label,
        is_primary=is_primary,
    )
    contact.full_clean()
    contact.save()
    return contact


@transaction.atomic
def contact_remove(*, actor, contact: ContactPoint) -> None:
    contact.delete()


@transaction.atomic
def contacts_replace(*, actor, owner: Organization | Person, items: Iterable[dict]) -> None:
    """The record's phones, e-mails and messengers become exactly `items`. Contacts that
    stay (same kind and value, in any format) are kept as they are, so their history only
    shows real changes. Errors name the position of the bad item."""
    owner_field = owner._meta.model_name
    existing = {(c.kind, c.value): c for c in owner.contacts.all()}
    wanted, errors = set(), []
    for number, item in enumerate(items, start=1):
        kind, label = item["kind"], item.get("label", "")
        try:
            value = NORMALIZE.get(kind, str.strip)(item["value"])
        except ValidationError as error:
            errors.append(f"#{number}: {' '.join(error.messages)}")
            continue
        if (kind, value) in wanted:
            continue  # the same contact twice, in two spellings
        wanted.add((kind, value))
        contact = existing.get((kind, value))
        if contact is None:
            contact_add(
                actor=actor,
                kind=kind,
                value=value,
                label=label,
                is_primary=item.get("is_primary", False),
                **{owner_field: owner},
            )
        elif (contact.label, contact.is_primary) != (label, item.get("is_primary", False)):
            contact.label, contact.is_primary = label, item.get("is_primary", False)
            contact.save(update_fields=["label", "is_primary"])
    if errors:
        raise ValidationError({"contacts": errors})
    for key, contact in existing.items():
        if key not in wanted:
            contact_remove(actor=actor, contact=contact)


@transaction.atomic
def address_save(*, actor, organization: Organization, kind: str, **fields: str) -> Address:
    """Set the organisation's address of this kind (legal, postal, actual)."""
    if not any(value.strip() for value in fields.values()):
        raise ValidationError(_("Fill in at least the city or the street of the address."))
    address, _created = Address.objects.get_or_create(organization=organization, kind=kind)
    for name, value in fields.items():
        setattr(address, name, value.strip())
    address.full_clean()
    address.save()
    return address


@transaction.atomic
def addresses_replace(*, actor, organization: Organization, items: Iterable[dict]) -> None:
    """The organisation's addresses become exactly `items`, one per kind."""
    items = list(items)
    kinds = [item["kind"] for item in items]
    if len(set(kinds)) != len(kinds):
        raise ValidationError({"addresses": _("Give one address of each kind.")})
    for item in items:
        fields = {k: item.get(k, "") for k in ("postcode", "region", "city", "street")}
        address_save(actor=actor, organization=organization, kind=item["kind"], **fields)
    organization.addresses.exclude(kind__in=kinds).delete()


@transaction.atomic
def organization_delete(*, actor, organization: Organization) -> None:
    """Delete an organisation created by mistake (its employments and contacts go too)."""
    organization.delete()


@transaction.atomic
def person_delete(*, actor, person: Person) -> None:
    """Delete a person created by mistake (their employments and contacts go too)."""
    person.delete()


@transaction.atomic
def employment_delete(*, actor, employment: Employment) -> None:
    """Delete an employment entered by mistake; a job that ended is ended, not deleted."""
    employment.delete()


@transaction.atomic
def reference_save(*, actor, item, **values: Any):
    """Create or change a category or an industry."""
    for name, value in values.items():
        setattr(item, name, value)
    item.full_clean()
    item.save()
    return item


@transaction.atomic
def reference_delete(*, actor, item) -> None:
    """Delete a category or industry; one still in use is retired instead."""
    from django.db.models import ProtectedError

    try:
        with transaction.atomic():
            item.delete()
    except ProtectedError:
        item.is_active = False
        item.save(update_fields=["is_active"])


@transaction.atomic
def attribute_definition_save(*, actor, definition: AttributeDefinition, **values: Any):
    """Create or change a custom attribute. Its kind of record, code and type are fixed once
    created (stored values depend on them); options are needed by, and only by, choices.
    Once committed, the index its list sorts by is built or dropped (`attribute_indexes`)."""
    errors: dict[str, str] = {}
    if definition.pk:
        for name in AttributeDefinition.FIXED_FIELDS:
            if name in values and values[name] != getattr(definition, name):
                errors[name] = _("This cannot be changed once the attribute exists.")
    for name, value in values.items():
        setattr(definition, name, value)
    if not isinstance(definition.choices or [], list | tuple):
        raise ValidationError({"choices": _("List the options, one per line.")})
    choices = [str(option).strip() for option in definition.choices or [] if str(option).strip()]
    if definition.type in (AttributeType.CHOICE, AttributeType.MULTI_CHOICE):
        if not choices:
            errors["choices"] = _("List the options, one per line.")
        elif len(set(choices)) != len(choices):
            errors["choices"] = _("Each option must appear once.")
    elif choices:
        errors["choices"] = _("Only choice attributes have options.")
    definition.choices = choices
    if errors:
        raise ValidationError(errors)
    clash = AttributeDefinition.objects.filter(target=definition.target, code=definition.code)
    if clash.exclude(pk=definition.pk).exists():
        raise ValidationError({"code": _("This code is already used by another attribute.")})
    definition.full_clean()
    definition.save()
    attribute_indexes.sync_after_commit(definition.target)
    return definition


def organization_merge(
    *, actor, kept: Organization, other: Organization, **choices: Any
) -> Organization:
    """Merge the duplicate `other` into `kept` (see `merge.merge` for the choices)."""
    return merge(actor=actor, kept=kept, other=other, **choices)


def person_merge(*, actor, kept: Person, other: Person, **choices: Any) -> Person:
    """Merge the duplicate person `other` into `kept` (see `merge.merge`)."""
    return merge(actor=actor, kept=kept, other=other, **choices)


# Lists (segments) ---------------------------------------------------------------------

IGNORED_CRITERIA = {"page", "csrfmiddlewaretoken"}


def _checked_criteria(actor, kind: str, criteria: dict) -> dict:
    """The list page's filter parameters (or groups of them), checked by its FilterSet."""

    def cleaned(group: dict) -> dict:
        return {k: v for k, v in (group or {}).items() if k not in IGNORED_CRITERIA and v}

    if not isinstance(criteria, dict):
        raise ValidationError({"criteria": _("Send an object of filter parameters.")})
    if ANY in criteria and isinstance(criteria[ANY], list):
        groups = [cleaned(group) for group in criteria[ANY] if isinstance(group, dict)]
        groups = [group for group in groups if group]
        criteria = {ANY: groups} if len(groups) > 1 else (groups[0] if groups else {})
    else:
        criteria = cleaned(criteria)
    problems = criteria_errors(actor, kind, criteria)
    if problems:
        raise ValidationError({"criteria": problems})
    return criteria


@transaction.atomic
def segment_create(
    *,
    actor,
    name: str,
    kind: str,
    business_lines: Iterable,
    dynamic: bool = False,
    criteria: dict | None = None,
    members: Iterable = (),
    **values: Any,
) -> Segment:
    """A new list owned by `actor`: dynamic with the given criteria, or static with the
    given members (those of the criteria now, when criteria are given)."""
    lines = _required_lines(business_lines)
    criteria = _checked_criteria(actor, kind, {} if criteria is None else criteria)
    segment = record_create(
        Segment,
        actor=actor,
        owner=actor,
        name=name,
        kind=kind,
        business_lines=lines,
        dynamic=dynamic,
        criteria=criteria if dynamic else {},
        **values,
    )
    if not dynamic:
        if criteria:
            members = matching_records(actor, kind, criteria)
        segment_add(actor=actor, segment=segment, records=members)
    return segment


@transaction.atomic
def segment_update(
    *, actor, segment: Segment, expected_version: int | None, **changes: Any
) -> Segment:
    """Rename a list, change its lines, sharing or (dynamic lists) criteria."""
    if "criteria" in changes:
        changes["criteria"] = _checked_criteria(actor, segment.kind, changes["criteria"])
    changes.pop("kind", None)  # a list of organisations stays one
    return record_update(segment, actor=actor, expected_version=expected_version, **changes)


@transaction.atomic
def segment_add(*, actor, segment: Segment, records) -> int:
    """Add records (or a queryset of them) to a static list; returns how many were new.
    The list's history records who added whom."""
    if segment.dynamic:
        raise ValidationError(_("A dynamic list's members follow its criteria."))
    members = getattr(segment, segment.kind)
    ids = set(_ids(records)) - set(members.values_list("pk", flat=True))
    members.add(*ids)
    _log_members(actor, segment, ids, "add")
    return len(ids)


@transaction.atomic
def segment_remove(*, actor, segment: Segment, records) -> None:
    """Take records out of a static list (recorded in the list's history)."""
    if segment.dynamic:
        raise ValidationError(_("A dynamic list's members follow its criteria."))
    members = getattr(segment, segment.kind)
    ids = set(_ids(records)) & set(members.values_list("pk", flat=True))
    members.remove(*ids)
    _log_members(actor, segment, ids, "delete")


LOGGED_MEMBERS = 100  # named one by one in the history; beyond, counted


def _ids(records) -> list[int]:
    if hasattr(records, "values_list"):
        return list(records.values_list("pk", flat=True))
    return [record.pk for record in records]


def _log_members(actor, segment: Segment, ids: set[int], operation: str) -> None:
    if not ids:
        return
    from auditlog.models import LogEntry

    model = segment._meta.get_field(segment.kind).related_model
    named = list(model.objects.filter(pk__in=sorted(ids)[:LOGGED_MEMBERS]))
    if len(ids) > LOGGED_MEMBERS:
        named.append(_("… and %(count)s more") % {"count": len(ids) - LOGGED_MEMBERS})
    LogEntry.objects.log_m2m_changes(named, segment, operation, segment.kind, actor=actor)


@transaction.atomic
def segment_snapshot(*, actor, segment: Segment, name: str = "") -> Segment:
    """A static copy of a list with the members `actor` sees in it now."""
    return segment_create(
        actor=actor,
        name=name or _("%(name)s (snapshot)") % {"name": segment.name},
        kind=segment.kind,
        business_lines=segment.business_lines.all(),
        members=segment_members(actor, segment),
    )


@transaction.atomic
def segment_delete(*, actor, segment: Segment) -> None:
    """Delete a list; its members stay in the base."""
    segment.delete()


# Many at once (imports) ---------------------------------------------------------------

BULK = 500


@transaction.atomic
def organizations_bulk_create(
    *, actor, business_lines: Iterable, items: list[dict], contacts_normalized: bool = False
) -> list:
    """Register many organisations in a few statements: each item holds model values
    already checked field by field (as an import's check does), plus `contacts` (kind,
    value), `addresses` and `categories`. Audited like single creations; INNs already in
    the base are the caller's to have refused. Contacts are brought to their normal form
    unless the caller says it did that with the same functions (`contacts_normalized`)."""
    lines = _required_lines(business_lines)
    values_list, extras = [], []
    known = _definitions(AttributeTarget.ORGANIZATION)
    for item in items:
        values = dict(item)
        extra = {k: values.pop(k, ()) for k in ("contacts", "addresses", "categories")}
        values["attributes"] = _attributes(AttributeTarget.ORGANIZATION, actor, values, known=known)
        values_list.append(values)
        extras.append(extra)
    organizations = _bulk_insert(Organization, values_list, lines, actor)
    categories = Organization.categories.through
    bulk.insert(
        categories,
        ("organization_id", "category_id"),
        [
            (o.pk, category.pk)
            for o, extra in zip(organizations, extras, strict=True)
            for category in extra["categories"]
        ],
    )
    added = {
        o.pk: list(extra["categories"]) for o, extra in zip(organizations, extras, strict=True)
    }
    log_m2m_added(organizations, "categories", added, actor=actor)
    _bulk_contacts(
        actor, organizations, [extra["contacts"] for extra in extras], contacts_normalized
    )
    address_items = [
        {**address, "organization_id": o.pk}
        for o, extra in zip(organizations, extras, strict=True)
        for address in extra["addresses"]
    ]
    addresses = _bulk_records(Address, address_items)
    log_created(organizations, actor=actor, varying=_given(values_list))
    log_created(addresses, actor=actor, varying=_given(address_items))
    return organizations


@transaction.atomic
def persons_bulk_create(
    *, actor, business_lines: Iterable, items: list[dict], contacts_normalized: bool = False
) -> list:
    """Register many persons at once (see organizations_bulk_create); the gender comes
    from the patronymic when not given."""
    lines = _required_lines(business_lines)
    values_list, contacts = [], []
    known = _definitions(AttributeTarget.PERSON)
    for item in items:
        values = dict(item)
        contacts.append(values.pop("contacts", ()))
        if not values.get("gender"):
            values["gender"] = validation.gender_from_patronymic(values.get("patronymic", ""))
        values["attributes"] = _attributes(AttributeTarget.PERSON, actor, values, known=known)
        values_list.append(values)
    persons = _bulk_insert(Person, values_list, lines, actor)
    _bulk_contacts(actor, persons, contacts, contacts_normalized)
    log_created(persons, actor=actor, varying=_given(values_list))
    return persons


@transaction.atomic
def employments_bulk_create(*, actor, items: list[tuple[Person, Organization, dict]]) -> list:
    """Many jobs at once; each person becomes visible in the organisation's lines."""
    job_items = [
        {
            **values,
            **_work_contacts(values),
            "person_id": person.pk,
            "organization_id": organization.pk,
        }
        for person, organization, values in items
    ]
    jobs = _bulk_records(Employment, job_items, actor=actor)
    for job, (person, organization, _values) in zip(jobs, items, strict=True):
        job.person, job.organization = person, organization
    org_lines = Organization.business_lines.through.objects.filter(
        organization__in={job.organization_id for job in jobs}
    ).values_list("organization_id", "businessline_id")
    lines_of: dict[int, list[int]] = {}
    for organization_id, line_id in org_lines:
        lines_of.setdefault(organization_id, []).append(line_id)
    through = Person.business_lines.through
    person_ids = {job.person_id for job in jobs}
    have = set()
    for chunk in batched(sorted(person_ids), BULK):
        have.update(
            through.objects.filter(person_id__in=chunk).values_list("person_id", "businessline_id")
        )
    new = {
        (job.person_id, line_id)
        for job in jobs
        for line_id in lines_of.get(job.organization_id, ())
    } - have
    bulk.insert(through, ("person_id", "businessline_id"), sorted(new))
    names = dict(
        BusinessLine.objects.filter(pk__in={line for _p, line in new}).values_list("pk", "name")
    )
    added: dict[int, list] = {}
    for person, line in sorted(new):
        added.setdefault(person, []).append(names[line])
    persons = {person.pk: person for person, _organization, _values in items}
    log_m2m_added([persons[pk] for pk in added], "business_lines", added, actor=actor)
    log_created(jobs, actor=actor, varying=_given(job_items))
    return jobs


def _bulk_records(model, items: list[dict], *, actor=None) -> list:
    """Insert records of `model` with these field values (foreign keys as objects or
    ids, the other fields at their defaults), created now (by `actor` where the model
    records its author); the stored records. Like `bulk_create`, it validates nothing."""
    if not items:
        return []
    fields = [field for field in model._meta.concrete_fields if not field.primary_key]
    position = {field.name: n for n, field in enumerate(fields)}
    position |= {field.attname: n for n, field in enumerate(fields)}
    objects = {field.name for field in fields if field.is_relation}  # given as records
    # Each row starts as the fields' fixed defaults and the automatic values, taken once;
    # defaults that are functions (a new dict for each record) are called for the rows
    # that leave them out.
    template: list[Any] = [UNSET if bulk.made_anew(f) else f.get_default() for f in fields]
    for name, value in _automatic(model, actor).items():
        if name in position:
            template[position[name]] = value
    made = [(n, field) for n, field in enumerate(fields) if bulk.made_anew(field)]
    rows = []
    for item in items:
        row = template.copy()
        for name, value in item.items():
            if name not in position:
                raise TypeError(f"{model.__name__} has no field {name!r}")
            if name in objects:
                value = None if value is None else value.pk
            row[position[name]] = value
        for n, field in made:
            if row[n] is UNSET:
                row[n] = field.get_default()
        rows.append(row)
    columns = [field.attname for field in fields]
    ids = bulk.insert(model, columns, rows, returning=True)
    return bulk.instances(model, columns, rows, ids)


UNSET = object()
AUTOMATIC = {"created_at", "updated_at", "created_by_id", "updated_by_id"}


def _automatic(model, actor) -> dict[str, Any]:
    now = timezone.now()
    values = {"created_at": now, "updated_at": now}
    if any(field.name == "created_by" for field in model._meta.concrete_fields):
        values |= {"created_by_id": getattr(actor, "pk", None)}
        values |= {"updated_by_id": getattr(actor, "pk", None)}
    return values


def _given(items: list[dict]) -> set[str]:
    """The fields bulk-created records were given values for (the rest hold defaults)."""
    return AUTOMATIC.union(*items)


def _bulk_insert(model, items: list[dict], lines: list, actor) -> list:
    """Insert records of one model and put each in the business lines (audited as
    setting the lines one by one would be); the stored records."""
    records = _bulk_records(model, items, actor=actor)
    if not records:
        return records
    field = model._meta.get_field("business_lines")
    through, own = field.remote_field.through, field.m2m_column_name()
    bulk.insert(
        through,
        (own, "businessline_id"),
        [(record.pk, line.pk) for record in records for line in lines],
    )
    log_m2m_added(records, "business_lines", {r.pk: lines for r in records}, actor=actor)
    return records


def _bulk_contacts(
    actor, owners: list, contacts: list[Iterable[dict]], normalized: bool = False
) -> None:
    field = owners[0]._meta.model_name + "_id" if owners else ""
    items = []
    for owner, owner_items in zip(owners, contacts, strict=True):
        seen = set()
        for item in owner_items:
            value = item["value"]
            if not normalized:
                value = NORMALIZE.get(item["kind"], str.strip)(value)
            if (item["kind"], value) not in seen:
                seen.add((item["kind"], value))
                items.append({"kind": item["kind"], "value": value, field: owner.pk})
    log_created(_bulk_records(ContactPoint, items), actor=actor, varying=_given(items))
