"""What a user may do, read once per change instead of on every request.

Every request needs the user's model permissions (two queries), line roles (one) and
whether they owe a second factor (two): a fifth of a small page's time, more on
PostgreSQL. They are kept together in the process's cache under a key made of the
user's `access_stamp` and today's date (substitutions begin and end by date), plus the
user's own fields that decide access. Each change to what a user may do renews their
stamp (the signal handlers below), so the next request of that user, in any process,
misses the cache and reads the database again; the cache only ever answers for a stamp
the database still holds. Writes that bypass signals (`bulk_create`, `update()`) on the
models below must call `renew()` for the users they touch.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission
from django.core.cache import cache
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save
from django.utils import timezone
from django_otp import device_classes, user_has_device

from sputnik.core.roles import RANK

from .models import LineMembership, Role, Substitution, User, new_access_stamp

TIMEOUT = 300  # seconds; a bound on memory, not on correctness


@dataclass(frozen=True)
class Snapshot:
    permissions: frozenset[str]  # "app_label.codename", from the user and their roles
    line_roles: dict[int, str]  # line id → the best role held, own or by substitution
    standing_in_for: tuple[int, ...]  # ids of the employees the user stands in for today
    has_device: bool  # a confirmed authenticator
    role_requires_otp: bool


def snapshot(user) -> Snapshot:
    """The user's access, from this request's user object, the cache or the database."""
    cached = getattr(user, "_access_snapshot", None)
    if cached is None:
        today = timezone.localdate()
        key = _key(user, today)
        cached = cache.get(key)
        if cached is None:
            cached = _read(user, today)
            cache.set(key, cached, TIMEOUT)
        user._access_snapshot = cached
    return cached


def forget(user) -> None:
    """Drop what this user object holds after its access changed in this process: the
    next question reads the stamp the change left in the database."""
    for name in ("_access_snapshot", "_perm_cache", "_user_perm_cache", "_group_perm_cache"):
        user.__dict__.pop(name, None)
    if user.pk is not None:
        stamp = User.objects.filter(pk=user.pk).values_list("access_stamp", flat=True).first()
        user.access_stamp = stamp or user.access_stamp


def renew(user_ids) -> None:
    """Give these users a new stamp: their cached access is not used again."""
    ids = {pk for pk in user_ids if pk is not None}
    if ids:
        # One stamp for all of them: the key holds the user's id as well.
        User.objects.filter(pk__in=ids).update(access_stamp=new_access_stamp())


def _key(user, today) -> str:
    return f"access:{user.pk}:{user.access_key}:{today}"


def _read(user, today) -> Snapshot:
    from .otp import role_requires_otp

    permissions = frozenset(ModelBackend().get_all_permissions(user))
    standing_in = Substitution.objects.active(on=today).filter(deputy=user)
    absent = tuple(standing_in.values_list("absent", flat=True))
    held = LineMembership.objects.filter(user__in=[user.pk, *absent])
    roles: dict[int, str] = {}
    for line_id, role in held.order_by().values_list("line_id", "role"):
        if line_id not in roles or RANK[role] > RANK[roles[line_id]]:
            roles[line_id] = role
    return Snapshot(
        permissions=permissions,
        line_roles=roles,
        standing_in_for=absent,
        has_device=user_has_device(user, confirmed=True),
        role_requires_otp=role_requires_otp(user),
    )


class AccessBackend(ModelBackend):
    """Django's model backend answering permission questions from the snapshot."""

    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_perm_cache"):
            user_obj._perm_cache = set(snapshot(user_obj).permissions)
        return user_obj._perm_cache


# What renews a stamp ----------------------------------------------------------------


def _group_members(group_ids) -> list[int]:
    return list(User.objects.filter(groups__in=group_ids).values_list("pk", flat=True))


def _deputies_of(user_id) -> list[int]:
    """Who stands in for this employee today or later: they hold the employee's roles
    and see the employee's overdue contacts."""
    current = Substitution.objects.filter(absent=user_id, ends_on__gte=timezone.localdate())
    return list(current.values_list("deputy", flat=True))


def _owners(sender, record) -> list[int]:
    """Whose access a row of `sender` decides."""
    if sender is LineMembership:  # the member, and whoever stands in for them
        return [record.user_id, *_deputies_of(record.user_id)]
    if sender is Substitution:
        return [record.deputy_id]
    if sender is Role:
        return _group_members([record.group_id])
    return [record.user_id]  # an authenticator


def _before_save(sender, instance, **kwargs):
    """Note whose access the row decided before the save: a substitution given to another
    deputy (or a membership to another user) takes the roles from the first one. Renewed
    after the write, so no request can cache the old row under a new stamp."""
    before = sender._default_manager.filter(pk=instance.pk).first() if instance.pk else None
    instance._access_owners_before = _owners(sender, before) if before else []


def _written(sender, instance, **kwargs):
    renew([*getattr(instance, "_access_owners_before", ()), *_owners(sender, instance)])


def _user_groups_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if action not in ("post_add", "post_remove", "pre_clear"):
        return
    if not reverse:  # user.groups changed
        renew([instance.pk])
    elif action == "pre_clear":  # group.user_set cleared
        renew(_group_members([instance.pk]))
    else:
        renew(pk_set)


def _user_permissions_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if action not in ("post_add", "post_remove", "pre_clear"):
        return
    if not reverse:
        renew([instance.pk])
    else:  # permission.user_set changed
        renew(pk_set or instance.user_set.values_list("pk", flat=True))


def _group_permissions_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if action not in ("post_add", "post_remove", "pre_clear"):
        return
    if not reverse:  # group.permissions changed
        renew(_group_members([instance.pk]))
    else:  # permission.group_set changed
        groups = pk_set or instance.group_set.values_list("pk", flat=True)
        renew(_group_members(list(groups)))


def _group_deleted(sender, instance, **kwargs):
    renew(_group_members([instance.pk]))


def _permission_deleted(sender, instance, **kwargs):
    groups = list(instance.group_set.values_list("pk", flat=True))
    renew([*instance.user_set.values_list("pk", flat=True), *_group_members(groups)])


def connect() -> None:
    """Called once from the app's ready()."""
    for model in (LineMembership, Substitution, Role, *device_classes()):
        pre_save.connect(_before_save, sender=model)
        post_save.connect(_written, sender=model)
        post_delete.connect(_written, sender=model)
    m2m_changed.connect(_user_groups_changed, sender=User.groups.through)
    m2m_changed.connect(_user_permissions_changed, sender=User.user_permissions.through)
    m2m_changed.connect(_group_permissions_changed, sender=Group.permissions.through)
    pre_delete.connect(_group_deleted, sender=Group)
    pre_delete.connect(_permission_deleted, sender=Permission)
