"""The personal sales settings page (reminders, morning digest, the calendar feed's address)
and the feed itself, which calendar programs fetch without signing in."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.decorators.http import require_safe

from . import feeds
from .models import SalesProfile

LEAD_PRESETS = [
    (0, gettext_lazy("at the due time")),
    (5, gettext_lazy("5 minutes")),
    (15, gettext_lazy("15 minutes")),
    (30, gettext_lazy("30 minutes")),
    (60, gettext_lazy("1 hour")),
    (120, gettext_lazy("2 hours")),
    (24 * 60, gettext_lazy("1 day")),
]


@require_safe
def calendar_feed(request, token: str) -> HttpResponse:
    """The owner's planned contacts as iCalendar; an unknown or revoked address is 404."""
    profile = feeds.feed_profile(token)
    if profile is None:
        raise Http404
    body = feeds.calendar_feed(
        profile, host=request.get_host(), absolute=request.build_absolute_uri
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, max-age=300"
    response["Content-Disposition"] = 'inline; filename="sputnik.ics"'
    response["X-Robots-Tag"] = "noindex"
    return response


def feed_addresses(request, token: str | None) -> dict[str, str]:
    """The full address of a feed, as a calendar program needs it, and the same as a
    webcal: link that opens the computer's calendar program."""
    if not token:
        return {}
    url = request.build_absolute_uri(reverse("sales:calendar_feed", args=[token]))
    return {"feed_url": url, "webcal_url": "webcal" + url[url.index(":") :]}


class SalesSettingsForm(forms.Form):
    reminder_lead_minutes = forms.IntegerField(
        label=gettext_lazy("Remind me before a contact, minutes"),
        help_text=gettext_lazy(
            "An in-app notification and an e-mail come this long before a planned contact "
            "(0 — at its time). Pick a usual value or type your own, up to a week."
        ),
        widget=forms.NumberInput(
            attrs={"list": "lead-presets", "min": 0, "max": feeds.MAX_LEAD_MINUTES}
        ),
    )
    morning_digest = forms.BooleanField(
        label=gettext_lazy("Morning digest by e-mail"),
        help_text=gettext_lazy("Each morning: the day's contacts and the overdue ones."),
        required=False,
    )


class SalesSettingsView(LoginRequiredMixin, View):
    """The employee's own reminder lead, morning digest and calendar feed address."""

    template_name = "sales/settings.html"

    def get(self, request):
        profile = SalesProfile.of(request.user)
        form = SalesSettingsForm(
            initial={
                "reminder_lead_minutes": profile.reminder_lead_minutes,
                "morning_digest": profile.morning_digest,
            }
        )
        return self.render(form, profile)

    def post(self, request):
        form = SalesSettingsForm(request.POST)
        if form.is_valid():
            try:
                profile = feeds.sales_profile_update(user=request.user, **form.cleaned_data)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                if not request.htmx:
                    messages.success(request, _("Settings saved."))
                    return redirect("sales:settings")
                return self.render(form, profile, saved=True)
        return self.render(form, SalesProfile.of(request.user))

    def render(self, form, profile, **extra):
        request = self.request
        context = {
            "form": form,
            "lead_presets": LEAD_PRESETS,
            **feed_addresses(request, profile.calendar_token),
            **extra,
        }
        name = self.template_name
        if request.htmx:
            name = f"{name}#reminders"
        return render(request, name, context)


class CalendarAddressView(LoginRequiredMixin, View):
    """POST: issue (or re-issue, revoking the old) or revoke the calendar feed address."""

    def post(self, request):
        if request.POST.get("revoke"):
            feeds.calendar_token_revoke(user=request.user, request=request)
            token, note = None, _("The calendar address is revoked; calendars stop updating.")
        else:
            token = feeds.calendar_token_issue(user=request.user, request=request)
            note = _("A new calendar address is ready; the old one no longer works.")
        if not request.htmx:
            messages.success(request, note)
            return redirect("sales:settings")
        context = {**feed_addresses(request, token), "note": note}
        return render(request, "sales/settings.html#calendar", context)
