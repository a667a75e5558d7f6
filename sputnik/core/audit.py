"""Attributing audit records to the right person outside the web middleware's reach
(token-authenticated API calls, tasks, management commands)."""

import json
from collections.abc import Callable, Collection
from contextlib import contextmanager
from json.encoder import encode_basestring_ascii as _quoted  # a string as json.dumps writes it
from typing import Any

from auditlog.context import auditlog_value, set_actor
from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django.conf import settings
from django.db.models import Field
from django.utils.encoding import smart_str
from django.utils.translation import gettext_lazy as _

from .bulk import JSONText, made_anew


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


def log_created(instances: list, *, actor=None, varying: Collection[str] | None = None) -> None:
    """Creation entries for records inserted in bulk (bulk inserts send no signals): the
    same entries, with the same field values, that saving them one by one would write.
    `varying` names the fields (by name or attribute name) whose values were given; the
    others hold their defaults in every record, so their part of the entries is worked
    out once, from the first record."""
    from auditlog.diff import get_field_value, get_fields_in_model

    if not instances:
        return
    as_json = settings.AUDITLOG_STORE_JSON_CHANGES
    # What `model_instance_diff(None, instance)` compares, with the "before" side (the
    # fields' defaults) and the way each field's value is read worked out once instead
    # of once per record.
    first = instances[0]
    registered = auditlog.get_model_fields(type(first))
    fields = [
        field
        for field in get_fields_in_model(first)
        if (not registered["include_fields"] or field.name in registered["include_fields"])
        and field.name not in registered["exclude_fields"]
    ]
    readers = []
    for field in fields:
        blank = get_field_value(None, field, as_json)
        blank_text = smart_str(blank)
        key = _quoted(field.name)
        if field.one_to_many and field.auto_created:
            # A reverse relation reads as its manager's name, the same for every record.
            value = get_field_value(first, field, as_json)
            entry = (blank_text, smart_str(value)) if value != blank else None
            readers.append((key, SAME, entry and _pair(key, entry), blank, blank_text))
            continue
        attribute, convert = _audit_reader(field, as_json)
        reader = (key, attribute, convert, blank, blank_text)
        if varying is not None and not _given(field, varying):
            entry = _read(first, reader)
            readers.append((key, SAME, entry and _pair(key, entry), blank, blank_text))
        else:
            readers.append(reader)

    def changes(instance) -> JSONText | None:
        """The entry's changes as the JSON text `json.dumps` would make of them."""
        parts = []
        for reader in readers:
            if reader[1] is SAME:
                if reader[2] is not None:
                    parts.append(reader[2])
                continue
            entry = _read(instance, reader)
            if entry is not None:
                parts.append(_pair(reader[0], entry))
        return JSONText("{" + ", ".join(parts) + "}") if parts else None

    _log_many(instances, LogEntry.Action.CREATE, changes, actor)


def _pair(key: str, entry: tuple) -> str:
    """`"name": ["before", "after"]` as in `json.dumps` of the entry's changes."""
    before, after = entry
    return f"{key}: [{_json(before)}, {_json(after)}]"


def _json(value: Any) -> str:
    return _quoted(value) if type(value) is str else json.dumps(value)


def _given(field, varying: Collection[str]) -> bool:
    """Whether the field's value may differ from record to record: it was given, or its
    default is a function (which might answer differently each time)."""
    if isinstance(field, Field) and made_anew(field):
        return True
    return field.name in varying or getattr(field, "attname", None) in varying


def _read(instance, reader) -> tuple[str, str] | None:
    """A field's (before, after) texts in a creation entry; None when unchanged."""
    _name, attribute, convert, blank, blank_text = reader
    value = instance if attribute is None else getattr(instance, attribute)
    if convert is not None:
        value = convert(value)
    elif type(value) is not str:
        value = _as_text(value)
    if value == blank:
        return None
    return (blank_text, value if type(value) is str else smart_str(value))


SAME = object()


def _audit_reader(field, as_json: bool) -> tuple[str | None, Callable[[Any], Any] | None]:
    """`auditlog.diff.get_field_value(instance, field)` for one field, split in the
    attribute to read and what becomes of its value (None: text, as for most fields), so
    that the common cases skip the checks of every case on each call. No attribute: the
    function takes the whole instance."""
    from auditlog.diff import get_field_value
    from django.db.models import DateTimeField, JSONField

    if as_json or isinstance(field, DateTimeField):
        return None, lambda instance: get_field_value(instance, field, as_json)
    if isinstance(field, JSONField):
        # What `json.dumps(value, sort_keys=True, cls=field.encoder)` builds on each call.
        encoder = (field.encoder or json.JSONEncoder)(sort_keys=True)

        def read_json(value):
            value = field.to_python(value)
            try:
                return encoder.encode(value)
            except TypeError:
                return value

        return field.name, read_json
    if (
        not settings.AUDITLOG_USE_FK_STRING_REPRESENTATION
        and (field.one_to_one or field.many_to_one)
        and hasattr(field, "rel_class")
    ):
        return field.get_attname(), lambda value: smart_str(value, strings_only=True)
    return field.name, None


def _as_text(value: Any) -> str:
    value = smart_str(value)
    return str(value) if type(value).__name__ == "__proxy__" else value


def log_m2m_added(records: list, field_name: str, added: dict[int, list], *, actor=None):
    """The "added to <field>" entries that `field.set()` on each record would have written
    (bulk inserts of many-to-many rows send no signals); `added` maps a record's id to
    the objects added."""
    records = [record for record in records if added.get(record.pk)]
    # Records given the same list share one entry's changes (encoded once when inserted).
    made: dict[int, dict] = {}

    def changes(record) -> dict:
        items = added[record.pk]
        found = made.get(id(items))
        if found is None:
            objects = [smart_str(item) for item in items]
            found = {field_name: {"type": "m2m", "operation": "add", "objects": objects}}
            made[id(items)] = found
        return found

    _log_many(records, LogEntry.Action.UPDATE, changes, actor)


LOG_COLUMNS = (
    "content_type_id",
    "object_pk",
    "object_id",
    "object_repr",
    "serialized_data",
    "action",
    "changes_text",
    "changes",
    "actor_id",
    "cid",
    "remote_addr",
    "remote_port",
    "timestamp",
    "additional_data",
    "actor_email",
)


def _log_many(records: list, action: int, changes, actor) -> None:
    """One audit entry per record (of one model), in a few inserts, attributed to `actor`
    and to the request's address as auditlog's own entries are."""
    from auditlog.cid import get_cid
    from django.contrib.contenttypes.models import ContentType
    from django.utils import timezone

    from .bulk import insert

    if not records:
        return
    content_type = ContentType.objects.get_for_model(records[0]).pk
    cid, address = get_cid(), current_address()
    actor_id, email = getattr(actor, "pk", None), getattr(actor, "email", None)
    now = timezone.now()
    # The entries as a generator: on PostgreSQL they are made while the database takes
    # in the ones sent before them.
    insert(
        LogEntry,
        LOG_COLUMNS,
        (
            (
                content_type,
                str(record.pk),
                record.pk,
                str(record),
                None,
                action,
                "",
                changes(record),
                actor_id,
                cid,
                address,
                None,
                now,
                None,
                email,
            )
            for record in records
        ),
    )
