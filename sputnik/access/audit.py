"""The audit trail as the security officer reads it: change records of django-auditlog,
and the history of one record for its card."""

from __future__ import annotations

import csv
import io
import tempfile

from auditlog.models import LogEntry
from django.core.files import File
from django.db import models
from django.db.models import QuerySet
from django.utils import timezone

from sputnik.core.services import run_finish, run_progress, run_start

from .filters import LogEntryFilter
from .models import AuditExport

CHUNK = 500


def audit_entries(user, params) -> QuerySet[LogEntry]:
    """Audit records visible to `user` (nothing without the audit permission)."""
    if not user.has_perm("access.view_audit"):
        return LogEntry.objects.none()
    entries = LogEntry.objects.select_related("actor", "content_type").order_by("-timestamp", "-id")
    return LogEntryFilter(params, queryset=entries).qs


def history_of(instance: models.Model) -> QuerySet[LogEntry]:
    """Every recorded change of one record, newest first."""
    return (
        LogEntry.objects.get_for_object(instance)
        .select_related("actor")
        .order_by("-timestamp", "-id")
    )


def change_rows(entry: LogEntry) -> list[tuple[str, str, str]]:
    """(field, old, new) of an entry, with field names as the model labels them."""
    model = entry.content_type.model_class() if entry.content_type_id else None
    rows = []
    for field, values in (entry.changes_dict or {}).items():
        label = field
        if model is not None:
            try:
                label = str(model._meta.get_field(field).verbose_name)
            except Exception:  # noqa: BLE001 - a field removed since the change was logged
                label = field
        old, new = (values + [None, None])[:2] if isinstance(values, list) else (None, values)
        rows.append(
            (label, "" if old in (None, "None") else old, "" if new in (None, "None") else new)
        )
    return rows


HEADER = [
    "timestamp",
    "actor",
    "remote_addr",
    "action",
    "record_type",
    "record_id",
    "record",
    "changes",
]


def audit_export_write(run_id: int) -> None:
    """Write the run's audit records to a CSV file; re-running starts it over."""
    run = AuditExport.objects.select_related("created_by").get(pk=run_id)
    if run.is_finished:
        return
    try:
        with tempfile.TemporaryFile() as raw:
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
    writer = csv.writer(text)
    writer.writerow(HEADER)
    done = 0
    for entry in entries.iterator(chunk_size=CHUNK):
        writer.writerow(
            [
                timezone.localtime(entry.timestamp).isoformat(timespec="seconds"),
                entry.actor.username if entry.actor_id else "",
                entry.remote_addr or "",
                entry.get_action_display(),
                f"{entry.content_type.app_label}.{entry.content_type.model}",
                entry.object_pk,
                entry.object_repr,
                entry.changes_str,
            ]
        )
        done += 1
        if done % CHUNK == 0:
            run_progress(run, done)
    run.done = done
    text.detach()
