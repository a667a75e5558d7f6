"""Access read once per change: a request of an unchanged user asks the database nothing
about permissions, line roles or the second factor, and every change to them is seen by
the user's next request."""

import datetime

import pytest
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from sputnik.access.models import LineMembership, Role, RoleCode, User
from sputnik.access.otp import needs_second_factor
from sputnik.access.services import membership_set, substitution_create, substitution_end
from sputnik.core.roles import line_access

pytestmark = pytest.mark.django_db

ACCESS_TABLES = ("auth_permission", "access_linemembership", "otp_totp", "access_role")


def request_user(user) -> User:
    """The user as the next request loads it (unverified, as OTPMiddleware leaves a
    session that entered no code)."""
    fresh = User.objects.get(pk=user.pk)
    fresh.is_verified = lambda: False
    return fresh


def can(user, perm="directory.view_organization") -> bool:
    return request_user(user).has_perm(perm)


def roles(user) -> dict[int, str]:
    return dict(line_access(request_user(user)).roles)


def access_queries(user) -> list[str]:
    fresh = request_user(user)
    with CaptureQueriesContext(connection) as queries:
        fresh.has_perm("directory.view_organization")
        line_access(fresh)
        needs_second_factor(fresh)
    return [q["sql"] for q in queries if any(t in q["sql"] for t in ACCESS_TABLES)]


def test_an_unchanged_user_is_read_once(make_user, line_a):
    seller = make_user(lines={line_a: "write"})
    assert access_queries(seller)  # the first request reads the database
    assert access_queries(seller) == []  # the next ones do not
    assert can(seller) and roles(seller) == {line_a.pk: "write"}
    assert needs_second_factor(request_user(seller)) is None


def test_line_roles_changed_by_the_services(make_user, admin_user, line_a, line_b):
    seller = make_user(lines={line_a: "read"})
    assert roles(seller) == {line_a.pk: "read"}
    membership_set(actor=admin_user, line=line_a, user=seller, role="write")
    membership_set(actor=admin_user, line=line_b, user=seller, role="read")
    assert roles(seller) == {line_a.pk: "write", line_b.pk: "read"}
    LineMembership.objects.get(user=seller, line=line_b).delete()
    assert roles(seller) == {line_a.pk: "write"}


def test_the_same_object_sees_a_change_made_through_a_service(make_user, admin_user, line_a):
    seller = make_user(lines={})
    assert line_access(seller).roles == {}
    membership_set(actor=admin_user, line=line_a, user=seller, role="read")
    assert line_access(seller).roles == {line_a.pk: "read"}


def test_a_substitution_lends_the_roles_while_it_lasts(make_user, line_a, line_b):
    head = make_user(RoleCode.HEAD_OF_SALES, all_lines_role="manage")
    absent = make_user(lines={line_a: "write"})
    deputy = make_user(lines={line_b: "read"})
    assert roles(deputy) == {line_b.pk: "read"}
    today = timezone.localdate()
    substitution = substitution_create(
        actor=head, absent=absent, deputy=deputy, starts_on=today, ends_on=today
    )
    assert roles(deputy) == {line_b.pk: "read", line_a.pk: "write"}
    # The absent employee's roles change: the deputy's follow.
    LineMembership.objects.filter(user=absent).get().delete()
    assert roles(deputy) == {line_b.pk: "read"}
    LineMembership.objects.create(user=absent, line=line_a, role="manage")
    assert roles(deputy) == {line_b.pk: "read", line_a.pk: "manage"}
    # Another deputy takes over: the first one loses the roles.
    other = make_user(lines={})
    assert roles(other) == {}
    substitution.deputy = other
    substitution.save()
    assert roles(deputy) == {line_b.pk: "read"}
    assert roles(other) == {line_a.pk: "manage"}
    assert substitution_end(actor=head, substitution=substitution) is None  # began today
    assert roles(other) == {}


def test_a_substitution_starting_tomorrow_counts_from_tomorrow(make_user, line_a, monkeypatch):
    head = make_user(RoleCode.HEAD_OF_SALES, all_lines_role="manage")
    absent = make_user(lines={line_a: "write"})
    deputy = make_user(lines={})
    today = timezone.localdate()
    tomorrow = today + datetime.timedelta(days=1)
    substitution_create(
        actor=head, absent=absent, deputy=deputy, starts_on=tomorrow, ends_on=tomorrow
    )
    assert roles(deputy) == {}
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: tomorrow)
    assert roles(deputy) == {line_a.pk: "write"}


def test_roles_and_their_permissions(make_user, line_a):
    seller = make_user(role=None, lines={line_a: "write"})
    assert not can(seller)
    salesperson = Group.objects.get(role__code=RoleCode.SALESPERSON)
    seller.groups.add(salesperson)
    assert can(seller)
    permission = Permission.objects.get(
        content_type__app_label="directory", codename="view_organization"
    )
    salesperson.permissions.remove(permission)
    assert not can(seller)
    permission.group_set.add(salesperson)
    assert can(seller)
    salesperson.user_set.clear()
    assert not can(seller)
    seller.user_permissions.add(permission)
    assert can(seller)
    permission.user_set.clear()
    assert not can(seller)
    salesperson.user_set.add(seller)
    assert can(seller)
    salesperson.delete()
    assert not can(seller)


def test_the_users_own_fields_count_at_once(make_user, line_a):
    seller = make_user(lines={line_a: "read"})
    assert can(seller) and roles(seller) == {line_a.pk: "read"}
    User.objects.filter(pk=seller.pk).update(all_lines_role="write")
    assert line_access(request_user(seller)).line_ids("write") is None
    User.objects.filter(pk=seller.pk).update(is_active=False)
    assert not can(seller)


def test_the_second_factor(make_user):
    seller = make_user()
    assert needs_second_factor(request_user(seller)) is None
    role = Role.objects.get(code=RoleCode.SALESPERSON)
    role.require_otp = True
    role.save()
    assert needs_second_factor(request_user(seller)) == "access:otp_setup"
    device = TOTPDevice.objects.create(user=seller, name="phone", confirmed=False)
    assert needs_second_factor(request_user(seller)) == "access:otp_setup"
    device.confirmed = True
    device.save()
    assert needs_second_factor(request_user(seller)) == "access:otp_verify"
    device.delete()
    assert needs_second_factor(request_user(seller)) == "access:otp_setup"


def test_a_request_refused_after_the_role_is_taken(make_user, admin_user, line_a, client):
    from sputnik.directory.tests.factories import OrganizationFactory

    seller = make_user(lines={line_a: "read"})
    organization = OrganizationFactory(business_lines=[line_a])
    client.force_login(seller)
    assert client.get(organization.get_absolute_url()).status_code == 200
    LineMembership.objects.get(user=seller).delete()
    assert client.get(organization.get_absolute_url()).status_code == 404


def test_saving_a_user_loaded_before_a_change_keeps_the_new_stamp(make_user, admin_user, line_a):
    seller = make_user(lines={})
    loaded = request_user(seller)  # e.g. a password change, hashing for a second
    membership_set(actor=admin_user, line=line_a, user=seller, role="write")
    renewed = request_user(seller).access_stamp
    assert renewed != loaded.access_stamp
    loaded.set_password("another-horse-42")
    loaded.save()
    assert request_user(seller).access_stamp == renewed
    assert roles(seller) == {line_a.pk: "write"}
