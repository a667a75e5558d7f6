"""Stamps renewed whenever some kinds of records change, so that what is built from
those records can be cached under the stamp, in any process.

A stamp is a row of `ChangeStamp`, read with one query by whoever builds or looks up the
cached thing. Each save or delete of a watched model (and each change of a watched
many-to-many relation) writes a new random stamp in the same transaction, so no request
can see the change with the old stamp once it is committed. Random rather than counted:
a stamp never comes back after a rollback. Writes that bypass signals (`bulk_create`,
`update()`) on a watched model must call `renew()` themselves.
"""

from __future__ import annotations

import secrets

from django.db import IntegrityError, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

from .models import ChangeStamp

# The choices of the lists' filter panels: business lines, categories, industries,
# employees and their lines, lists, custom attributes, pipelines and their stages …
CHOICES = "choices"

WATCHED: dict[str, set] = {}  # stamp name → the models (and through models) renewing it


def current(name: str) -> str:
    return ChangeStamp.objects.filter(name=name).values_list("stamp", flat=True).first() or ""


def renew(name: str) -> None:
    stamp = secrets.token_hex(8)
    if ChangeStamp.objects.filter(name=name).update(stamp=stamp):
        return
    try:
        with transaction.atomic():
            ChangeStamp.objects.create(name=name, stamp=stamp)
    except IntegrityError:  # created meanwhile by another transaction
        ChangeStamp.objects.filter(name=name).update(stamp=stamp)


def watch(name: str, *models, relations=(), unless_only=()) -> None:
    """Renew stamp `name` on every save or delete of `models` and every change of the
    many-to-many `relations` (their through models). A save of `unless_only` fields
    alone (say, the last login) leaves it."""
    ignored = frozenset(unless_only)

    def saved(sender, update_fields=None, **kwargs):
        if update_fields is None or not set(update_fields) <= ignored:
            renew(name)

    def deleted(sender, **kwargs):
        renew(name)

    def related(sender, action, **kwargs):
        if action in ("post_add", "post_remove", "post_clear"):
            renew(name)

    WATCHED.setdefault(name, set()).update(models, relations)
    for model in models:
        uid = f"stamp:{name}:{model._meta.label}"
        post_save.connect(saved, sender=model, weak=False, dispatch_uid=uid)
        post_delete.connect(deleted, sender=model, weak=False, dispatch_uid=uid)
    for through in relations:
        uid = f"stamp:{name}:{through._meta.label}"
        m2m_changed.connect(related, sender=through, weak=False, dispatch_uid=uid)
