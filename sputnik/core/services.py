"""Building blocks every app's services use: versioned updates and run progress."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import models
from django.utils import timezone

from .exceptions import NotVisibleAfterWrite, StaleEdit
from .models import BackgroundRun, BusinessRecord, RunStatus

# Validated by the database's foreign keys alone: the author is the signed-in user (or
# nobody), and checking that they exist cost a query per field on every write.
AUTHOR_FIELDS = ("created_by", "updated_by")


def record_create(model: type[BusinessRecord], *, actor, **values: Any) -> BusinessRecord:
    """Validate and insert a business record authored by `actor`."""
    m2m = {k: values.pop(k) for k in list(values) if _is_m2m(model, k)}
    instance = model(**values, created_by=actor, updated_by=actor)
    instance.full_clean(exclude=AUTHOR_FIELDS)
    instance.save()
    for name, items in m2m.items():
        getattr(instance, name).set(items)
    return instance


def record_update(
    instance: BusinessRecord, *, actor, expected_version: int | None, **changes: Any
) -> BusinessRecord:
    """Apply `changes` if nobody saved the record since `expected_version` was read.

    Locks the row, compares versions, validates, saves and bumps the version, all in the
    caller's transaction. A mismatch raises StaleEdit and writes nothing.
    """
    model = instance._meta.model
    current = model._default_manager.select_for_update().get(pk=instance.pk)
    if expected_version is not None and current.version != expected_version:
        raise StaleEdit(current)
    m2m = {k: changes.pop(k) for k in list(changes) if _is_m2m(model, k)}
    for name, value in changes.items():
        setattr(current, name, value)
    current.version += 1
    if hasattr(current, "updated_by_id"):
        current.updated_by = actor
    current.full_clean(exclude=AUTHOR_FIELDS)
    current.save()
    for name, items in m2m.items():
        getattr(current, name).set(items)
    return current


def ensure_visible(instance: models.Model, user, action: str = "view") -> None:
    """Re-check, inside the write's transaction, that the author still sees the result."""
    model = instance._meta.model
    if not model._default_manager.restrict(user, action).filter(pk=instance.pk).exists():
        raise NotVisibleAfterWrite()


def _is_m2m(model: type[models.Model], name: str) -> bool:
    try:
        return model._meta.get_field(name).many_to_many
    except Exception:  # noqa: BLE001 - unknown names are left to full_clean
        return False


def run_start(run: BackgroundRun, *, total: int | None) -> None:
    """Mark a run as started; safe to call again when a task is retried."""
    run.status, run.total, run.done = RunStatus.RUNNING, total, 0
    run.started_at, run.error = timezone.now(), ""
    run.save(update_fields=["status", "total", "done", "started_at", "error", "updated_at"])


def run_progress(run: BackgroundRun, done: int) -> None:
    type(run).objects.filter(pk=run.pk).update(done=done, updated_at=timezone.now())
    run.done = done


def run_finish(run: BackgroundRun, *, error: str = "", fields: Iterable[str] = ()) -> None:
    """Close a run as done or, with an error, as failed."""
    run.status = RunStatus.FAILED if error else RunStatus.DONE
    run.error, run.finished_at = error, timezone.now()
    run.save(update_fields=["status", "error", "finished_at", "updated_at", "done", *fields])
