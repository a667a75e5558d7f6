"""The TOTP second factor (django-otp): who owes a code, device set-up and checks."""

from __future__ import annotations

import base64
import io

import qrcode
import qrcode.image.svg
from django.db import transaction
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from .models import Role, SecurityEventKind, User
from .snapshot import snapshot


def role_requires_otp(user: User) -> bool:
    return Role.objects.filter(group__user=user, require_otp=True).exists()


def needs_second_factor(user) -> str | None:
    """The url name the user must visit before anything else, or None."""
    if not user.is_authenticated or user.is_verified():
        return None
    access = snapshot(user)
    if access.has_device:
        return "access:otp_verify"
    if access.role_requires_otp:
        return "access:otp_setup"
    return None


@transaction.atomic
def device_start(user: User) -> TOTPDevice:
    """A fresh unconfirmed authenticator for the user (replaces an unfinished one)."""
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)


def device_pending(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=False).first()


def device_qr_data_uri(device: TOTPDevice) -> str:
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage)
    stream = io.BytesIO()
    image.save(stream)
    return "data:image/svg+xml;base64," + base64.b64encode(stream.getvalue()).decode()


def device_secret(device: TOTPDevice) -> str:
    """The key for typing by hand, in groups of four letters."""
    key = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))


@transaction.atomic
def device_confirm(request, device: TOTPDevice, token: str) -> bool:
    """Confirm a new authenticator with its first code; the session becomes verified."""
    if not device.verify_token(token):
        return False
    TOTPDevice.objects.filter(user=device.user, confirmed=True).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    otp_login(request, device)
    return True


def verify(request, token: str) -> bool:
    """Check a code against the user's confirmed devices and mark the session verified."""
    from .services import security_event_record

    for device in TOTPDevice.objects.devices_for_user(request.user, confirmed=True):
        if device.verify_token(token):
            otp_login(request, device)
            return True
    security_event_record(
        SecurityEventKind.SECOND_FACTOR_FAILED, user=request.user, request=request
    )
    return False


@transaction.atomic
def device_remove(user: User) -> None:
    """Switch the second factor off (refused by the view when the role requires it)."""
    TOTPDevice.objects.filter(user=user).delete()
