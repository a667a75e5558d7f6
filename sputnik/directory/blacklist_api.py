"""REST endpoints of the undesirable-counterparty registry: read, add, and remove with a
reason. Entries are never edited or deleted, so there is no PUT, PATCH or DELETE."""

from __future__ import annotations

from django.db import transaction
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from sputnik.core.api import RestrictedViewSet
from sputnik.core.audit import acting_as

from . import blacklist
from .api import VisibleOrganization
from .blacklist_views import BlacklistFilter
from .models import BlacklistEntry


class BlacklistEntrySerializer(serializers.ModelSerializer):
    organization = VisibleOrganization(required=False, allow_null=True)
    is_active = serializers.BooleanField(read_only=True)

    class Meta:
        model = BlacklistEntry
        fields = [
            "id",
            "organization",
            "inn",
            "name",
            "reason",
            "is_active",
            "added_by",
            "created_at",
            "removed_at",
            "removed_by",
            "removal_reason",
        ]
        read_only_fields = [
            "added_by",
            "created_at",
            "removed_at",
            "removed_by",
            "removal_reason",
        ]
        extra_kwargs = {"inn": {"max_length": 20}}
        validators = []  # the service checks the INN and refuses a second active entry


class RemovalSerializer(serializers.Serializer):
    reason = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="Why it is no longer undesirable."
    )


class BlacklistEntryViewSet(RestrictedViewSet):
    """The registry of undesirable counterparties (security officers write)."""

    model = BlacklistEntry
    serializer_class = BlacklistEntrySerializer
    filterset_class = BlacklistFilter
    http_method_names = ["get", "post", "head", "options"]

    @property
    def access_action(self) -> str:
        if self.action == "remove":
            return "change"
        return super().access_action

    def create_record(self, data):
        return blacklist.blacklist_add(
            actor=self.request.user,
            reason=data["reason"],
            organization=data.get("organization"),
            inn=data.get("inn", ""),
            name=data.get("name", ""),
        )

    @extend_schema(request=RemovalSerializer, responses=BlacklistEntrySerializer)
    @action(detail=True, methods=["post"])
    def remove(self, request, pk=None):
        """Take the counterparty off the registry; the entry stays as history."""
        entry = self.get_object()
        payload = RemovalSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        with acting_as(request.user, request), transaction.atomic():
            entry = blacklist.blacklist_remove(
                actor=request.user, entry=entry, reason=payload.validated_data["reason"]
            )
        return Response(self.get_serializer(entry).data)


def register(router) -> None:
    """Add the registry's viewsets to the API router."""
    router.register("blacklist", BlacklistEntryViewSet, basename="blacklistentry")
