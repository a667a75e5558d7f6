"""Stamps renewed whenever some kinds of records change, so that what is built from
those records can be cached under the stamp, in any process.

A stamp is a row of `ChangeStamp`, read with one query by whoever builds or looks up the
cached thing. Each save or delete of a watched model (and each change of a watched
many-to-many relation) writes a new random stamp once the transaction has committed:
a request that read the records before the change read the old stamp with them, so what
it caches is never found again. Renewed after the commit rather than inside the
transaction, the stamp's row is locked only for its own short `UPDATE`, never while a
transaction goes on to lock other rows (which could deadlock, or hold up every other
write of watched records while an import runs). Random rather than counted: a stamp
never comes back. Writes that bypass signals (`bulk_create`, `update()`, raw SQL,
migrations) must call `renew()` themselves; every `migrate` renews them all.
"""

from __future__ import annotations

import secrets
from functools import partial

from django.db import IntegrityError, connection, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

from .models import ChangeStamp

# The choices of the lists' filter panels: business lines, categories, industries,
# employees and their lines, lists, custom attributes, pipelines and their stages …
CHOICES = "choices"

WATCHED: dict[str, set] = {}  # stamp name → the models (and through models) renewing it


def current(name: str) -> str:
    """The stamp `name` holds now ("" before its first renewal)."""
    return ChangeStamp.objects.filter(name=name).values_list("stamp", flat=True).first() or ""


def renew(name: str) -> None:
    """Give `name` a new stamp now (at once, whatever the transaction)."""
    stamp = secrets.token_hex(8)
    if ChangeStamp.objects.filter(name=name).update(stamp=stamp):
        return
    try:
        with transaction.atomic():
            ChangeStamp.objects.create(name=name, stamp=stamp)
    except IntegrityError:  # created meanwhile by another transaction
        ChangeStamp.objects.filter(name=name).update(stamp=stamp)


def renew_on_commit(name: str) -> None:
    """Give `name` a new stamp once the current transaction commits (at once outside
    one); nothing if it rolls back. A renewal that fails is logged, not raised: the
    change it follows is committed, and the cache's timeout bounds what it leaves."""
    transaction.on_commit(partial(renew, name), robust=True)


def renew_all(**kwargs) -> None:
    """Renew every stamp (after `migrate`, whose data migrations send no signals)."""
    if ChangeStamp._meta.db_table not in connection.introspection.table_names():
        return  # migrated back before the stamps existed
    for name in WATCHED:
        renew(name)


def watch(name: str, *models, relations=(), unless_only=()) -> None:
    """Renew stamp `name` after every save or delete of `models` and every change of
    the many-to-many `relations` (their through models) commits. A save of
    `unless_only` fields alone (say, the last login) leaves it."""
    ignored = frozenset(unless_only)

    def saved(sender, update_fields=None, **kwargs):
        if update_fields is None or not set(update_fields) <= ignored:
            renew_on_commit(name)

    def deleted(sender, **kwargs):
        renew_on_commit(name)

    def related(sender, action, **kwargs):
        if action in ("post_add", "post_remove", "post_clear"):
            renew_on_commit(name)

    WATCHED.setdefault(name, set()).update(models, relations)
    for model in models:
        uid = f"stamp:{name}:{model._meta.label}"
        post_save.connect(saved, sender=model, weak=False, dispatch_uid=uid)
        post_delete.connect(deleted, sender=model, weak=False, dispatch_uid=uid)
    for through in relations:
        uid = f"stamp:{name}:{through._meta.label}"
        m2m_changed.connect(related, sender=through, weak=False, dispatch_uid=uid)
