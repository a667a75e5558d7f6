"""Administrators lift lockouts and reset lost authenticators; edge cases of access."""

import pytest
from auditlog.models import LogEntry
from axes.models import AccessAttempt
from django.conf import settings
from django_otp.plugins.otp_totp.models import TOTPDevice

from sputnik.access import services
from sputnik.access.models import RoleCode, SecurityEvent, SecurityEventKind, User
from sputnik.core.testing import clients_for

pytestmark = pytest.mark.django_db


def lock_out(client, username):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/accounts/login/", {"username": username, "password": "wrong"})


def test_administrator_unlocks_a_locked_login(client, make_user, admin_user):
    user = make_user(username="ivanov")
    lock_out(client, "ivanov")
    assert (
        client.post(
            "/accounts/login/", {"username": "ivanov", "password": "correct-horse-42"}
        ).status_code
        == 429
    )
    page, api = clients_for(admin_user)
    assert "failed-attempts" in page.get(f"/employees/{user.pk}/").content.decode()
    page.post(f"/employees/{user.pk}/unlock/")
    assert not AccessAttempt.objects.filter(username="ivanov").exists()
    response = client.post(
        "/accounts/login/", {"username": "ivanov", "password": "correct-horse-42"}
    )
    assert response.status_code == 302
    assert SecurityEvent.objects.filter(
        kind=SecurityEventKind.UNLOCKED, details__subject="ivanov"
    ).exists()


def test_reset_second_factor_by_page_and_api(make_user, admin_user):
    user = make_user()
    TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    page, api = clients_for(admin_user)
    page.post(f"/employees/{user.pk}/reset-second-factor/")
    assert not TOTPDevice.objects.filter(user=user).exists()
    TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    assert api.post(f"/api/v1/users/{user.pk}/reset-second-factor/").status_code == 204
    assert not TOTPDevice.objects.filter(user=user).exists()
    assert SecurityEvent.objects.filter(kind=SecurityEventKind.SECOND_FACTOR_RESET).count() == 2


def test_only_administrators_unlock(make_user):
    victim = make_user()
    TOTPDevice.objects.create(user=victim, name="phone", confirmed=True)
    page, api = clients_for(make_user(RoleCode.DIRECTOR, all_lines_role="read"))
    assert page.post(f"/employees/{victim.pk}/reset-second-factor/").status_code == 403
    assert api.post(f"/api/v1/users/{victim.pk}/unlock/").status_code == 403
    assert TOTPDevice.objects.filter(user=victim).exists()


def test_stale_employee_edit_is_a_conflict_not_a_crash(make_user, admin_user):
    employee = make_user()
    other_admin = make_user(
        RoleCode.ADMINISTRATOR, all_lines_role="manage", last_name="Кузнецов", first_name="Алексей"
    )
    services.user_update(
        actor=other_admin, user=employee, expected_version=1, position="Старший менеджер"
    )
    page, api = clients_for(admin_user)
    form = {
        "username": employee.username,
        "last_name": "Новая",
        "first_name": "Иван",
        "language": "",
        "is_active": "on",
        "version": 1,
    }
    response = page.post(f"/employees/{employee.pk}/edit/", form)
    assert response.status_code == 409
    assert "Кузнецов А." in response.content.decode()
    api_response = api.patch(
        f"/api/v1/users/{employee.pk}/", {"position": "X", "version": 1}, format="json"
    )
    assert api_response.status_code == 409 and api_response.json()["current_version"] == 2
    employee.refresh_from_db()
    assert (employee.position, employee.last_name) == ("Старший менеджер", employee.last_name)


def test_saving_an_employee_keeps_memberships_of_inactive_lines(
    client, line_a, line_b, make_user, admin_user
):
    employee = make_user(lines={line_a: "write", line_b: "read"})
    services.line_update(actor=admin_user, line=line_b, expected_version=1, is_active=False)
    client.force_login(admin_user)
    form = {
        "username": employee.username,
        "last_name": "Иванов",
        "first_name": "Иван",
        "language": "",
        "is_active": "on",
        "version": employee.version,
        f"line_{line_a.pk}": "write",
        f"line_{line_b.pk}": "read",
    }
    assert client.get(f"/employees/{employee.pk}/edit/").content.decode().count("неактивно") >= 1
    assert client.post(f"/employees/{employee.pk}/edit/", form).status_code == 302
    assert dict(employee.line_memberships.values_list("line__code", "role")) == {
        "software": "write",
        "consulting": "read",
    }


def test_manager_still_sees_a_line_they_deactivated(client, line_a, make_user):
    manager = make_user(RoleCode.HEAD_OF_SALES, lines={line_a: "manage"})
    client.force_login(manager)
    form = {"name": line_a.name, "code": line_a.code, "version": 1}  # is_active unticked
    assert client.post(f"/lines/{line_a.pk}/edit/", form).status_code == 302
    assert client.get(f"/lines/{line_a.pk}/").status_code == 200


def test_api_refuses_a_session_that_owes_a_one_time_code(client, make_user):
    user = make_user(username="ivanov")
    TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    client.post("/accounts/login/", {"username": "ivanov", "password": "correct-horse-42"})
    response = client.get("/api/v1/users/me/")
    assert response.status_code == 403
    assert response.json()["code"] == "second_factor_required"


def test_forged_forwarded_address_is_ignored_without_a_proxy(client, line_a, admin_user):
    client.force_login(admin_user)
    form = {"name": "X", "code": line_a.code, "is_active": "on", "version": 1}
    client.post(
        f"/lines/{line_a.pk}/edit/", form, HTTP_X_FORWARDED_FOR="6.6.6.6", REMOTE_ADDR="10.0.0.7"
    )
    entry = LogEntry.objects.get_for_object(line_a).filter(action=LogEntry.Action.UPDATE).get()
    assert entry.remote_addr == "10.0.0.7"


def test_user_history_records_who_changed_the_profile(make_user, admin_user):
    employee = make_user()
    services.user_update(actor=admin_user, user=employee, expected_version=1, position="Аналитик")
    employee.refresh_from_db()
    assert employee.updated_by == admin_user
    assert User.objects.get(pk=employee.pk).version == 2
