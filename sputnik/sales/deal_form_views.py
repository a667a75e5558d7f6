"""Opening and editing a deal. The form's choices that depend on other fields (the
organisation's employees, the pipeline's stages, the business line's employees) are
re-rendered in place (htmx) when those fields change."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from sputnik.access.models import lines_with_role
from sputnik.core.views import ObjectCreateView, ObjectUpdateView
from sputnik.directory.models import Organization

from . import services
from .forms import DealForm
from .models import Deal

# Fields whose value decides another field's choices; sent back when one changes.
DEPENDENCIES = ("organization", "business_line", "pipeline", "stage", "responsible")


class DealFormMixin:
    model = Deal
    form_class = DealForm
    template_name = "sales/deal_form.html"

    def refreshing(self) -> bool:
        return bool(self.request.htmx) and "refresh" in self.request.GET

    def get_form_kwargs(self):
        kwargs = {**super().get_form_kwargs(), "user": self.request.user}
        if self.refreshing():
            typed = self.request.GET
            kwargs["initial"] = {
                **kwargs.get("initial", {}),
                **{name: typed.get(name, "") for name in DEPENDENCIES},
                "persons": typed.getlist("persons"),
            }
        return kwargs

    def get_template_names(self):
        if self.refreshing():
            return ["sales/deal_form.html#refresh"]
        return [self.template_name]


class DealCreateView(DealFormMixin, ObjectCreateView):
    """A new deal; `?organization=<id>` starts it for that organisation."""

    success_message = _("Deal “%(object)s” opened.")

    def get_initial(self):
        user = self.request.user
        lines = lines_with_role(user)
        initial = {"responsible": user.pk, "currency": "RUB"}
        chosen = self.request.GET.get("organization", "")
        organization = (
            Organization.objects.restrict(user).filter(pk=chosen).first()
            if chosen.isdigit()
            else None
        )
        if organization is not None:
            initial["organization"] = organization.pk
            lines = lines.filter(pk__in=organization.business_lines.values("pk")) or lines
        if line := lines.first():
            initial["business_line"] = line.pk
        return initial

    def perform(self, form):
        return services.deal_create(actor=self.request.user, **form.values())


class DealUpdateView(DealFormMixin, ObjectUpdateView):
    """A deal's details; its stage changes by moves (the card), not here."""

    success_message = _("Deal “%(object)s” saved.")

    def perform(self, form):
        return services.deal_update(
            actor=self.request.user,
            deal=self.object,
            expected_version=form.cleaned_data["version"],
            **form.changes(),
        )
