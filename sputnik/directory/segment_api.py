"""`/api/v1/lists/`: lists (segments) of organisations or persons, their members, adding
and removing members of static lists, snapshots of dynamic ones, and criteria evaluated
without saving them."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from sputnik.core.api import RestrictedViewSet, VersionedSerializer
from sputnik.core.audit import acting_as

from . import services
from .api import LinesField, keep_unwritable_lines
from .models import Organization, Person, Segment, SegmentKind
from .segments import capped_count, criteria_errors, matching_records, segment_members


class SegmentSerializer(VersionedSerializer):
    business_lines = LinesField(many=True)
    owner = serializers.PrimaryKeyRelatedField(read_only=True)
    criteria = serializers.JSONField(
        required=False,
        help_text="For dynamic lists: the list API's filter parameters (e.g. status, "
        "attr_<code>_min, attr_<code>_empty, status_in: [..], segment), all of which a "
        'record must match; or {"any": [{…}, {…}]}: groups of them, any of which it must '
        "match. For a new static list: its members are those matching now.",
    )

    class Meta:
        model = Segment
        fields = [
            "id",
            "name",
            "kind",
            "dynamic",
            "criteria",
            "shared",
            "business_lines",
            "description",
            "owner",
            "version",
        ]


class MemberSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="__str__")


class MembersInput(serializers.Serializer):
    ids = serializers.ListField(child=serializers.IntegerField(), allow_empty=False)


class CriteriaInput(serializers.Serializer):
    kind = serializers.ChoiceField(choices=SegmentKind.choices)
    criteria = serializers.JSONField(
        help_text='Filter parameters, or {"any": [{…}, {…}]} for groups (as a list\'s).'
    )


class EvaluationSerializer(serializers.Serializer):
    count = serializers.IntegerField(help_text="Matching now (at most 10 000).")
    capped = serializers.BooleanField(help_text="More match than the count says.")
    first = MemberSerializer(many=True)


EVALUATE_FIRST = 20


class SegmentViewSet(RestrictedViewSet):
    """Lists the caller owns or that are shared in the caller's business lines."""

    model = Segment
    serializer_class = SegmentSerializer
    filterset_fields = ["kind", "dynamic", "shared"]

    def create_record(self, data):
        data.pop("version", None)
        return services.segment_create(actor=self.request.user, **data)

    def update_record(self, instance, data):
        version = data.pop("version")
        data.pop("dynamic", None)
        data = keep_unwritable_lines(self.request.user, instance, data)
        return services.segment_update(
            actor=self.request.user, segment=instance, expected_version=version, **data
        )

    def delete_record(self, instance):
        services.segment_delete(actor=self.request.user, segment=instance)

    @extend_schema(responses=MemberSerializer(many=True))
    @action(detail=True, methods=["get"])
    def members(self, request, pk=None):
        """The members the caller may see (a dynamic list is evaluated now)."""
        segment = self.get_object()
        members = segment_members(request.user, segment).order_by("pk")
        page = self.paginate_queryset(members)
        return self.get_paginated_response(MemberSerializer(page, many=True).data)

    @extend_schema(request=MembersInput, responses=MemberSerializer(many=True))
    @action(detail=True, methods=["post"])
    def add(self, request, pk=None):
        """Add organisations or persons (by id) to a static list."""
        return self._change_members(request, services.segment_add)

    @extend_schema(request=MembersInput, responses=MemberSerializer(many=True))
    @action(detail=True, methods=["post"])
    def remove(self, request, pk=None):
        """Take organisations or persons (by id) out of a static list."""
        return self._change_members(request, services.segment_remove)

    @extend_schema(request=None, responses=SegmentSerializer)
    @action(detail=True, methods=["post"])
    def snapshot(self, request, pk=None):
        """A new static list with the members the caller sees in this one now."""
        segment = self.get_object()
        with acting_as(request.user, request):
            copy = services.segment_snapshot(actor=request.user, segment=segment)
        return Response(self.get_serializer(copy).data, status=201)

    @extend_schema(request=CriteriaInput, responses=EvaluationSerializer)
    @action(detail=False, methods=["post"])
    def evaluate(self, request):
        """How many records criteria match now, and the first of them, without saving a
        list (what the criteria page shows while it is edited)."""
        data = CriteriaInput(data=request.data)
        data.is_valid(raise_exception=True)
        kind, criteria = data.validated_data["kind"], data.validated_data["criteria"]
        problems = criteria_errors(request.user, kind, criteria)
        if problems:
            raise serializers.ValidationError({"criteria": problems})
        records = matching_records(request.user, kind, criteria).order_by("pk")
        count, capped = capped_count(records)
        return Response(
            {
                "count": count,
                "capped": capped,
                "first": MemberSerializer(records[:EVALUATE_FIRST], many=True).data,
            }
        )

    @property
    def access_action(self) -> str:
        if self.action in ("add", "remove"):
            return "change"
        if self.action == "snapshot":
            return "view"
        return super().access_action

    def _change_members(self, request, change):
        segment = self.get_object()
        data = MembersInput(data=request.data)
        data.is_valid(raise_exception=True)
        model = Organization if segment.kind == SegmentKind.ORGANIZATIONS else Person
        ids = data.validated_data["ids"]
        records = list(model.objects.restrict(request.user).filter(pk__in=ids))
        if len(records) != len(set(ids)):
            raise serializers.ValidationError(
                {"ids": [_("Some of these records do not exist or are not yours to see.")]}
            )
        with acting_as(request.user, request):
            change(actor=request.user, segment=segment, records=records)
        return self.members(request, pk=segment.pk)
