"""Request hygiene shared by every page and endpoint."""

import time

from django.conf import settings


class ClientAddressMiddleware:
    """Drops X-Forwarded-For unless a trusted proxy sets it (BEHIND_PROXY), so the audit
    trail records the real peer address, not one the client made up."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not settings.BEHIND_PROXY:
            request.META.pop("HTTP_X_FORWARDED_FOR", None)
        return self.get_response(request)


class SlidingSessionMiddleware:
    """Keeps a signed-in session alive while it is used (SESSION_COOKIE_AGE counts from the
    last activity) without writing it on every request: the expiry is pushed forward at
    most once per SESSION_REFRESH_SECONDS, so a page view is a read, not a write."""

    KEY = "_refreshed_at"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = getattr(request, "session", None)
        if session is not None and session.session_key:
            now = int(time.time())
            if now - session.get(self.KEY, 0) >= settings.SESSION_REFRESH_SECONDS:
                session[self.KEY] = now  # marks it modified: saved with a new expiry
        return self.get_response(request)
