"""Merging duplicate organisations or persons (DIR-5): the author picks, field by field,
which value the kept record ends with; every link of the other record moves to it (through
the one generic mechanism of `core.merge`, plus references held in custom attributes); the
other record is deleted, its data and history stay reachable from the kept one, and the
merge is audited. The services `organization_merge` and `person_merge` call `merge`."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass

from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core import serializers
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.db.models import Count, Min
from django.utils.html import strip_tags
from django.utils.translation import gettext as _

from sputnik.core.exceptions import StaleEdit
from sputnik.core.merge import move_links
from sputnik.core.models import MergeRecord
from sputnik.core.services import ensure_visible, record_update

from .attributes import attach, definitions
from .models import Address, AttributeTarget, AttributeType, ContactPoint, Organization, Person

# Lines and categories are always combined; the other editable fields are chosen.
COMBINED = {"business_lines", "categories"}
TARGET = {Organization: AttributeTarget.ORGANIZATION, Person: AttributeTarget.PERSON}


def may_merge(user, model: type[models.Model]) -> bool:
    """Merging deletes a record: it takes the right to delete records of the kind (the
    record that goes must also be one the user may delete, the kept one one to change)."""
    meta = model._meta
    return user.has_perm(f"{meta.app_label}.delete_{meta.model_name}")


def choosable_fields(model: type[models.Model]) -> list[models.Field]:
    return [model._meta.get_field(n) for n in model.EDITABLE_FIELDS if n not in COMBINED]


@dataclass
class Difference:
    """One line of the merge wizard: a field (or custom attribute) and both values."""

    name: str
    label: str
    kept: str
    other: str

    @property
    def differs(self) -> bool:
        return self.kept != self.other


def _shown(record, field: models.Field) -> str:
    value = getattr(record, field.name)
    if value in (None, ""):
        return ""
    if field.choices:
        return str(getattr(record, f"get_{field.name}_display")())
    if isinstance(field, models.BooleanField):
        return _("yes") if value else _("no")
    return str(value)


def differences(kept, other, user) -> list[Difference]:
    """Every field and custom attribute of the two records, side by side, as `user` may
    see them."""
    rows = [
        Difference(field.name, str(field.verbose_name), _shown(kept, field), _shown(other, field))
        for field in choosable_fields(type(kept))
    ]
    attach([kept, other], TARGET[type(kept)], user)
    for (definition, mine), (_definition, theirs) in zip(kept.custom, other.custom, strict=True):
        rows.append(
            Difference(
                f"attr_{definition.code}",
                definition.label,
                strip_tags(mine),
                strip_tags(theirs),
            )
        )
    return rows


def _empty(value) -> bool:
    return value in (None, "", [], {})


@transaction.atomic
def merge(
    *,
    actor,
    kept,
    other,
    take: Iterable[str] = (),
    decided: Iterable[str] | None = None,
    versions: tuple[int | None, int | None] = (None, None),
):
    """Merge `other` into `kept` and delete `other`.

    Fields named in `take` (custom attributes as `attr_<code>`) get the other record's
    value. Empty fields of the kept record are filled from the other unless they are among
    `decided` (the fields the author chose for). Lines and categories are combined."""
    model = type(kept)
    if type(other) is not model or kept.pk == other.pk:
        raise ValidationError(_("Choose two different records of the same kind."))
    manager = model._default_manager
    kept, other = (manager.select_for_update().get(pk=r.pk) for r in (kept, other))
    for record, version in zip((kept, other), versions, strict=True):
        if version is not None and record.version != version:
            raise StaleEdit(record)
    changes = _combined_values(kept, other, set(take), set(decided or ()))
    if model is Organization:
        # The kept record's address of a kind wins; the other's of a kind it lacks moves.
        kinds = kept.addresses.values("kind")
        Address.objects.filter(organization=other, kind__in=kinds).delete()
    moved = move_links(kept, other)
    if model is Organization and (references := _move_references(kept, other)):
        moved[_("references in additional fields")] = references
    MergeRecord.objects.create(
        content_type=ContentType.objects.get_for_model(model),
        kept_id=kept.pk,
        merged_id=other.pk,
        merged_repr=str(other)[:300],
        snapshot=json.loads(
            json.dumps(serializers.serialize("python", [other])[0], cls=DjangoJSONEncoder)
        ),
        moved=moved,
        actor=actor,
    )
    _drop_repeated_contacts(kept)
    merged = {"id": other.pk, "name": str(other)}
    other.delete()
    kept = record_update(kept, actor=actor, expected_version=None, **changes)
    LogEntry.objects.log_create(
        kept,
        force_log=True,
        action=LogEntry.Action.UPDATE,
        changes={},
        actor=actor,
        additional_data={"merged": merged},
    )
    if actor is not None:
        ensure_visible(kept, actor)
    return kept


def _combined_values(kept, other, take: set[str], decided: set[str]) -> dict:
    """The changes that give the kept record its merged values."""
    model, changes = type(kept), {}
    for field in choosable_fields(model):
        mine, theirs = getattr(kept, field.name), getattr(other, field.name)
        filling = _empty(mine) and not _empty(theirs) and field.name not in decided
        if field.name in take or filling:
            changes[field.name] = theirs
    if model is Organization:  # neither may end up its own parent
        parent = changes.get("parent", kept.parent)
        if parent is not None and parent.pk in (kept.pk, other.pk):
            inherited = parent.pk == other.pk and other.parent_id != kept.pk
            changes["parent"] = other.parent if inherited else None
    attributes = dict(kept.attributes)
    for code, value in other.attributes.items():
        name = f"attr_{code}"
        if name in take or (code not in attributes and name not in decided):
            attributes[code] = value
    for code in (n.removeprefix("attr_") for n in take if n.startswith("attr_")):
        if code not in other.attributes:
            attributes.pop(code, None)  # the other's empty value was chosen
    changes["attributes"] = attributes
    for name in COMBINED & {f.name for f in model._meta.many_to_many}:
        changes[name] = {*getattr(kept, name).all(), *getattr(other, name).all()}
    return changes


def _move_references(kept: Organization, other: Organization) -> int:
    """Custom attributes of organisations and persons that name `other` name `kept`."""
    moved = 0
    for model, target in TARGET.items():
        for definition in definitions(target, active=False):
            if definition.type != AttributeType.ORGANIZATION:
                continue
            code = definition.code
            for record in model.objects.filter(**{f"attributes__{code}": other.pk}):
                record.attributes[code] = kept.pk
                record.save(update_fields=["attributes"])
                moved += 1
    return moved


def _drop_repeated_contacts(record) -> None:
    """The same phone or e-mail once is enough after contacts were combined."""
    owner = {type(record)._meta.model_name: record}
    repeated = (
        ContactPoint.objects.filter(**owner)
        .values("kind", "value")
        .annotate(n=Count("id"), first=Min("id"))
        .filter(n__gt=1)
    )
    for group in repeated:
        ContactPoint.objects.filter(**owner, kind=group["kind"], value=group["value"]).exclude(
            pk=group["first"]
        ).delete()
