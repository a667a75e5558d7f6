"""The audit trail as the security officer reads it: change records of django-auditlog,
and the history of one record for its card."""

from __future__ import annotations

import csv
import io
import re
import tempfile
from collections import defaultdict
from collections.abc import Iterable
from itertools import batched

from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist
from django.core.files import File
from django.db import models
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sputnik.core.audit import ACTIONS, FIELD_ROWS, NOT_AUDITED
from sputnik.core.merge import merged_into
from sputnik.core.roles import LineRole
from sputnik.core.services import run_finish, run_progress, run_start

from .filters import LogEntryFilter
from .models import AuditExport, RoleCode

CHUNK = 500


def audit_entries(user, params) -> QuerySet[LogEntry]:
    """Audit records visible to `user` (nothing without the audit permission)."""
    if not user.has_perm("access.view_audit"):
        return LogEntry.objects.none()
    entries = LogEntry.objects.select_related("actor", "content_type").order_by("-timestamp", "-id")
    return LogEntryFilter(params, queryset=entries).qs


def history_of(instance: models.Model) -> QuerySet[LogEntry]:
    """Every recorded change of one record — and of the records merged into it — newest
    first."""
    model = type(instance)
    ids = [instance.pk, *merged_into(model, instance.pk)]
    return (
        LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(model),
            object_pk__in=[str(pk) for pk in ids],
        )
        .select_related("actor", "content_type")
        .order_by("-timestamp", "-id")
    )


ROLE_SUFFIX = re.compile(r"^(?P<who>.*): (?P<role>read|write|manage)$")


def action_label(entry: LogEntry) -> str:
    return str(ACTIONS.get(entry.action, entry.get_action_display()))


def describe(entries: Iterable[LogEntry]) -> list[LogEntry]:
    """Give each entry `rows` of (field label, old, new) in the reader's words.

    Foreign keys of the whole page are resolved in one query per related model.
    """
    entries = list(entries)
    wanted: dict[type[models.Model], set[str]] = defaultdict(set)
    for entry in entries:
        for field, values in _fields(entry):
            if field.many_to_one and isinstance(values, list):
                wanted[field.related_model].update(str(v) for v in values if v not in _EMPTY)
    names = {
        model: {str(pk): str(obj) for pk, obj in model._default_manager.in_bulk(list(pks)).items()}
        for model, pks in wanted.items()
    }
    expanders = {key: make_rows() for key, make_rows in FIELD_ROWS.items()}
    for entry in entries:
        entry.action_label = action_label(entry)
        entry.rows = [
            row
            for field, values in _fields(entry)
            for row in _rows(field, values, names, expanders)
        ]
        if merged := (entry.additional_data or {}).get("merged"):
            entry.action_label = _("Merged")
            entry.rows.insert(0, (_("Merged with"), "", f"{merged['name']} (#{merged['id']})"))
    return entries


_EMPTY = (None, "None", "")


def _fields(entry: LogEntry):
    model = entry.content_type.model_class() if entry.content_type_id else None
    for name, values in (entry.changes_dict or {}).items():
        try:
            field = model._meta.get_field(name) if model else None
        except FieldDoesNotExist:
            continue
        if field is None or name in NOT_AUDITED or (field.auto_created and not field.concrete):
            continue
        yield field, values


def _rows(field, values, names, expanders) -> list[tuple[str, str, str]]:
    expand = expanders.get((field.model, field.name))
    if expand is not None and isinstance(values, list):
        old, new = (list(values) + [None, None])[:2]
        return expand(old, new)
    return [_row(field, values, names)]


def _row(field, values, names) -> tuple[str, str, str]:
    label = str(field.verbose_name)
    if isinstance(values, dict):  # many-to-many: objects added or removed
        sign = "+" if values.get("operation") == "add" else "−"
        objects = ", ".join(_show(field, v, names) for v in values.get("objects", []))
        return label, "", f"{sign} {objects}"
    old, new = (list(values) + [None, None])[:2]
    return label, _show(field, old, names), _show(field, new, names)


def _show(field, value, names) -> str:
    if value in _EMPTY:
        return ""
    value = str(value)
    if field.name == "groups":
        return str(dict(RoleCode.choices).get(value, value))
    if field.name == "members" and (match := ROLE_SUFFIX.match(value)):
        return f"{match['who']}: {LineRole(match['role']).label}"
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(field, models.BooleanField):
        return str(_("yes") if value == "True" else _("no"))
    if field.many_to_one:
        return names.get(field.related_model, {}).get(value, f"#{value}")
    return value


HEADER = [
    gettext_lazy("When"),
    gettext_lazy("Who"),
    gettext_lazy("Address"),
    gettext_lazy("Action"),
    gettext_lazy("Record type"),
    gettext_lazy("Record id"),
    gettext_lazy("Record"),
    gettext_lazy("Changes"),
]


def audit_export_write(run_id: int) -> None:
    """Write the run's audit records to a CSV file; re-running starts it over."""
    run = AuditExport.objects.select_related("created_by").get(pk=run_id)
    if run.is_finished:
        return
    try:
        with translation.override(run.language), tempfile.TemporaryFile() as raw:
            _write_csv(run, raw)
            raw.seek(0)
            run.file.save(f"audit-{run.pk}.csv", File(raw), save=False)
    except Exception as error:  # noqa: BLE001 - the run row tells the user what broke
        run_finish(run, error=str(error))
        raise
    run_finish(run, fields=["file"])


def _write_csv(run: AuditExport, raw) -> None:
    """Stream rows to `raw` in chunks, reporting progress on the run row."""
    entries = audit_entries(run.created_by, run.filters)
    run_start(run, total=entries.count())
    text = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="", write_through=True)
    # Spreadsheets in the Russian locale expect semicolons between columns.
    writer = csv.writer(text, delimiter=";" if run.language == "ru" else ",")
    writer.writerow(HEADER)
    done = 0
    for chunk in batched(entries.iterator(chunk_size=CHUNK), CHUNK):
        for entry in describe(chunk):
            writer.writerow(_csv_row(entry))
        done += len(chunk)
        run_progress(run, done)
    run.done = done
    text.detach()


def _csv_row(entry: LogEntry) -> list[str]:
    changes = "; ".join(
        f"{label}: {old or '—'} → {new or '—'}" if old else f"{label}: {new or '—'}"
        for label, old, new in entry.rows
    )
    return [
        timezone.localtime(entry.timestamp).strftime("%d.%m.%Y %H:%M:%S"),
        entry.actor.full_name if entry.actor_id else _("system"),
        entry.remote_addr or "",
        entry.action_label,
        str(entry.content_type.model_class()._meta.verbose_name)
        if entry.content_type.model_class()
        else entry.content_type.model,
        entry.object_pk,
        entry.object_repr,
        changes,
    ]


DETAIL_LABELS = {
    "rows": gettext_lazy("Rows"),
    "subject": gettext_lazy("Employee"),
    "line": gettext_lazy("Business line"),
    "role": gettext_lazy("Role"),
    "previous": gettext_lazy("Before"),
    "roles": gettext_lazy("Roles"),
    "previous_roles": gettext_lazy("Roles before"),
    "all_lines_role": gettext_lazy("Role on all business lines"),
    "is_active": gettext_lazy("Active"),
    "is_superuser": gettext_lazy("Full rights"),
    "require_otp": gettext_lazy("Second factor required"),
    "what": gettext_lazy("What"),
    "issued": gettext_lazy("Issued"),
    "filters": gettext_lazy("Filters"),
    "file": gettext_lazy("File"),
    "written": gettext_lazy("Written"),
    "rejected": gettext_lazy("Rejected"),
    "policy": gettext_lazy("When already in the base"),
}
EXPORTED = {
    "audit": gettext_lazy("audit trail"),
    "api_token": gettext_lazy("API token"),
    "organizations": gettext_lazy("list of organisations"),
    "persons": gettext_lazy("list of persons"),
}


# Values of a detail shown by name: apps whose events carry coded values add theirs
# (detail key -> {value: label}).
VALUE_LABELS: dict[str, dict] = {}


def describe_events(events: Iterable) -> list:
    """Give each security event `rows` of (label, value), naming people and lines.

    Employees and lines mentioned on the page are looked up in one query each.
    """
    from .models import BusinessLine, User

    events = list(events)
    subject_ids = {e.details.get("subject_id") for e in events} - {None}
    codes = {e.details.get("line") for e in events} - {None}
    names = {
        "subject": {u.username: u.full_name for u in User.objects.filter(pk__in=subject_ids)},
        "line": dict(BusinessLine.objects.filter(code__in=codes).values_list("code", "name")),
    }
    for event in events:
        event.rows = [
            (str(DETAIL_LABELS.get(key, key)), _detail(key, value, names))
            for key, value in event.details.items()
            if not key.endswith("_id")
        ]
    return events


ROLE_KEYS = {"role", "previous", "all_lines_role"}


def _detail(key: str, value, names) -> str:
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    if isinstance(value, list):
        return ", ".join(_detail(key, item, names) for item in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}: {v}" for k, v in value.items())
    if key in names:
        return names[key].get(value, value)
    if key in ROLE_KEYS:
        return str(dict(LineRole.choices).get(value) or dict(RoleCode.choices).get(value, value))
    if key in {"roles", "previous_roles"}:
        return str(dict(RoleCode.choices).get(value, value))
    if key in VALUE_LABELS:
        return str(VALUE_LABELS[key].get(value, value))
    return str(EXPORTED.get(value, value))
