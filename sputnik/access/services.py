"""Every write to people, structure, roles and notifications."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from typing import Any

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.tasks import task
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sputnik.core.audit import client_address, current_address
from sputnik.core.roles import LineRole, forget_line_access, line_access
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
    Substitution,
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


# Substitutions ----------------------------------------------------------------------


@transaction.atomic
def substitution_create(
    *,
    actor: User,
    absent: User,
    deputy: User,
    starts_on: datetime.date,
    ends_on: datetime.date,
    note: str = "",
) -> Substitution:
    """Let `deputy` stand in for `absent` from `starts_on` to `ends_on` inclusive: during
    it the deputy holds the absent employee's line roles and receives their reminders.
    Refused for oneself, for a period that ends before it starts or is already over,
    when the absent employee has a deputy for part of it already, and when the actor
    does not manage every business line the absent employee works on (a deputy would
    otherwise see what the actor cannot grant)."""
    if not actor.has_perm("access.add_substitution"):
        raise PermissionDenied(_("Only heads of sales and administrators arrange substitutions."))
    # One arrangement at a time per absent employee, so that two cannot overlap.
    User.objects.select_for_update().filter(pk=absent.pk).first()
    _check_substitution(actor, absent, deputy, starts_on, ends_on)
    substitution = record_create(
        Substitution,
        actor=actor,
        absent=absent,
        deputy=deputy,
        starts_on=starts_on,
        ends_on=ends_on,
        note=note,
    )
    forget_line_access(deputy)
    _notify_deputy(
        substitution,
        gettext_lazy("You stand in for %(employee)s from %(starts)s to %(ends)s"),
    )
    return substitution


def _check_substitution(actor, absent, deputy, starts_on, ends_on) -> None:
    errors: dict[str, str] = {}
    if deputy.pk == absent.pk:
        errors["deputy"] = _("An employee cannot stand in for themselves.")
    elif not deputy.is_active:
        errors["deputy"] = _("Choose an active employee as the deputy.")
    if ends_on < starts_on:
        errors["ends_on"] = _("The last day cannot be before the first.")
    elif ends_on < timezone.localdate():
        errors["ends_on"] = _("This period is already over.")
    if errors:
        raise ValidationError(errors)
    overlapping = Substitution.objects.filter(
        absent=absent, starts_on__lte=ends_on, ends_on__gte=starts_on
    ).select_related("deputy")
    if clash := overlapping.first():
        raise ValidationError(
            _("%(employee)s already has a deputy for part of this period: %(deputy)s, %(period)s.")
            % {
                "employee": absent.short_name,
                "deputy": clash.deputy.short_name,
                "period": _period(clash),
            }
        )
    memberships = LineMembership.objects.filter(user=absent).select_related("line")
    managed = line_access(actor).line_ids(LineRole.MANAGE)
    if managed is not None and (lines := [m.line for m in memberships if m.line_id not in managed]):
        raise ValidationError(
            {
                "absent": _("You do not manage the business lines of %(employee)s: %(lines)s.")
                % {"employee": absent.short_name, "lines": ", ".join(map(str, lines))}
            }
        )


@transaction.atomic
def substitution_end(*, actor: User, substitution: Substitution) -> Substitution | None:
    """End a substitution now: one that began before today ends yesterday, one that
    begins today or later is removed (None is returned then)."""
    current = (
        Substitution.objects.restrict(actor, "change")
        .select_for_update()
        .filter(pk=substitution.pk)
        .first()
    )
    if current is None:
        raise PermissionDenied(_("You may not change this substitution."))
    today = timezone.localdate()
    if current.ends_on < today:
        raise ValidationError(_("This substitution is already over."))
    if current.starts_on >= today:
        current.delete()
        forget_line_access(current.deputy)
        _notify_deputy(current, gettext_lazy("Your substitution for %(employee)s is cancelled"))
        return None
    current.ends_on = today - datetime.timedelta(days=1)
    current.updated_by = actor
    current.full_clean()
    current.save()
    forget_line_access(current.deputy)
    _notify_deputy(current, gettext_lazy("Your substitution for %(employee)s has ended"))
    return current


def _period(substitution: Substitution) -> str:
    starts, ends = (
        formats.date_format(day, "SHORT_DATE_FORMAT")
        for day in (substitution.starts_on, substitution.ends_on)
    )
    return f"{starts} – {ends}"


def _notify_deputy(substitution: Substitution, title) -> None:
    """Tell the deputy, in their language (the link leads to their substitutions)."""
    deputy = substitution.deputy
    with translation.override(deputy.language or settings.LANGUAGE_CODE):
        notify(
            recipient=deputy,
            title=str(title)
            % {
                "employee": substitution.absent.short_name,
                "starts": formats.date_format(substitution.starts_on, "SHORT_DATE_FORMAT"),
                "ends": formats.date_format(substitution.ends_on, "SHORT_DATE_FORMAT"),
            },
            body=substitution.note,
            url=reverse("sales:substitution_list"),
        )
