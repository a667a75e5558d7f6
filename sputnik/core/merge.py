"""Merging two records of one model (DIR-5): every link to the merged record moves to the
kept one. Links are found in the model registry — every foreign key and many-to-many table
pointing at the model — so links that later apps add (deals, interactions, documents, list
memberships …) move without anyone listing them here."""

from __future__ import annotations

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _

from .models import MergeRecord


def links_to(model: type[models.Model]) -> list[models.Field]:
    """Every foreign key (of ordinary and many-to-many tables) that points at `model`."""
    return [
        field
        for linking in apps.get_models(include_auto_created=True)
        for field in linking._meta.local_concrete_fields
        if field.is_relation
        and (field.many_to_one or field.one_to_one)
        and field.remote_field.model is model
    ]


def link_label(field: models.Field) -> str:
    """What a link is called for a reader: the many-to-many field, or the linking model."""
    linking = field.model._meta
    if linking.auto_created:
        m2m = next(
            f
            for f in linking.auto_created._meta.many_to_many
            if f.remote_field.through is field.model
        )
        return str(m2m.verbose_name)
    return str(linking.verbose_name_plural)


def _linked(field: models.Field, record: models.Model, *, exclude: models.Model | None = None):
    rows = field.model._base_manager.filter(**{field.name: record})
    if exclude is not None and field.model is type(exclude):
        rows = rows.exclude(pk=exclude.pk)  # a record's link to itself stays
    return rows


def count_links(record: models.Model) -> dict[str, int]:
    """How many records of each kind link to `record`."""
    counts: dict[str, int] = {}
    for field in links_to(type(record)):
        if number := _linked(field, record, exclude=record).count():
            label = link_label(field)
            counts[label] = counts.get(label, 0) + number
    return counts


def _unique_partners(field: models.Field) -> list[list[str]]:
    """For each uniqueness rule of the linking model that includes `field`, the other
    fields of the rule (an empty list: the field alone is unique)."""
    meta = field.model._meta
    rules = [list(fields) for fields in meta.unique_together]
    rules += [
        list(c.fields)
        for c in meta.constraints
        if isinstance(c, models.UniqueConstraint) and c.condition is None and c.fields
    ]
    partners = [
        [name for name in rule if name != field.name] for rule in rules if field.name in rule
    ]
    return [[]] + partners if field.one_to_one else partners


def move_links(keep: models.Model, other: models.Model) -> dict[str, int]:
    """Point every link of `other` at `keep`; returns how many moved, by kind.

    In many-to-many tables a link `keep` already has is dropped instead of doubled. A link
    of another kind that would break a uniqueness rule stops the merge with a clear error.
    """
    moved: dict[str, int] = {}
    for field in links_to(type(keep)):
        rows, rules = _linked(field, other, exclude=keep), _unique_partners(field)
        if not rules:
            count = rows.update(**{field.name: keep})
        else:
            count = 0
            for row in rows:
                clashes = any(
                    _linked(field, keep).filter(**_values(row, rule)).exists() for rule in rules
                )
                if clashes and field.model._meta.auto_created:
                    row.delete()
                    continue
                if clashes:
                    raise ValidationError(
                        _(
                            "Both records have %(links)s that cannot be combined; "
                            "resolve them first."
                        )
                        % {"links": link_label(field)}
                    )
                setattr(row, field.name, keep)
                row.save(update_fields=[field.name])
                count += 1
        if count:
            label = link_label(field)
            moved[label] = moved.get(label, 0) + count
    return moved


def _values(row: models.Model, names: list[str]) -> dict:
    meta = row._meta
    return {name: getattr(row, meta.get_field(name).attname) for name in names}


def merged_into(model: type[models.Model], pk: int) -> set[int]:
    """The ids of the records merged into this one, directly or through earlier merges."""
    from django.contrib.contenttypes.models import ContentType

    content_type = ContentType.objects.get_for_model(model)
    found, frontier = set(), {pk}
    while frontier:
        merged = set(
            MergeRecord.objects.filter(content_type=content_type, kept_id__in=frontier).values_list(
                "merged_id", flat=True
            )
        )
        frontier = merged - found - {pk}
        found |= frontier
    return found
