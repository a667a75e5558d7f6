"""Substitutions (SAL-6): who stands in for whom and when — current, planned and past
ones; heads of sales arrange them and end them early."""

from __future__ import annotations

import datetime

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View, generic

from sputnik.access import services
from sputnik.access.models import Substitution, User
from sputnik.core.audit import acting_as
from sputnik.core.views import RestrictedMixin, WriteMixin

PAST_SHOWN = 50


class SubstitutionForm(forms.Form):
    absent = forms.ModelChoiceField(
        queryset=User.objects.filter(is_active=True), label=gettext_lazy("Absent employee")
    )
    deputy = forms.ModelChoiceField(
        queryset=User.objects.filter(is_active=True), label=gettext_lazy("Deputy")
    )
    starts_on = forms.DateField(
        label=gettext_lazy("From"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    ends_on = forms.DateField(
        label=gettext_lazy("To (inclusive)"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    note = forms.CharField(label=gettext_lazy("Note"), max_length=255, required=False)


class SubstitutionListView(LoginRequiredMixin, generic.TemplateView):
    """Heads see every substitution; an employee sees those they are part of."""

    template_name = "sales/substitution_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user, today = self.request.user, timezone.localdate()
        rows = Substitution.objects.restrict(user).select_related("absent", "deputy")
        context.update(
            current=rows.active(today).order_by("ends_on", "id"),
            planned=rows.filter(starts_on__gt=today).order_by("starts_on", "id"),
            past=rows.filter(ends_on__lt=today).order_by("-ends_on", "-id")[:PAST_SHOWN],
            can_add=user.has_perm("access.add_substitution"),
            can_end=user.has_perm("access.change_substitution"),
        )
        return context


class SubstitutionCreateView(WriteMixin, generic.FormView):
    model = Substitution
    action = "add"
    form_class = SubstitutionForm
    template_name = "sales/substitution_form.html"
    success_message = gettext_lazy("Substitution arranged: %(object)s.")

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not request.user.has_perm("access.add_substitution"):
            raise PermissionDenied(
                _("Only heads of sales and administrators arrange substitutions.")
            )
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self):
        today = timezone.localdate()
        return {"starts_on": today, "ends_on": today + datetime.timedelta(days=13)}

    def perform(self, form):
        with acting_as(self.request.user, self.request):
            return services.substitution_create(actor=self.request.user, **form.cleaned_data)

    def get_success_url(self):
        return reverse("sales:substitution_list")


class SubstitutionEndView(RestrictedMixin, View):
    """POST: end a substitution now (one not begun yet is removed)."""

    model = Substitution
    action = "change"

    def post(self, request, pk):
        substitution = self.restricted_queryset().filter(pk=pk).first()
        if substitution is None:
            if self._visible(pk):
                raise PermissionDenied(_("You may only read this record."))
            raise Http404
        try:
            with acting_as(request.user, request):
                kept = services.substitution_end(actor=request.user, substitution=substitution)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            names = {
                "deputy": substitution.deputy.short_name,
                "absent": substitution.absent.short_name,
            }
            if kept is None:
                messages.success(request, _("Substitution cancelled."))
            else:
                messages.success(
                    request, _("%(deputy)s no longer stands in for %(absent)s.") % names
                )
        return redirect("sales:substitution_list")
