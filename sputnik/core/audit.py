"""Attributing audit records to the right person outside the web middleware's reach
(token-authenticated API calls, tasks, management commands)."""

from collections.abc import Callable
from contextlib import contextmanager
from typing import Any

from auditlog.context import auditlog_value, set_actor
from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django.conf import settings
from django.utils.encoding import smart_str
from django.utils.translation import gettext_lazy as _


def client_address(request) -> str | None:
    if request is None:
        return None
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "") if settings.BEHIND_PROXY else ""
    return forwarded.split(",")[0].strip() or request.META.get("REMOTE_ADDR")


def current_address() -> str | None:
    """The address of the request being served, as the audit middleware recorded it."""
    try:
        return auditlog_value.get().get("remote_addr")
    except LookupError:
        return None


@contextmanager
def acting_as(actor, request=None):
    """Audit records written inside the block name `actor` and the request's address."""
    with set_actor(actor, remote_addr=client_address(request)):
        yield


# Bookkeeping that every business model has; the audit shows who and when by itself.
NOT_AUDITED = ["id", "version", "created_at", "updated_at", "created_by", "updated_by"]


def register_audited(model, *, exclude_fields=(), **options) -> None:
    """Record the model's changes in the audit trail (bookkeeping fields left out)."""
    auditlog.register(model, exclude_fields=[*NOT_AUDITED, *exclude_fields], **options)


# Fields holding several values (custom attributes) shown in the history one row per part:
# (model, field name) -> a factory, called once per page of history, of a function
# (old, new) -> [(label, old, new), ...].
Rows = Callable[[Any, Any], list[tuple[str, str, str]]]
FIELD_ROWS: dict[tuple[type, str], Callable[[], Rows]] = {}


def register_field_rows(model, field_name: str, make_rows: Callable[[], Rows]) -> None:
    FIELD_ROWS[(model, field_name)] = make_rows


ACTIONS = {
    LogEntry.Action.CREATE: _("Created"),
    LogEntry.Action.UPDATE: _("Changed"),
    LogEntry.Action.DELETE: _("Deleted"),
    LogEntry.Action.ACCESS: _("Opened"),
}


def log_created(instances: list, *, actor=None) -> None:
    """Creation entries for records inserted in bulk (bulk inserts send no signals): the
    same entries, with the same field values, that saving them one by one would write."""
    from auditlog.diff import get_field_value, get_fields_in_model

    if not instances:
        return
    as_json = settings.AUDITLOG_STORE_JSON_CHANGES
    # What `model_instance_diff(None, instance)` compares, with the "before" side (the
    # fields' defaults) worked out once instead of once per record.
    registered = auditlog.get_model_fields(type(instances[0]))
    fields = [
        field
        for field in get_fields_in_model(instances[0])
        if (not registered["include_fields"] or field.name in registered["include_fields"])
        and field.name not in registered["exclude_fields"]
    ]
    blank = {field.name: get_field_value(None, field, as_json) for field in fields}

    def changes(instance) -> dict | None:
        found = {}
        for field in fields:
            value = get_field_value(instance, field, as_json)
            if value != blank[field.name]:
                found[field.name] = (smart_str(blank[field.name]), smart_str(value))
        return found or None

    _log_many(instances, LogEntry.Action.CREATE, changes, actor)


def log_m2m_added(records: list, field_name: str, added: dict[int, list], *, actor=None):
    """The "added to <field>" entries that `field.set()` on each record would have written
    (bulk inserts of many-to-many rows send no signals); `added` maps a record's id to
    the objects added."""
    records = [record for record in records if added.get(record.pk)]

    def changes(record) -> dict:
        objects = [smart_str(item) for item in added[record.pk]]
        return {field_name: {"type": "m2m", "operation": "add", "objects": objects}}

    _log_many(records, LogEntry.Action.UPDATE, changes, actor)


def _log_many(records: list, action: int, changes, actor) -> None:
    """One audit entry per record (of one model), in a few inserts, attributed to `actor`
    and to the request's address as auditlog's own entries are."""
    from auditlog.cid import get_cid
    from django.contrib.contenttypes.models import ContentType

    if not records:
        return
    content_type = ContentType.objects.get_for_model(records[0])
    cid, address = get_cid(), current_address()
    LogEntry.objects.bulk_create(
        [
            LogEntry(
                content_type=content_type,
                object_pk=str(record.pk),
                object_id=record.pk,
                object_repr=str(record),
                action=action,
                changes=changes(record),
                actor=actor,
                actor_email=getattr(actor, "email", None),
                remote_addr=address,
                cid=cid,
            )
            for record in records
        ],
        batch_size=500,
    )
