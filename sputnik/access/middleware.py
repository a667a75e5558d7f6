"""Per-user interface language and the second-factor requirement."""

from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from .otp import needs_second_factor


class UserLanguageMiddleware:
    """A language chosen in the profile wins over the browser's preference."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated and user.language:
            translation.activate(user.language)
            request.LANGUAGE_CODE = user.language
        return self.get_response(request)


class SecondFactorMiddleware:
    """Sends a signed-in user who owes a one-time code to the page that asks for it.

    Users with a confirmed device must enter a code after the password; users whose role
    requires a second factor and who have no device yet must set one up first. A session
    that owes a code gets nothing from the API either (token clients are not affected:
    their requests carry no session user).
    """

    EXEMPT_PREFIXES = ("/static/",)

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        target = needs_second_factor(request.user)
        if target and not self._exempt(request.path):
            if request.path.startswith("/api/"):
                detail = _("Confirm the sign-in with a one-time code first.")
                return JsonResponse(
                    {"detail": detail, "code": "second_factor_required", "errors": {}}, status=403
                )
            return redirect(f"{reverse(target)}?next={request.get_full_path()}")
        return self.get_response(request)

    def _exempt(self, path: str) -> bool:
        allowed = (
            reverse("access:otp_verify"),
            reverse("access:otp_setup"),
            reverse("access:logout"),
        )
        return path.startswith(self.EXEMPT_PREFIXES) or path in allowed
