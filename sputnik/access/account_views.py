"""The signed-in person's own pages: sign-in with a second factor, home, profile,
API token, language, notifications."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView, TemplateView
from django.views.i18n import set_language
from django_otp import user_has_device
from rest_framework.authtoken.models import Token

from sputnik.core.exceptions import StaleEdit
from sputnik.core.roles import line_access
from sputnik.core.views import ObjectListView, redirect_response

from . import otp, services
from .forms import LoginForm, OTPForm, ProfileForm
from .models import BusinessLine, Notification


class LoginView(auth_views.LoginView):
    template_name = "access/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


def safe_next(request, default: str) -> str:
    target = request.GET.get("next") or request.POST.get("next") or ""
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return default


class OTPVerifyView(LoginRequiredMixin, FormView):
    """Second step of sign-in: the code from the authenticator."""

    template_name = "access/otp_verify.html"
    form_class = OTPForm

    def form_valid(self, form):
        if not otp.verify(self.request, form.cleaned_data["token"]):
            form.add_error("token", _("The code is wrong or expired. Try the next one."))
            return self.form_invalid(form)
        return redirect(safe_next(self.request, reverse("home")))


class OTPSetupView(LoginRequiredMixin, FormView):
    """Connect an authenticator app: scan the code, confirm with the first six digits."""

    template_name = "access/otp_setup.html"
    form_class = OTPForm

    def get_device(self):
        return otp.device_pending(self.request.user) or otp.device_start(self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        device = self.get_device()
        context["qr"] = otp.device_qr_data_uri(device)
        context["secret"] = otp.device_secret(device)
        context["required"] = otp.role_requires_otp(self.request.user)
        return context

    def form_valid(self, form):
        if not otp.device_confirm(self.request, self.get_device(), form.cleaned_data["token"]):
            form.add_error("token", _("The code does not match. Check the time on your phone."))
            return self.form_invalid(form)
        messages.success(self.request, _("Second factor switched on."))
        return redirect(safe_next(self.request, reverse("access:profile")))


class OTPDisableView(LoginRequiredMixin, View):
    def post(self, request):
        if otp.role_requires_otp(request.user):
            messages.error(
                request, _("Your role requires a second factor; it cannot be switched off.")
            )
        else:
            otp.device_remove(request.user)
            messages.success(request, _("Second factor switched off."))
        return redirect("access:profile")


class HomeView(LoginRequiredMixin, TemplateView):
    """Where a user lands: their business lines, unread notifications, what to do next."""

    template_name = "access/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        access = line_access(user)
        lines = BusinessLine.objects.restrict(user).filter(is_active=True)
        context["lines"] = [(line, access.role_on(line.pk)) for line in lines]
        context["notifications"] = Notification.objects.restrict(user).filter(read_at__isnull=True)[
            :5
        ]
        return context


class ProfileView(LoginRequiredMixin, FormView):
    template_name = "access/profile.html"
    form_class = ProfileForm
    success_url = reverse_lazy("access:profile")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.request.user}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["token"] = Token.objects.filter(user=user).first()
        context["has_device"] = user_has_device(user, confirmed=True)
        context["otp_required"] = otp.role_requires_otp(user)
        context["memberships"] = user.line_memberships.select_related("line")
        return context

    def form_valid(self, form):
        try:
            services.profile_update(
                user=self.request.user,
                expected_version=form.cleaned_data["version"],
                **{name: form.cleaned_data[name] for name in form._meta.fields},
            )
        except StaleEdit as error:
            form.add_error(None, error.message)
            return self.form_invalid(form)
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Profile saved."))
        response = redirect(self.get_success_url())
        if form.cleaned_data["language"]:
            response.set_cookie("django_language", form.cleaned_data["language"], samesite="Lax")
        return response


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "access/password_change.html"
    success_url = reverse_lazy("access:profile")

    def form_valid(self, form):
        messages.success(self.request, _("Password changed."))
        return super().form_valid(form)


class TokenView(LoginRequiredMixin, View):
    """Issue (or re-issue, revoking the old one) the personal API token."""

    def post(self, request):
        if request.POST.get("revoke"):
            services.api_token_revoke(user=request.user, request=request)
            messages.success(request, _("API token revoked."))
        else:
            services.api_token_issue(user=request.user, request=request)
            messages.success(request, _("A new API token was issued; the old one no longer works."))
        return redirect("access:profile")


def language_switch(request):
    """Django's language switch that also remembers the choice in the user's profile."""
    response = set_language(request)
    language = request.POST.get("language")
    user = request.user
    if user.is_authenticated and language in {"ru", "en"} and user.language != language:
        services.profile_update(user=user, expected_version=None, language=language)
    return response


class NotificationListView(ObjectListView):
    model = Notification
    template_name = "access/notification_list.html"
    paginate_by = 30

    def post(self, request):
        ids = request.POST.getlist("id") or None
        services.notifications_mark_read(user=request.user, ids=ids)
        if request.htmx:
            self.object_list = self.get_queryset()
            return render(request, "access/notification_list.html#table", self.get_context_data())
        return redirect_response(request, reverse("access:notifications"))
