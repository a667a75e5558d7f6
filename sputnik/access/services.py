"""Every write to people, structure, roles and notifications."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.tasks import task
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from sputnik.core.audit import client_address, current_address
from sputnik.core.roles import LineRole, forget_line_access
from sputnik.core.services import record_create, record_update

from .models import (
    AuditExport,
    BusinessLine,
    Department,
    LineMembership,
    Notification,
    Role,
    RoleCode,
    SecurityEvent,
    SecurityEventKind,
    User,
)

PROFILE_FIELDS = {"first_name", "last_name", "patronymic", "position", "phone", "language", "email"}


def security_event_record(
    kind: str,
    *,
    user: User | None = None,
    username: str = "",
    request=None,
    remote_addr: str | None = None,
    **details: Any,
) -> SecurityEvent:
    """Append a sign-in, permission or export event to the security log (a background
    task passes the address its run was started from)."""
    if remote_addr is None:
        remote_addr = client_address(request) if request is not None else current_address()
    return SecurityEvent.objects.create(
        kind=kind,
        user=user if user is not None and user.pk else None,
        username=username or (user.username if user is not None else ""),
        remote_addr=remote_addr,
        details=details,
    )


def _log_member(
    actor: User | None, line: BusinessLine, user: User, old: str | None, new: str | None
):
    """Show a membership change in the line's own history."""
    from auditlog.models import LogEntry

    def state(role):
        return f"{user.full_name}: {role}" if role else None

    extra = {"actor": actor} if actor is not None else {}
    LogEntry.objects.log_create(
        line, action=LogEntry.Action.UPDATE, changes={"members": [state(old), state(new)]}, **extra
    )


def _permission_change(actor: User, subject: User, **details: Any) -> None:
    security_event_record(
        SecurityEventKind.PERMISSION_CHANGE,
        user=actor,
        subject=subject.username,
        subject_id=subject.pk,
        **details,
    )
    forget_line_access(subject)


# Business lines and memberships ----------------------------------------------------


@transaction.atomic
def line_create(*, actor: User, name: str, code: str, description: str = "") -> BusinessLine:
    """Open a new business line."""
    return record_create(BusinessLine, actor=actor, name=name, code=code, description=description)


@transaction.atomic
def line_update(
    *, actor: User, line: BusinessLine, expected_version: int | None, **changes: Any
) -> BusinessLine:
    """Rename, describe or (de)activate a line; refused if someone saved it meanwhile."""
    return record_update(line, actor=actor, expected_version=expected_version, **changes)


@transaction.atomic
def membership_set(*, actor: User, line: BusinessLine, user: User, role: str) -> LineMembership:
    """Give `user` the `role` on `line`, replacing the role they had there."""
    if role not in LineRole.values:
        raise ValidationError({"role": _("Unknown role “%(role)s”.") % {"role": role}})
    membership, created = LineMembership.objects.get_or_create(
        user=user, line=line, defaults={"role": role, "created_by": actor}
    )
    previous = None if created else membership.role
    if previous != role:
        membership.role = role
        membership.save(update_fields=["role", "updated_at"])
        _permission_change(actor, user, line=line.code, role=role, previous=previous)
        _log_member(actor, line, user, previous, role)
    return membership


@transaction.atomic
def membership_remove(*, actor: User, membership: LineMembership) -> None:
    """Take a user off a business line."""
    user, line, role = membership.user, membership.line, membership.role
    membership.delete()
    _permission_change(actor, user, line=line.code, role=None, previous=role)
    _log_member(actor, line, user, role, None)


def _set_memberships(actor: User, user: User, memberships: Mapping[BusinessLine, str]) -> None:
    for membership in user.line_memberships.select_related("line"):
        if membership.line not in memberships:
            membership_remove(actor=actor, membership=membership)
    for line, role in memberships.items():
        membership_set(actor=actor, line=line, user=user, role=role)


# Employees ---------------------------------------------------------------------------


def _roles(codes: Iterable[str]) -> list[Role]:
    codes = list(dict.fromkeys(codes))
    unknown = [c for c in codes if c not in RoleCode.values]
    if unknown:
        raise ValidationError({"roles": _("Unknown role “%(role)s”.") % {"role": unknown[0]}})
    return list(Role.objects.filter(code__in=codes).select_related("group"))


def _set_roles(actor: User, user: User, codes: Iterable[str]) -> None:
    roles = _roles(codes)
    before = set(user.groups.values_list("name", flat=True))
    after = {r.code for r in roles}
    if before != after:
        user.groups.set([r.group for r in roles])
        _permission_change(actor, user, roles=sorted(after), previous_roles=sorted(before))


@transaction.atomic
def user_create(
    *,
    actor: User,
    username: str,
    password: str,
    roles: Iterable[str] = (),
    memberships: Mapping[BusinessLine, str] | None = None,
    **profile: Any,
) -> User:
    """Register an employee with roles and business-line memberships."""
    user = User(username=username, created_by=actor, updated_by=actor, **profile)
    try:
        validate_password(password, user)
    except ValidationError as error:
        raise ValidationError({"password": error.messages}) from error
    user.set_password(password)
    user.full_clean()
    user.save()
    _set_roles(actor, user, roles)
    _set_memberships(actor, user, memberships or {})
    if user.all_lines_role or user.is_superuser:
        _permission_change(actor, user, all_lines_role=user.all_lines_role)
    return user


@transaction.atomic
def user_update(
    *,
    actor: User,
    user: User,
    expected_version: int | None,
    roles: Iterable[str] | None = None,
    memberships: Mapping[BusinessLine, str] | None = None,
    password: str | None = None,
    **changes: Any,
) -> User:
    """Change an employee's profile, roles, memberships or password."""
    previous_scope = (user.all_lines_role, user.is_active, user.is_superuser)
    if password:
        try:
            validate_password(password, user)
        except ValidationError as error:
            raise ValidationError({"password": error.messages}) from error
    updated = record_update(user, actor=actor, expected_version=expected_version, **changes)
    if password:
        updated.set_password(password)
        updated.save(update_fields=["password"])
    if roles is not None:
        _set_roles(actor, updated, roles)
    if memberships is not None:
        _set_memberships(actor, updated, memberships)
    scope = (updated.all_lines_role, updated.is_active, updated.is_superuser)
    if scope != previous_scope:
        _permission_change(
            actor, updated, all_lines_role=scope[0], is_active=scope[1], is_superuser=scope[2]
        )
    return updated


@transaction.atomic
def profile_update(*, user: User, expected_version: int | None, **changes: Any) -> User:
    """An employee edits their own profile (name, position, phone, language, e-mail)."""
    forbidden = set(changes) - PROFILE_FIELDS
    if forbidden:
        raise ValidationError(_("These fields cannot be changed here: %s") % ", ".join(forbidden))
    return record_update(user, actor=user, expected_version=expected_version, **changes)


@transaction.atomic
def user_unlock(*, actor: User, user: User, request=None) -> int:
    """Lift the lockout after repeated failed sign-ins; returns the attempts cleared."""
    from axes.utils import reset

    cleared = reset(username=user.username)
    security_event_record(
        SecurityEventKind.UNLOCKED, user=actor, request=request, subject=user.username
    )
    return cleared


@transaction.atomic
def user_reset_second_factor(*, actor: User, user: User, request=None) -> None:
    """Remove a lost authenticator; the employee sets up a new one at the next sign-in."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    TOTPDevice.objects.filter(user=user).delete()
    security_event_record(
        SecurityEventKind.SECOND_FACTOR_RESET, user=actor, request=request, subject=user.username
    )


# Departments and roles --------------------------------------------------------------


@transaction.atomic
def department_create(*, actor: User, name: str, parent=None, head=None) -> Department:
    """Add a department to the structure."""
    department = Department(name=name, parent=parent, head=head, created_by=actor, updated_by=actor)
    department.full_clean()
    department.save()
    return department


@transaction.atomic
def department_update(
    *, actor: User, department: Department, expected_version: int | None, **changes: Any
) -> Department:
    """Rename or move a department; it cannot become its own ancestor."""
    parent = changes.get("parent")
    if parent is not None and (parent == department or department in parent.ancestors()):
        raise ValidationError({"parent": _("A department cannot be placed inside itself.")})
    return record_update(department, actor=actor, expected_version=expected_version, **changes)


@transaction.atomic
def role_update(*, actor: User, role: Role, require_otp: bool) -> Role:
    """Require (or stop requiring) a second factor from the holders of a role."""
    if role.require_otp != require_otp:
        role.require_otp = require_otp
        role.save(update_fields=["require_otp"])
        security_event_record(
            SecurityEventKind.PERMISSION_CHANGE, user=actor, role=role.code, require_otp=require_otp
        )
    return role


@transaction.atomic
def api_token_issue(*, user: User, request=None) -> str:
    """A new personal API token for the user; the previous one stops working."""
    from rest_framework.authtoken.models import Token

    Token.objects.filter(user=user).delete()
    security_event_record(
        SecurityEventKind.PERMISSION_CHANGE,
        user=user,
        request=request,
        what="api_token",
        issued=True,
    )
    return Token.objects.create(user=user).key


@transaction.atomic
def api_token_revoke(*, user: User, request=None) -> None:
    """Revoke the user's personal API token."""
    from rest_framework.authtoken.models import Token

    if Token.objects.filter(user=user).delete()[0]:
        security_event_record(
            SecurityEventKind.PERMISSION_CHANGE,
            user=user,
            request=request,
            what="api_token",
            issued=False,
        )


# Notifications ----------------------------------------------------------------------


def notify(*, recipient: User, title: str, body: str = "", url: str = "") -> Notification:
    """Send an in-app notification to one employee."""
    return Notification.objects.create(recipient=recipient, title=title, body=body, url=url)


def notifications_mark_read(*, user: User, ids: Iterable[int] | None = None) -> int:
    """Mark the user's notifications (all, or those with `ids`) as read."""
    unread = Notification.objects.restrict(user).filter(read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=list(ids))
    return unread.update(read_at=timezone.now())


# Audit export -----------------------------------------------------------------------


@transaction.atomic
def audit_export_start(*, actor: User, filters: dict[str, str], request=None) -> AuditExport:
    """Queue a CSV export of the audit records matching `filters`."""
    run = AuditExport.objects.create(
        created_by=actor, filters=filters, language=translation.get_language() or "ru"
    )
    security_event_record(
        SecurityEventKind.EXPORT, user=actor, request=request, what="audit", filters=filters
    )
    transaction.on_commit(lambda: audit_export_task.enqueue(run.pk))
    return run


@task()
def audit_export_task(run_id: int) -> None:
    from .audit import audit_export_write

    audit_export_write(run_id)
