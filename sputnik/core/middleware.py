"""Request hygiene shared by every page and endpoint."""

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
