"""The hand-over page (SAL-6): whose clients go to whom (all of them, or chosen
organisations), a preview of what moves and what stays and why, then applying it."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from sputnik.access.models import User
from sputnik.core.audit import acting_as
from sputnik.core.filters import contains
from sputnik.directory.models import Organization

from .handover import PERMISSION, handover_apply, handover_plan

SHOWN = 500  # organisations offered for choosing at once; the filter narrows them
LISTED = 200  # rows of each kind listed in the preview


class EmployeeChoice(forms.ModelChoiceField):
    def label_from_instance(self, user):
        if user.is_active:
            return user.full_name
        return _("%(employee)s (no longer works here)") % {"employee": user.full_name}


class HandoverForm(forms.Form):
    source = EmployeeChoice(queryset=User.objects.none(), label=gettext_lazy("Whose clients"))
    target = EmployeeChoice(queryset=User.objects.none(), label=gettext_lazy("To whom"))
    scope = forms.ChoiceField(
        label=gettext_lazy("What"),
        choices=[
            ("all", gettext_lazy("All their organisations, open deals and planned contacts")),
            (
                "selected",
                gettext_lazy("Selected organisations with their open deals and planned contacts"),
            ),
        ],
        initial="all",
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
    )
    organizations = forms.ModelMultipleChoiceField(
        queryset=Organization.objects.none(), required=False, label=gettext_lazy("Organisations")
    )
    deals = forms.BooleanField(label=gettext_lazy("Open deals"), required=False, initial=True)
    interactions = forms.BooleanField(
        label=gettext_lazy("Planned contacts"), required=False, initial=True
    )

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        employees = User.objects.restrict(actor)
        # Someone who left is the usual one to hand over from.
        self.fields["source"].queryset = employees.order_by("-is_active", "last_name")
        self.fields["target"].queryset = employees.filter(is_active=True)
        self.fields["organizations"].queryset = self.offered(actor)

    def offered(self, actor):
        """The organisations of the chosen source that the actor may hand over."""
        source = self.data.get("source") if self.is_bound else self.initial.get("source")
        if not str(source or "").isdigit():
            return Organization.objects.none()
        return Organization.objects.restrict(actor, "change").filter(responsible=source)

    def clean(self):
        data = super().clean()
        if data.get("source") and data.get("source") == data.get("target"):
            self.add_error("target", _("Choose another employee than the one handing over."))
        if data.get("scope") == "selected" and not data.get("organizations"):
            self.add_error("organizations", _("Tick the organisations to hand over."))
        return data

    def parameters(self) -> dict:
        """The service's arguments."""
        data = self.cleaned_data
        selected = data["scope"] == "selected"
        return {
            "source": data["source"],
            "target": data["target"],
            "organizations": list(data["organizations"]) if selected else None,
            "deals": data["deals"],
            "interactions": data["interactions"],
        }


class HandoverView(LoginRequiredMixin, View):
    """GET shows the form and, with `preview`, what would move; POST applies it."""

    template_name = "sales/handover.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not request.user.has_perm(PERMISSION):
            raise PermissionDenied(_("Only heads of sales and administrators hand clients over."))
        return super().dispatch(request, *args, **kwargs)

    def get(self, request):
        params, plan = request.GET, None
        if "preview" in params:
            form = HandoverForm(params, actor=request.user)
            plan = self._plan(form) if form.is_valid() else None
        else:  # choosing: what was chosen so far, judged only when previewed
            form = HandoverForm(initial=_chosen(params), actor=request.user)
        context = {"form": form, "plan": plan, **self._offered(form, params)}
        if request.htmx:
            return render(request, f"{self.template_name}#organizations", context)
        return render(request, self.template_name, context)

    def post(self, request):
        form = HandoverForm(request.POST, actor=request.user)
        if not form.is_valid():
            context = {"form": form, "plan": None, **self._offered(form, request.POST)}
            return render(request, self.template_name, context, status=400)
        try:
            with acting_as(request.user, request):
                plan = handover_apply(actor=request.user, **form.parameters())
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("sales:handover")
        if plan.moving_count:
            messages.success(
                request,
                _("Handed over to %(employee)s — %(counts)s.")
                % {"employee": plan.target.short_name, "counts": plan.describe_counts()},
            )
        else:
            messages.info(request, _("Nothing was left to hand over."))
        return redirect("sales:handover")

    def _plan(self, form):
        try:
            plan = handover_plan(actor=self.request.user, **form.parameters())
        except ValidationError as error:
            form.add_error(None, error)
            return None
        for part in plan.parts:  # what the preview's lists leave out
            part.more_moving = max(0, len(part.moving) - LISTED)
            part.more_staying = max(0, len(part.staying) - LISTED)
        return plan

    def _offered(self, form, params) -> dict:
        """The source's organisations to tick: those already ticked, then those matching
        the filter, at most SHOWN."""
        offered = form.fields["organizations"].queryset.order_by("short_name", "id")
        ticked = set(params.getlist("organizations"))
        query = params.get("q", "").strip()
        matching = offered
        if query:
            fragment = contains(query)
            matching = offered.filter(Q(short_name__iregex=fragment) | Q(inn__startswith=query))
        ticked_rows = list(offered.filter(pk__in=[pk for pk in ticked if pk.isdigit()]))
        rows = ticked_rows + list(matching.exclude(pk__in=[o.pk for o in ticked_rows])[:SHOWN])
        return {
            "offered": rows[: max(SHOWN, len(ticked_rows))],
            "offered_total": offered.count(),
            "matching_total": matching.count(),
            "ticked": ticked,
            "query": query,
            "listed": LISTED,
        }


def _chosen(params) -> dict:
    """The form's fields as chosen so far (a fresh page: the defaults)."""
    if "source" not in params:
        return {}
    return {
        "source": params.get("source"),
        "target": params.get("target"),
        "scope": params.get("scope", "all"),
        "deals": "deals" in params,
        "interactions": "interactions" in params,
    }
