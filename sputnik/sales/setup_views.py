"""Setup pages of sales: pipelines and their stages, loss reasons, contact results and
automatic transitions. Everyone whose role may read them looks; the model permissions
decide who adds, changes and deletes (administrators). Writes go through the services."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from sputnik.core.models import model_permission
from sputnik.core.views import (
    ObjectCreateView,
    ObjectDetailView,
    ObjectListView,
    ObjectUpdateView,
    RestrictedMixin,
)
from sputnik.directory.services import reference_delete

from . import services
from .forms import LossReasonForm, PipelineForm, ResultForm, RuleForm, StageForm
from .models import Deal, InteractionResult, LossReason, Pipeline, Stage, TransitionRule


def _may(user, model, action: str) -> bool:
    return user.has_perm(model_permission(model, action))


class SetupListView(ObjectListView):
    """One kind of setting, all of it, with what the user may do to it."""

    paginate_by = None

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        for action in ("add", "change", "delete"):
            context[f"can_{action}"] = _may(user, self.model, action)
        return context


class SetupWriteMixin:
    """A setting's form page; the service gets a fresh copy of the record (the form has
    already put the typed values on its own), so the service compares with what is
    stored."""

    template_name = "sales/setup_form.html"
    list_url_name = ""

    def get_success_url(self):
        return reverse(self.list_url_name)

    def new_item(self):
        return self.model()

    def perform(self, form):
        if self.object is not None:
            item = self.model._default_manager.get(pk=self.object.pk)
        else:
            item = self.new_item()
        return services.reference_save(actor=self.request.user, item=item, **form.cleaned_data)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["back_url"] = self.back_url()
        context["back_title"] = self.back_title()
        context["title"] = str(self.object) if self.object else self.new_title
        if self.object is not None and _may(self.request.user, self.model, "delete"):
            context["delete_url"] = self.delete_url()
        return context

    def back_url(self) -> str:
        return reverse(self.list_url_name)

    def back_title(self) -> str:
        return self.list_title

    def delete_url(self) -> str:
        raise NotImplementedError


class SetupDeleteView(RestrictedMixin, View):
    """POST: delete a setting (one still in use is retired instead, as in the API)."""

    action = "delete"
    list_url_name = ""

    def post(self, request, pk):
        item = self.restricted_queryset().filter(pk=pk).first()
        if item is None:
            if self._visible(pk):
                raise PermissionDenied(_("You may only read this record."))
            raise Http404
        name, back = str(item), self.back_url(item)
        try:
            with transaction.atomic():
                self.remove(item)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect(back)
        if self.model._default_manager.filter(pk=pk).exists():
            messages.info(request, _("“%(name)s” is in use: it was retired.") % {"name": name})
        else:
            messages.success(request, _("“%(name)s” deleted.") % {"name": name})
        return redirect(back)

    def remove(self, item) -> None:
        reference_delete(actor=self.request.user, item=item)

    def back_url(self, item) -> str:
        return reverse(self.list_url_name)


# Pipelines and stages -------------------------------------------------------------------


class PipelineListView(SetupListView):
    model = Pipeline
    template_name = "sales/setup_pipelines.html"

    def restricted_queryset(self):
        return super().restricted_queryset().annotate(stage_count=Count("stages"))


class PipelineMixin:
    model = Pipeline
    form_class = PipelineForm
    list_url_name = "sales:setup_pipelines"
    list_title = gettext_lazy("Sales pipelines")
    new_title = gettext_lazy("New pipeline")

    def get_success_url(self):
        return reverse("sales:setup_pipeline", args=[self.object.pk])

    def delete_url(self):
        return reverse("sales:setup_pipeline_delete", args=[self.object.pk])


class PipelineCreateView(PipelineMixin, SetupWriteMixin, ObjectCreateView):
    success_message = gettext_lazy("Pipeline “%(object)s” added: now add its stages.")


class PipelineUpdateView(PipelineMixin, SetupWriteMixin, ObjectUpdateView):
    success_message = gettext_lazy("Pipeline “%(object)s” saved.")


class PipelineDeleteView(SetupDeleteView):
    model = Pipeline
    list_url_name = "sales:setup_pipelines"


def stages_context(user, pipeline: Pipeline) -> dict:
    """What the stages table of a pipeline's page shows."""
    labels = {name: capfirst(Deal._meta.get_field(name).verbose_name) for name in Stage.REQUIRABLE}
    stages = list(pipeline.stages.order_by("order", "id"))
    for stage in stages:
        stage.required_labels = [labels.get(name, name) for name in stage.required_fields or []]
    return {
        "pipeline": pipeline,
        "stages": stages,
        "can_add": _may(user, Stage, "add"),
        "can_change": _may(user, Stage, "change"),
        "can_delete": _may(user, Stage, "delete"),
    }


class PipelineDetailView(ObjectDetailView):
    """A pipeline's stages in order, reordered with up and down buttons (htmx)."""

    model = Pipeline
    template_name = "sales/setup_pipeline.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(stages_context(self.request.user, self.object))
        context["can_edit_pipeline"] = _may(self.request.user, Pipeline, "change")
        context["can_delete_pipeline"] = _may(self.request.user, Pipeline, "delete")
        return context


class StageMixin:
    model = Stage
    form_class = StageForm

    def get_success_url(self):
        return reverse("sales:setup_pipeline", args=[self.pipeline.pk])

    def back_url(self):
        return self.get_success_url()

    def back_title(self):
        return str(self.pipeline)

    def delete_url(self):
        return reverse("sales:setup_stage_delete", args=[self.object.pk])


class StageCreateView(StageMixin, SetupWriteMixin, ObjectCreateView):
    success_message = gettext_lazy("Stage “%(object)s” added.")
    new_title = gettext_lazy("New stage")

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            visible = Pipeline.objects.restrict(request.user)
            self.pipeline = get_object_or_404(visible, pk=kwargs["pipeline"])
        return super().dispatch(request, *args, **kwargs)

    def new_item(self):
        last = self.pipeline.stages.order_by("-order").first()
        return Stage(pipeline=self.pipeline, order=last.order + 1 if last else 0)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": Stage(pipeline=self.pipeline)}


class StageUpdateView(StageMixin, SetupWriteMixin, ObjectUpdateView):
    success_message = gettext_lazy("Stage “%(object)s” saved.")

    @property
    def pipeline(self):
        return self.object.pipeline


class StageDeleteView(SetupDeleteView):
    """Only a stage no deal is or was in is deleted (the service says why not)."""

    model = Stage

    def remove(self, item) -> None:
        services.stage_delete(actor=self.request.user, stage=item)

    def back_url(self, item) -> str:
        return reverse("sales:setup_pipeline", args=[item.pipeline_id])


class StageMoveView(RestrictedMixin, View):
    """POST `direction` up or down: the stage swaps places with its neighbour; the
    pipeline's stages are numbered 0, 1, 2 … again, so equal orders cannot stick."""

    model = Stage
    action = "change"

    def post(self, request, pk):
        stage = self.restricted_queryset().filter(pk=pk).first()
        if stage is None:
            if self._visible(pk):
                raise PermissionDenied(_("You may only read this record."))
            raise Http404
        pipeline = stage.pipeline
        with transaction.atomic():
            stages = list(
                Stage.objects.select_for_update().filter(pipeline=pipeline).order_by("order", "id")
            )
            at = next(i for i, item in enumerate(stages) if item.pk == stage.pk)
            to = at - 1 if request.POST.get("direction") == "up" else at + 1
            if 0 <= to < len(stages):
                stages[at], stages[to] = stages[to], stages[at]
            for order, item in enumerate(stages):
                if item.order != order:
                    services.reference_save(actor=request.user, item=item, order=order)
        if request.htmx:
            context = stages_context(request.user, pipeline)
            return render(request, "sales/setup_pipeline.html#stages", context)
        return redirect("sales:setup_pipeline", pipeline.pk)


# Loss reasons ---------------------------------------------------------------------------


class LossReasonListView(SetupListView):
    model = LossReason
    template_name = "sales/setup_loss_reasons.html"


class LossReasonMixin:
    model = LossReason
    form_class = LossReasonForm
    list_url_name = "sales:setup_loss_reasons"
    list_title = gettext_lazy("Loss reasons")
    new_title = gettext_lazy("New loss reason")

    def delete_url(self):
        return reverse("sales:setup_loss_reason_delete", args=[self.object.pk])


class LossReasonCreateView(LossReasonMixin, SetupWriteMixin, ObjectCreateView):
    success_message = gettext_lazy("Loss reason “%(object)s” added.")


class LossReasonUpdateView(LossReasonMixin, SetupWriteMixin, ObjectUpdateView):
    success_message = gettext_lazy("Loss reason “%(object)s” saved.")


class LossReasonDeleteView(SetupDeleteView):
    model = LossReason
    list_url_name = "sales:setup_loss_reasons"


# Contact results and automatic transitions --------------------------------------------


class ResultListView(SetupListView):
    model = InteractionResult
    template_name = "sales/setup_results.html"


class ResultMixin:
    model = InteractionResult
    form_class = ResultForm
    list_url_name = "sales:setup_results"
    list_title = gettext_lazy("Contact results")
    new_title = gettext_lazy("New contact result")

    def delete_url(self):
        return reverse("sales:setup_result_delete", args=[self.object.pk])


class ResultCreateView(ResultMixin, SetupWriteMixin, ObjectCreateView):
    success_message = gettext_lazy("Result “%(object)s” added.")


class ResultUpdateView(ResultMixin, SetupWriteMixin, ObjectUpdateView):
    success_message = gettext_lazy("Result “%(object)s” saved.")


class ResultDeleteView(SetupDeleteView):
    model = InteractionResult
    list_url_name = "sales:setup_results"


class RuleListView(SetupListView):
    model = TransitionRule
    template_name = "sales/setup_rules.html"

    def restricted_queryset(self):
        return (
            super()
            .restricted_queryset()
            .select_related("result", "from_stage", "to_stage__pipeline")
            .order_by("to_stage__pipeline__order", "to_stage__pipeline__name", "result__name")
        )


class RuleMixin:
    model = TransitionRule
    form_class = RuleForm
    list_url_name = "sales:setup_rules"
    list_title = gettext_lazy("Automatic transitions")
    new_title = gettext_lazy("New automatic transition")

    def delete_url(self):
        return reverse("sales:setup_rule_delete", args=[self.object.pk])


class RuleCreateView(RuleMixin, SetupWriteMixin, ObjectCreateView):
    success_message = gettext_lazy("Automatic transition added.")


class RuleUpdateView(RuleMixin, SetupWriteMixin, ObjectUpdateView):
    success_message = gettext_lazy("Automatic transition saved.")


class RuleDeleteView(SetupDeleteView):
    model = TransitionRule
    list_url_name = "sales:setup_rules"

    def remove(self, item) -> None:
        services.reference_remove(actor=self.request.user, item=item)
