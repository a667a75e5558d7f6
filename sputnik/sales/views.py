"""Sales pages: the deals of the user's business lines, and a deal's card with its stage
history and moves."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views import View

from sputnik.core.exceptions import StaleEdit
from sputnik.core.models import brief
from sputnik.core.views import ObjectDetailView, ObjectListView, RestrictedMixin
from sputnik.directory.attributes import attach
from sputnik.directory.models import AttributeTarget

from . import services
from .filters import DealFilter
from .forms import MoveForm
from .models import Deal


class DealListView(ObjectListView):
    model = Deal
    filterset_class = DealFilter
    template_name = "sales/deal_list.html"

    def restricted_queryset(self):
        listed = super().restricted_queryset().select_related("pipeline", "stage")
        return brief(listed, "organization", "responsible")


class DealDetailView(ObjectDetailView):
    """A deal: its details, its stage history, its contacts, and moving it."""

    model = Deal
    template_name = "sales/deal_detail.html"

    def restricted_queryset(self):
        return (
            super()
            .restricted_queryset()
            .select_related(
                "organization", "pipeline", "stage", "responsible", "loss_reason", "business_line"
            )
            .prefetch_related("persons")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        deal, user = self.object, self.request.user
        attach([deal], AttributeTarget.DEAL, user)
        context["changes"] = deal.stage_changes.select_related("from_stage", "to_stage", "by")
        context["interactions"] = (
            deal.interactions.restrict(user)
            .select_related("result", "responsible")
            .order_by("-happened_at", "-due_at")[:50]
        )
        context["can_move"] = Deal.objects.restrict(user, "change").filter(pk=deal.pk).exists()
        if context["can_move"]:
            context["move_form"] = MoveForm(deal=deal)
        return context


class DealMoveView(RestrictedMixin, View):
    """POST from a deal's card: move it (refusals come back as messages)."""

    model = Deal
    action = "change"

    def post(self, request, pk):
        deal = self.restricted_queryset().filter(pk=pk).first()
        if deal is None:
            if self._visible(pk):
                raise PermissionDenied(_("You may only read this record."))
            raise Http404
        form = MoveForm(request.POST, deal=deal)
        if not form.is_valid():
            messages.error(request, _("Choose a stage of the deal's pipeline."))
            return redirect("sales:deal", pk)
        data = form.cleaned_data
        try:
            with transaction.atomic():
                services.deal_move(
                    actor=request.user,
                    deal=deal,
                    stage=data["stage"],
                    expected_version=data["version"],
                    reason=data["reason"],
                    loss_reason=data["loss_reason"],
                )
        except StaleEdit:
            messages.error(request, _("Someone changed the deal meanwhile; look again."))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Moved to “%(stage)s”.") % {"stage": data["stage"]})
        return redirect("sales:deal", pk)
