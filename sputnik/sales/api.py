"""`/api/v1/pipelines/`, `/stages/`, `/loss-reasons/`, `/deals/` (with `move`),
`/interaction-results/`, `/transition-rules/` and `/interactions/` (with `complete` and
`cancel`): the same services and rules as the pages."""

from __future__ import annotations

import django_filters
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from sputnik.access.models import User, lines_with_role
from sputnik.core.api import RestrictedViewSet, VersionedSerializer
from sputnik.core.audit import acting_as
from sputnik.core.filters import FilterSet
from sputnik.directory.api import AttributesField, VisibleOrganization, VisiblePerson
from sputnik.directory.models import AttributeTarget
from sputnik.directory.services import reference_delete

from . import services
from .filters import DealFilter
from .handover import PERMISSION, HandoverPlan, handover_apply, handover_plan
from .models import (
    Deal,
    Interaction,
    InteractionResult,
    InteractionStatus,
    LossReason,
    Pipeline,
    Stage,
    StageChange,
    TransitionRule,
)
from .rows import with_unseen_persons


class StageSerializer(serializers.ModelSerializer):
    class Meta:
        model = Stage
        fields = [
            "id",
            "pipeline",
            "name",
            "order",
            "outcome",
            "probability",
            "target_days",
            "required_fields",
        ]


class PipelineSerializer(serializers.ModelSerializer):
    stages = StageSerializer(many=True, read_only=True)

    class Meta:
        model = Pipeline
        fields = ["id", "name", "order", "is_active", "stages"]


class LossReasonSerializer(serializers.ModelSerializer):
    class Meta:
        model = LossReason
        fields = ["id", "name", "is_active"]


class SetupViewSet(RestrictedViewSet):
    """Company-wide sales settings: everyone in sales reads them, administrators write."""

    def create_record(self, data):
        return services.reference_save(actor=self.request.user, item=self.model(), **data)

    def update_record(self, instance, data):
        return services.reference_save(actor=self.request.user, item=instance, **data)

    def delete_record(self, instance):
        reference_delete(actor=self.request.user, item=instance)


class PipelineViewSet(SetupViewSet):
    """Sales processes with their stages in order."""

    model = Pipeline
    serializer_class = PipelineSerializer

    def restricted_queryset(self, action):
        return super().restricted_queryset(action).prefetch_related("stages")


class StageViewSet(SetupViewSet):
    """Stages of the pipelines (filter with `?pipeline=`)."""

    model = Stage
    serializer_class = StageSerializer
    filterset_fields = ["pipeline", "outcome"]

    def delete_record(self, instance):
        services.stage_delete(actor=self.request.user, stage=instance)


class LossReasonViewSet(SetupViewSet):
    model = LossReason
    serializer_class = LossReasonSerializer


PERSONS_HELP = (
    "The persons you may see; replacing them keeps those you may not, while the "
    "organisation stays the same."
)


class WritableLine(serializers.PrimaryKeyRelatedField):
    def get_queryset(self):
        return lines_with_role(self.context["request"].user)


class DealSerializer(VersionedSerializer):
    organization = VisibleOrganization()
    persons = VisiblePerson(
        many=True,
        required=False,
        help_text=PERSONS_HELP + " Employees of the organisation (current jobs).",
    )
    attributes = AttributesField(AttributeTarget.DEAL)
    business_line = WritableLine()
    stage = serializers.PrimaryKeyRelatedField(
        queryset=Stage.objects.all(),
        required=False,
        help_text="On creation only (the pipeline's first stage if left out); then `move`.",
    )

    class Meta:
        model = Deal
        fields = [
            "id",
            *Deal.EDITABLE_FIELDS,
            "attributes",
            "pipeline",
            "stage",
            "loss_reason",
            "stage_entered_at",
            "closed_at",
            "created_at",
            "version",
        ]
        read_only_fields = ["loss_reason", "stage_entered_at", "closed_at", "created_at"]

    def get_fields(self):
        fields = super().get_fields()
        if self.instance is not None and not isinstance(self.instance, list):
            fields["pipeline"].read_only = True
            fields["stage"].read_only = True
        return fields


class MoveSerializer(serializers.Serializer):
    stage = serializers.PrimaryKeyRelatedField(queryset=Stage.objects.all())
    version = serializers.IntegerField(help_text="The version of the deal the client read.")
    reason = serializers.CharField(required=False, allow_blank=True, max_length=300)
    loss_reason = serializers.PrimaryKeyRelatedField(
        queryset=LossReason.objects.filter(is_active=True), required=False, allow_null=True
    )


class StageChangeSerializer(serializers.ModelSerializer):
    class Meta:
        model = StageChange
        fields = ["id", "from_stage", "to_stage", "at", "by", "reason"]


class PersonsMixin:
    """Deals and contacts name persons: the caller is shown those they may see (see
    `VisiblePerson`), and replacing the persons keeps the others, which the caller could
    not send back."""

    def keep_unseen_persons(self, instance, data: dict) -> None:
        if "persons" in data:
            organization = data.get("organization", instance.organization)
            data["persons"] = with_unseen_persons(
                instance, data["persons"], self.request.user, organization
            )


class DealViewSet(PersonsMixin, RestrictedViewSet):
    """Deals of the caller's business lines; stages change only through `move`, which
    records every change."""

    model = Deal
    serializer_class = DealSerializer
    filterset_class = DealFilter

    def restricted_queryset(self, action):
        return self.with_relations(
            super().restricted_queryset(action), "persons", visible=("persons",)
        )

    def create_record(self, data):
        data.pop("version", None)
        return services.deal_create(actor=self.request.user, **data)

    def update_record(self, instance, data):
        version = data.pop("version")
        self.keep_unseen_persons(instance, data)
        return services.deal_update(
            actor=self.request.user, deal=instance, expected_version=version, **data
        )

    def delete_record(self, instance):
        services.deal_delete(actor=self.request.user, deal=instance)

    @property
    def access_action(self) -> str:
        if self.action == "move":
            return "change"
        return super().access_action

    @extend_schema(request=MoveSerializer, responses=DealSerializer)
    @action(detail=True, methods=["post"])
    def move(self, request, pk=None):
        """Move the deal to another stage of its pipeline (the stage's required fields
        must be filled; a lost deal needs its loss reason)."""
        deal = self.get_object()
        data = MoveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        with acting_as(request.user, request):
            deal = services.deal_move(
                actor=request.user,
                deal=deal,
                stage=data.validated_data["stage"],
                expected_version=data.validated_data["version"],
                reason=data.validated_data.get("reason", ""),
                loss_reason=data.validated_data.get("loss_reason"),
            )
        return Response(self.get_serializer(deal).data)

    @extend_schema(responses=StageChangeSerializer(many=True))
    @action(detail=True, methods=["get"])
    def history(self, request, pk=None):
        """Every stage the deal went through, oldest first."""
        deal = self.get_object()
        changes = deal.stage_changes.all()
        return Response(StageChangeSerializer(changes, many=True).data)


# Interactions -------------------------------------------------------------------------


class InteractionResultSerializer(serializers.ModelSerializer):
    class Meta:
        model = InteractionResult
        fields = ["id", "name", "kind", "order", "is_active", "next_kind", "next_in_days"]


class InteractionResultViewSet(SetupViewSet):
    """Results of contacts per kind, with the next contact each proposes."""

    model = InteractionResult
    serializer_class = InteractionResultSerializer
    filterset_fields = ["kind", "is_active"]


class TransitionRuleSerializer(serializers.ModelSerializer):
    class Meta:
        model = TransitionRule
        fields = ["id", "result", "from_stage", "to_stage"]


class TransitionRuleViewSet(SetupViewSet):
    """Automatic transitions: a result of a contact on a deal moves the deal."""

    model = TransitionRule
    serializer_class = TransitionRuleSerializer

    def delete_record(self, instance):
        services.reference_remove(actor=self.request.user, item=instance)


class NextContactSerializer(serializers.Serializer):
    kind = serializers.CharField()
    due_at = serializers.DateTimeField()
    organization = serializers.IntegerField(source="organization.pk")
    deal = serializers.IntegerField(source="deal.pk", allow_null=True, default=None)
    persons = serializers.SerializerMethodField()
    subject = serializers.CharField()

    def get_persons(self, proposal) -> list[int]:
        return [person.pk for person in proposal.persons]


class ChangeableDeal(serializers.PrimaryKeyRelatedField):
    """A deal the caller may change: a contact's result may move it."""

    def get_queryset(self):
        return Deal.objects.restrict(self.context["request"].user, "change")


class InteractionSerializer(VersionedSerializer):
    organization = VisibleOrganization()
    persons = VisiblePerson(many=True, required=False, help_text=PERSONS_HELP)
    deal = ChangeableDeal(required=False, allow_null=True)
    business_line = WritableLine()
    status = serializers.ChoiceField(
        choices=[InteractionStatus.PLANNED, InteractionStatus.DONE],
        default=InteractionStatus.DONE,
        help_text="On creation: planned (needs due_at) or done (with a result).",
    )
    result = serializers.PrimaryKeyRelatedField(
        queryset=InteractionResult.objects.filter(is_active=True),
        required=False,
        allow_null=True,
    )
    responsible = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), required=False
    )
    is_overdue = serializers.BooleanField(read_only=True)
    next_contact = serializers.SerializerMethodField(
        help_text="After a result: the next contact it proposes (POST it to plan it)."
    )

    class Meta:
        model = Interaction
        fields = [
            "id",
            *Interaction.EDITABLE_FIELDS,
            "status",
            "result",
            "is_overdue",
            "next_contact",
            "created_at",
            "version",
        ]
        read_only_fields = ["created_at"]

    def get_fields(self):
        fields = super().get_fields()
        if self.instance is not None and not isinstance(self.instance, list):
            fields["status"].read_only = True
            fields["result"].read_only = True
        return fields

    def get_next_contact(self, interaction) -> dict | None:
        proposal = self.context.get("next_contact")
        return NextContactSerializer(proposal).data if proposal else None


class CompleteSerializer(serializers.Serializer):
    version = serializers.IntegerField()
    result = serializers.PrimaryKeyRelatedField(
        queryset=InteractionResult.objects.filter(is_active=True),
        required=False,
        allow_null=True,
    )
    notes = serializers.CharField(required=False, allow_blank=True)
    happened_at = serializers.DateTimeField(required=False)
    duration_minutes = serializers.IntegerField(required=False, min_value=0)


class VersionInput(serializers.Serializer):
    version = serializers.IntegerField()


class InteractionFilter(FilterSet):
    overdue = django_filters.BooleanFilter(method="by_overdue")

    class Meta:
        model = Interaction
        fields = ["organization", "deal", "kind", "status", "responsible", "business_line"]

    def by_overdue(self, queryset, name, value):
        late = Q(status=InteractionStatus.PLANNED, due_at__lt=timezone.now())
        return queryset.filter(late) if value else queryset.exclude(late)


class OverdueCountSerializer(serializers.Serializer):
    responsible = serializers.IntegerField()
    name = serializers.CharField()
    overdue = serializers.IntegerField()


class InteractionViewSet(PersonsMixin, RestrictedViewSet):
    """Contacts with clients in the caller's business lines: plan one, log one that
    happened, complete or cancel a planned one. A result may move the contact's deal and
    propose the next contact (`next_contact` in the answer)."""

    model = Interaction
    serializer_class = InteractionSerializer
    filterset_class = InteractionFilter

    def restricted_queryset(self, action):
        return self.with_relations(
            super().restricted_queryset(action), "persons", visible=("persons",)
        )

    def create_record(self, data):
        data.pop("version", None)
        status = data.pop("status", InteractionStatus.DONE)
        if status == InteractionStatus.PLANNED:
            data.pop("result", None)
            return services.interaction_plan(actor=self.request.user, **data)
        interaction, self.proposal = services.interaction_log(actor=self.request.user, **data)
        return interaction

    def update_record(self, instance, data):
        version = data.pop("version")
        self.keep_unseen_persons(instance, data)
        return services.interaction_update(
            actor=self.request.user, interaction=instance, expected_version=version, **data
        )

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "next_contact": getattr(self, "proposal", None)}

    @property
    def access_action(self) -> str:
        if self.action in ("complete", "cancel"):
            return "change"
        return super().access_action

    @extend_schema(request=CompleteSerializer, responses=InteractionSerializer)
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        """The planned contact happened: its result (and notes, time, duration)."""
        interaction = self.get_object()
        data = CompleteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        with acting_as(request.user, request):
            interaction, self.proposal = services.interaction_complete(
                actor=request.user,
                interaction=interaction,
                expected_version=values.pop("version"),
                **values,
            )
        return Response(self.get_serializer(interaction).data)

    @extend_schema(responses=OverdueCountSerializer(many=True))
    @action(detail=False, methods=["get"], url_path="overdue-by-employee")
    def overdue_by_employee(self, request):
        """Overdue planned contacts the caller may see, counted per responsible employee,
        most first."""
        counted = (
            self.restricted_queryset("view")
            .filter(status=InteractionStatus.PLANNED, due_at__lt=timezone.now())
            .values("responsible")
            .annotate(overdue=Count("pk"))
            .order_by("-overdue", "responsible")
        )
        names = {
            user.pk: user.full_name
            for user in User.objects.filter(pk__in=[row["responsible"] for row in counted])
        }
        rows = [{**row, "name": names[row["responsible"]]} for row in counted]
        return Response(OverdueCountSerializer(rows, many=True).data)

    @extend_schema(request=VersionInput, responses=InteractionSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        interaction = self.get_object()
        data = VersionInput(data=request.data)
        data.is_valid(raise_exception=True)
        with acting_as(request.user, request):
            interaction = services.interaction_cancel(
                actor=request.user,
                interaction=interaction,
                expected_version=data.validated_data["version"],
            )
        return Response(self.get_serializer(interaction).data)


def register(router) -> None:
    router.register("pipelines", PipelineViewSet, basename="pipeline")
    router.register("stages", StageViewSet, basename="stage")
    router.register("loss-reasons", LossReasonViewSet, basename="lossreason")
    router.register("deals", DealViewSet, basename="deal")
    router.register("interaction-results", InteractionResultViewSet, basename="interactionresult")
    router.register("transition-rules", TransitionRuleViewSet, basename="transitionrule")
    router.register("interactions", InteractionViewSet, basename="interaction")


# Hand-over (SAL-6) ----------------------------------------------------------------------


class HandoverInput(serializers.Serializer):
    source = serializers.PrimaryKeyRelatedField(queryset=User.objects.all())
    target = serializers.PrimaryKeyRelatedField(queryset=User.objects.all())
    organizations = serializers.ListField(
        child=serializers.IntegerField(),
        required=False,
        allow_null=True,
        default=None,
        help_text="The source's organisations to hand over, with their open deals and "
        "planned contacts; omitted or null: all of the source's.",
    )
    deals = serializers.BooleanField(default=True, help_text="Hand over open deals too.")
    interactions = serializers.BooleanField(
        default=True, help_text="Hand over planned contacts too."
    )


class HandoverStay(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["organization", "deal", "interaction"])
    id = serializers.IntegerField()
    name = serializers.CharField()
    reason = serializers.CharField()


class HandoverResult(serializers.Serializer):
    source = serializers.IntegerField()
    target = serializers.IntegerField()
    selected = serializers.BooleanField(help_text="Only chosen organisations.")
    moves = serializers.DictField(
        child=serializers.ListField(child=serializers.IntegerField()),
        help_text="Ids of what moves (or moved), by kind: organization, deal, interaction.",
    )
    stays = HandoverStay(many=True)


class MayHandOver(permissions.BasePermission):
    message = gettext_lazy("Only heads of sales and administrators hand clients over.")

    def has_permission(self, request, view):
        return request.user.has_perm(PERMISSION)


class HandoverViewSet(viewsets.ViewSet):
    """Hand an employee's clients over to another: POST …/preview/ tells what would move
    and what stays (and why) without writing; POST …/apply/ moves it, audited. Heads of
    sales and administrators only."""

    permission_classes = [permissions.IsAuthenticated, MayHandOver]

    @extend_schema(request=HandoverInput, responses=HandoverResult)
    @action(detail=False, methods=["post"])
    def preview(self, request):
        return Response(_plan_data(handover_plan(actor=request.user, **_handover_input(request))))

    @extend_schema(request=HandoverInput, responses=HandoverResult)
    @action(detail=False, methods=["post"])
    def apply(self, request):
        with acting_as(request.user, request):
            plan = handover_apply(actor=request.user, **_handover_input(request))
        return Response(_plan_data(plan))


def _handover_input(request) -> dict:
    data = HandoverInput(data=request.data)
    data.is_valid(raise_exception=True)
    return dict(data.validated_data)


def _plan_data(plan: HandoverPlan) -> dict:
    return {
        "source": plan.source.pk,
        "target": plan.target.pk,
        "selected": plan.selected,
        "moves": {part.key: [row.pk for row in part.moving] for part in plan.parts},
        "stays": [
            {"kind": part.key, "id": row.pk, "name": str(row), "reason": reason}
            for part in plan.parts
            for row, reason in part.staying
        ],
    }
