"""`/api/v1/pipelines/`, `/stages/`, `/loss-reasons/` and `/deals/` (with a `move`
action): the same services and rules as the pages."""

from __future__ import annotations

import django_filters
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from sputnik.access.models import lines_with_role
from sputnik.core.api import RestrictedViewSet, VersionedSerializer
from sputnik.core.audit import acting_as
from sputnik.directory.api import VisibleOrganization, VisiblePerson
from sputnik.directory.services import reference_delete

from . import services
from .models import Deal, LossReason, Pipeline, Stage, StageChange


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


class LossReasonViewSet(SetupViewSet):
    model = LossReason
    serializer_class = LossReasonSerializer


class WritableLine(serializers.PrimaryKeyRelatedField):
    def get_queryset(self):
        return lines_with_role(self.context["request"].user)


class DealSerializer(VersionedSerializer):
    organization = VisibleOrganization()
    persons = VisiblePerson(many=True, required=False)
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


class DealFilter(django_filters.FilterSet):
    open = django_filters.BooleanFilter(field_name="closed_at", lookup_expr="isnull")

    class Meta:
        model = Deal
        fields = ["organization", "pipeline", "stage", "business_line", "responsible", "open"]


class DealViewSet(RestrictedViewSet):
    """Deals of the caller's business lines; stages change only through `move`, which
    records every change."""

    model = Deal
    serializer_class = DealSerializer
    filterset_class = DealFilter

    def restricted_queryset(self, action):
        return super().restricted_queryset(action).prefetch_related("persons")

    def create_record(self, data):
        data.pop("version", None)
        return services.deal_create(actor=self.request.user, **data)

    def update_record(self, instance, data):
        version = data.pop("version")
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


def register(router) -> None:
    router.register("pipelines", PipelineViewSet, basename="pipeline")
    router.register("stages", StageViewSet, basename="stage")
    router.register("loss-reasons", LossReasonViewSet, basename="lossreason")
    router.register("deals", DealViewSet, basename="deal")
