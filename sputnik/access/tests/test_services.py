import pytest
from django.core.exceptions import ValidationError

from sputnik.access import services
from sputnik.access.models import (
    BusinessLine,
    LineMembership,
    Notification,
    RoleCode,
    SecurityEvent,
    SecurityEventKind,
    User,
)
from sputnik.core.exceptions import StaleEdit

pytestmark = pytest.mark.django_db


def test_line_update_bumps_version_and_records_author(line_a, admin_user):
    line = services.line_update(actor=admin_user, line=line_a, expected_version=1, name="ПО")
    assert (line.name, line.version, line.updated_by) == ("ПО", 2, admin_user)


def test_stale_line_update_writes_nothing_and_names_the_other_editor(line_a, make_user):
    first = make_user(
        RoleCode.HEAD_OF_SALES, lines={line_a: "manage"}, last_name="Смирнова", first_name="Елена"
    )
    second = make_user(RoleCode.HEAD_OF_SALES, lines={line_a: "manage"})
    services.line_update(actor=first, line=line_a, expected_version=1, name="Первое")
    with pytest.raises(StaleEdit) as error:
        services.line_update(actor=second, line=line_a, expected_version=1, description="Второе")
    assert "Смирнова Е." in error.value.message
    line_a.refresh_from_db()
    assert (line_a.name, line_a.description, line_a.version) == ("Первое", "", 2)


def test_duplicate_line_code_is_refused(line_a):
    with pytest.raises(ValidationError) as error:
        services.line_create(actor=None, name="Другое", code="software")
    assert "code" in error.value.message_dict
    assert BusinessLine.objects.count() == 1


def test_membership_changes_are_permission_events(line_a, admin_user, make_user):
    user = make_user()
    membership = services.membership_set(actor=admin_user, line=line_a, user=user, role="write")
    services.membership_set(actor=admin_user, line=line_a, user=user, role="manage")
    services.membership_remove(actor=admin_user, membership=membership)
    events = SecurityEvent.objects.filter(
        kind=SecurityEventKind.PERMISSION_CHANGE, details__subject=user.username
    )
    roles = [e.details["role"] for e in events.order_by("id") if "line" in e.details]
    assert roles == ["write", "manage", None]
    assert not LineMembership.objects.filter(user=user).exists()


def test_unknown_line_role_is_refused(line_a, admin_user, make_user):
    with pytest.raises(ValidationError):
        services.membership_set(actor=admin_user, line=line_a, user=make_user(), role="owner")


def test_user_create_with_roles_and_lines(line_a, line_b, admin_user):
    user = services.user_create(
        actor=admin_user,
        username="ivanov",
        password="correct-horse-42",
        roles=[RoleCode.SALESPERSON],
        memberships={line_a: "write", line_b: "read"},
        last_name="Иванов",
        first_name="Пётр",
        patronymic="Андреевич",
    )
    assert user.full_name == "Иванов Пётр Андреевич"
    assert user.short_name == "Иванов П. А."
    assert list(user.groups.values_list("name", flat=True)) == ["salesperson"]
    assert dict(user.line_memberships.values_list("line__code", "role")) == {
        "software": "write",
        "consulting": "read",
    }
    assert user.check_password("correct-horse-42")


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"username": "taken"}, "username"),
        ({"roles": ["pope"]}, "roles"),
        ({"password": "123"}, "password"),
    ],
)
def test_bad_user_input_saves_nothing(changes, field, make_user, line_a, admin_user):
    make_user(username="taken")
    before = User.objects.count()
    data = {"username": "newbie", "password": "correct-horse-42", "memberships": {line_a: "write"}}
    data.update(changes)
    with pytest.raises(ValidationError) as error:
        services.user_create(actor=admin_user, **data)
    assert field in error.value.message_dict
    assert User.objects.count() == before
    assert not LineMembership.objects.filter(user__username="newbie").exists()


def test_bad_line_role_undoes_the_whole_registration(line_a, line_b, admin_user):
    """The employee row is written before the memberships; a bad one rolls all back."""
    with pytest.raises(ValidationError) as error:
        services.user_create(
            actor=admin_user,
            username="newbie",
            password="correct-horse-42",
            roles=[RoleCode.SALESPERSON],
            memberships={line_a: "write", line_b: "owner"},
        )
    assert "role" in error.value.message_dict
    assert not User.objects.filter(username="newbie").exists()
    assert not LineMembership.objects.filter(user__username="newbie").exists()


def test_user_update_replaces_memberships_and_roles(line_a, line_b, admin_user, make_user):
    user = make_user(lines={line_a: "write"})
    services.user_update(
        actor=admin_user,
        user=user,
        expected_version=user.version,
        roles=[RoleCode.MARKETER],
        memberships={line_b: "read"},
        position="Маркетолог",
    )
    user.refresh_from_db()
    assert user.position == "Маркетолог"
    assert list(user.groups.values_list("name", flat=True)) == ["marketer"]
    assert dict(user.line_memberships.values_list("line__code", "role")) == {"consulting": "read"}


def test_profile_update_cannot_grant_access(make_user):
    user = make_user()
    with pytest.raises(ValidationError):
        services.profile_update(user=user, expected_version=None, all_lines_role="manage")
    user.refresh_from_db()
    assert user.all_lines_role == ""


def test_department_cannot_be_its_own_ancestor(admin_user):
    top = services.department_create(actor=admin_user, name="Дирекция")
    child = services.department_create(actor=admin_user, name="Продажи", parent=top)
    with pytest.raises(ValidationError):
        services.department_update(
            actor=admin_user, department=top, expected_version=1, parent=child
        )


def test_notifications_are_marked_read_only_for_their_recipient(make_user):
    alice, bob = make_user(), make_user()
    mine = services.notify(recipient=alice, title="Напоминание")
    services.notify(recipient=bob, title="Чужое")
    assert services.notifications_mark_read(user=alice) == 1
    mine.refresh_from_db()
    assert mine.read_at is not None
    assert Notification.objects.get(recipient=bob).read_at is None


@pytest.mark.parametrize(
    ("names", "full", "short"),
    [
        (("Иванов", "Пётр", "Андреевич", "ivanov"), "Иванов Пётр Андреевич", "Иванов П. А."),
        (("Иванов", "Пётр", "", "ivanov"), "Иванов Пётр", "Иванов П."),
        (("Иванов", "", "", "ivanov"), "Иванов", "Иванов"),
        (("", "Пётр", "", "petr"), "Пётр", "Пётр"),
        (("", "", "", "login"), "login", "login"),
    ],
)
def test_an_employees_names_from_a_row_are_the_users(names, full, short):
    """The name functions that rows without a `User` use (the board's cards) give what
    the `User` properties give."""
    from sputnik.access.models import User, employee_full_name, employee_short_name

    last, first, patronymic, username = names
    user = User(last_name=last, first_name=first, patronymic=patronymic, username=username)
    assert employee_full_name(*names) == user.full_name == full
    assert employee_short_name(*names) == user.short_name == short
