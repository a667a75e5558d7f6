"""Merging duplicate organisations or persons (DIR-5): the author picks, field by field,
which value the kept record ends with; every link of the other record moves to it (through
the one generic mechanism of `core.merge`); the other record is deleted, its data and
history stay reachable from the kept one, and the merge is audited."""

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
from django.utils.translation import gettext as _

from sputnik.core.exceptions import StaleEdit
from sputnik.core.merge import move_links
from sputnik.core.models import MergeRecord
from sputnik.core.services import record_update

from .attributes import definitions, display
from .models import AttributeTarget, ContactPoint, Organization, Person

# The fields offered for choosing, by model; lines and categories are always combined.
COMBINED = {"business_lines", "categories"}
TARGET = {Organization: AttributeTarget.ORGANIZATION, Person: AttributeTarget.PERSON}


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


def differences(kept, other) -> list[Difference]:
    """Every field and custom attribute of the two records, side by side."""
    rows = [
        Difference(field.name, str(field.verbose_name), _shown(kept, field), _shown(other, field))
        for field in choosable_fields(type(kept))
    ]
    ids = {v for r in (kept, other) for v in r.attributes.values() if isinstance(v, int)}
    names = Organization.objects.in_bulk(ids) if ids else {}
    for definition in definitions(TARGET[type(kept)]):
        code = definition.code
        rows.append(
            Difference(
                f"attr_{code}",
                definition.label,
                str(display(definition, kept.attributes.get(code), names)),
                str(display(definition, other.attributes.get(code), names)),
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
    versions: tuple[int | None, int | None] = (None, None),
):
    """Merge `other` into `kept` and delete `other`. Fields named in `take` (custom
    attributes as `attr_<code>`) get the other record's value; empty fields of the kept
    record are filled from the other; business lines and categories are combined."""
    model = type(kept)
    if type(other) is not model or kept.pk == other.pk:
        raise ValidationError(_("Choose two different records of the same kind."))
    manager = model._default_manager
    kept, other = (manager.select_for_update().get(pk=r.pk) for r in (kept, other))
    for record, version in zip((kept, other), versions, strict=True):
        if version is not None and record.version != version:
            raise StaleEdit(record)
    take = set(take)
    changes = {}
    for field in choosable_fields(model):
        mine, theirs = getattr(kept, field.name), getattr(other, field.name)
        if field.name in take or (_empty(mine) and not _empty(theirs)):
            changes[field.name] = theirs
    if model is Organization:  # neither may end up its own parent
        parent = changes.get("parent", kept.parent)
        if parent is not None and parent.pk in (kept.pk, other.pk):
            inherited = parent.pk == other.pk and other.parent_id != kept.pk
            changes["parent"] = other.parent if inherited else None
    attributes = {**other.attributes, **kept.attributes}
    for code in (name.removeprefix("attr_") for name in take if name.startswith("attr_")):
        if code in other.attributes:
            attributes[code] = other.attributes[code]
    changes["attributes"] = attributes
    for name in COMBINED & {f.name for f in model._meta.many_to_many}:
        changes[name] = {*getattr(kept, name).all(), *getattr(other, name).all()}

    snapshot = serializers.serialize("python", [other])[0]
    MergeRecord.objects.create(
        content_type=ContentType.objects.get_for_model(model),
        kept_id=kept.pk,
        merged_id=other.pk,
        merged_repr=str(other)[:300],
        snapshot=_jsonable(snapshot),
        moved=move_links(kept, other),
        actor=actor,
    )
    _drop_repeated_contacts(kept)
    merged_name, merged_id = str(other), other.pk
    other.delete()
    kept = record_update(kept, actor=actor, expected_version=None, **changes)
    LogEntry.objects.log_create(
        kept,
        force_log=True,
        action=LogEntry.Action.UPDATE,
        changes={},
        actor=actor,
        additional_data={"merged": {"id": merged_id, "name": merged_name}},
    )
    return kept


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


def _jsonable(value):
    """The snapshot as plain JSON (dates and decimals as text)."""
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))
