"""Attributing audit records to the right person outside the web middleware's reach
(token-authenticated API calls, tasks, management commands)."""

from contextlib import contextmanager

from auditlog.context import set_actor
from django.conf import settings


def client_address(request) -> str | None:
    if request is None:
        return None
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "") if settings.BEHIND_PROXY else ""
    return forwarded.split(",")[0].strip() or request.META.get("REMOTE_ADDR")


@contextmanager
def acting_as(actor, request=None):
    """Audit records written inside the block name `actor` and the request's address."""
    with set_actor(actor, remote_addr=client_address(request)):
        yield
