"""Record sign-ins, sign-outs and failures: Django reports these only as signals."""

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from .models import SecurityEventKind
from .services import security_event_record


@receiver(user_logged_in)
def on_login(sender, request, user, **kwargs):
    security_event_record(SecurityEventKind.LOGIN, user=user, request=request)


@receiver(user_logged_out)
def on_logout(sender, request, user, **kwargs):
    if user is not None:
        security_event_record(SecurityEventKind.LOGOUT, user=user, request=request)


@receiver(user_login_failed)
def on_login_failed(sender, credentials, request=None, **kwargs):
    security_event_record(
        SecurityEventKind.LOGIN_FAILED, username=credentials.get("username", ""), request=request
    )


@receiver(user_locked_out)
def on_locked_out(sender, request, username, ip_address, **kwargs):
    security_event_record(SecurityEventKind.LOCKED_OUT, username=username or "", request=request)
