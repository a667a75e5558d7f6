"""Sign-in: security events, lockout, the second factor, session expiry."""

import time
from datetime import timedelta
from unittest import mock

import pytest
from django.conf import settings
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from sputnik.access import services
from sputnik.access.models import Role, RoleCode, SecurityEvent, SecurityEventKind

pytestmark = pytest.mark.django_db
PASSWORD = "correct-horse-42"


def sign_in(client, username, password=PASSWORD):
    return client.post("/accounts/login/", {"username": username, "password": password})


def current_code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


def test_sign_in_and_out_are_recorded(client, make_user):
    user = make_user(username="ivanov")
    assert sign_in(client, "ivanov", "wrong").status_code == 200
    assert sign_in(client, "ivanov")["Location"] == "/"
    client.post("/accounts/logout/")
    kinds = list(
        SecurityEvent.objects.filter(username="ivanov")
        .order_by("id")
        .values_list("kind", flat=True)
    )
    assert kinds == [
        SecurityEventKind.LOGIN_FAILED,
        SecurityEventKind.LOGIN,
        SecurityEventKind.LOGOUT,
    ]
    assert SecurityEvent.objects.filter(user=user, remote_addr="127.0.0.1").exists()


def test_wrong_password_message_is_translated(client, make_user):
    make_user(username="ivanov")
    response = sign_in(client, "ivanov", "wrong")
    assert "Неверный логин или пароль" in response.content.decode()


def test_repeated_failures_lock_the_account(client, make_user):
    make_user(username="ivanov")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "ivanov", "wrong")
    response = sign_in(client, "ivanov")
    assert response.status_code == 429
    assert response.get("Location") != "/"
    assert SecurityEvent.objects.filter(kind=SecurityEventKind.LOCKED_OUT).exists()


def test_role_requiring_otp_forces_setup_then_code(client, make_user, admin_user):
    user = make_user(RoleCode.SALESPERSON, username="ivanov")
    services.role_update(
        actor=admin_user, role=Role.objects.get(code="salesperson"), require_otp=True
    )
    sign_in(client, "ivanov")
    response = client.get("/lines/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/otp/setup/")
    assert client.get("/accounts/otp/setup/").status_code == 200
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    bad = client.post(
        "/accounts/otp/setup/",
        {"token": "000000" if current_code(device) != "000000" else "111111"},
    )
    assert bad.status_code == 200 and not TOTPDevice.objects.filter(confirmed=True).exists()
    device.refresh_from_db()
    device.throttle_reset()  # a failure throttles the next try for a second
    client.post("/accounts/otp/setup/", {"token": current_code(device)})
    assert client.get("/lines/").status_code == 200
    # Next sign-in asks for the code before anything else.
    client.post("/accounts/logout/")
    sign_in(client, "ivanov")
    assert client.get("/lines/")["Location"].startswith("/accounts/otp/")
    device.refresh_from_db()
    wrong = client.post("/accounts/otp/", {"token": "12345"})
    assert wrong.status_code == 200 and client.get("/lines/").status_code == 302
    device.refresh_from_db()
    device.last_t = -1  # the set-up code was already used in this time step
    device.save()
    assert client.post("/accounts/otp/", {"token": current_code(device)}).status_code == 302
    assert client.get("/lines/").status_code == 200


def test_required_second_factor_cannot_be_switched_off(client, make_user, admin_user):
    user = make_user(RoleCode.SALESPERSON)
    services.role_update(
        actor=admin_user, role=Role.objects.get(code="salesperson"), require_otp=True
    )
    TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    client.force_login(user)
    client.post("/accounts/otp/disable/")
    assert TOTPDevice.objects.filter(user=user).exists()


def test_sessions_expire(settings):
    assert 0 < settings.SESSION_COOKIE_AGE <= 12 * 3600
    assert 0 < settings.SESSION_REFRESH_SECONDS <= 300


def test_activity_extends_the_session_at_most_once_a_refresh_period(client, make_user):
    from django.contrib.sessions.models import Session

    make_user(username="ivanov")
    sign_in(client, "ivanov")
    key = client.session.session_key
    client.get("/")
    session = Session.objects.get(session_key=key)
    first = session.expire_date
    assert first > timezone.now() + timedelta(seconds=settings.SESSION_COOKIE_AGE - 60)

    # A request soon after does not write the session again.
    Session.objects.filter(session_key=key).update(expire_date=first - timedelta(hours=1))
    client.get("/")
    assert Session.objects.get(session_key=key).expire_date == first - timedelta(hours=1)

    # Once the refresh period has passed, the next request pushes the expiry forward.
    later = time.time() + settings.SESSION_REFRESH_SECONDS + 1
    with mock.patch("sputnik.core.middleware.time.time", return_value=later):
        client.get("/")
    assert Session.objects.get(session_key=key).expire_date > first


def test_an_idle_session_expires(client, make_user):
    from django.contrib.sessions.models import Session

    make_user(username="ivanov")
    sign_in(client, "ivanov")
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))
    assert client.get("/")["Location"].startswith("/accounts/login/")


def test_api_token_issue_and_revoke(client, make_user):
    from rest_framework.authtoken.models import Token

    user = make_user()
    client.force_login(user)
    client.post("/profile/token/")
    first = Token.objects.get(user=user).key
    assert first in client.get("/profile/").content.decode()
    client.post("/profile/token/")
    assert Token.objects.get(user=user).key != first
    client.post("/profile/token/", {"revoke": "1"})
    assert not Token.objects.filter(user=user).exists()
    events = SecurityEvent.objects.filter(user=user, details__what="api_token")
    assert [e.details["issued"] for e in events.order_by("id")] == [True, True, False]
