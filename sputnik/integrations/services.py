"""Every write of the exchange app: starting exports and recording them in the audit."""

from __future__ import annotations

from django.db import transaction
from django.tasks import task
from django.utils import translation

from sputnik.access.models import SecurityEventKind, User
from sputnik.access.services import security_event_record
from sputnik.core.audit import client_address

from .models import Export


@transaction.atomic
def export_start(*, actor: User, kind: str, params: dict[str, str], request=None) -> Export:
    """Queue an .xlsx export of a list (with its filter and sort) for `actor`."""
    run = Export(
        created_by=actor,
        kind=kind,
        params=params,
        language=translation.get_language() or "ru",
        remote_addr=client_address(request),
    )
    run.full_clean()
    run.save()
    transaction.on_commit(lambda: export_task.enqueue(run.pk))
    return run


def export_audit(run: Export) -> None:
    """Record in the security log who exported what and how many rows (when the file is
    ready: only then has anything left the system)."""
    security_event_record(
        SecurityEventKind.EXPORT,
        user=run.created_by,
        remote_addr=run.remote_addr,
        what=run.kind,
        filters=run.params,
        rows=run.done,
    )


@task()
def export_task(run_id: int) -> None:
    from .excel import write_export

    write_export(run_id)
