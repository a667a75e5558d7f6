"""The search endpoint of the REST API: `/api/v1/search/?q=` (DIR-4)."""

from __future__ import annotations

from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from .search import QueryKind, search

MAX_LIMIT = 50


class FoundOrganizationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    short_name = serializers.CharField()
    inn = serializers.CharField()
    url = serializers.SerializerMethodField(help_text="The organisation's page.")

    def get_url(self, organization) -> str:
        return self.context["request"].build_absolute_uri(organization.get_absolute_url())


class FoundPersonSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    full_name = serializers.CharField(help_text="Surname, first name, patronymic.")
    url = serializers.SerializerMethodField(help_text="The person's page.")

    def get_url(self, person) -> str:
        return self.context["request"].build_absolute_uri(person.get_absolute_url())


class SearchResultSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(
        choices=QueryKind.choices, help_text="How the query was understood."
    )
    organizations = FoundOrganizationSerializer(many=True)
    persons = FoundPersonSerializer(many=True)


class SearchView(APIView):
    """Organisations and persons the caller may see, best matches first."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="search",
        summary="Find organisations and persons",
        description=(
            "One query, understood by its form: 10 or 12 digits are an INN (exact), a phone "
            "in any format is matched in E.164 against contacts and work phones, anything "
            "with @ is an e-mail (any case), everything else is a name or its fragments, "
            "typo-tolerant, Cyrillic or Latin. Only records of the caller's business lines "
            "are returned."
        ),
        parameters=[
            OpenApiParameter(
                "q", OpenApiTypes.STR, description="Name, INN, phone or e-mail.", required=True
            ),
            OpenApiParameter(
                "limit",
                OpenApiTypes.INT,
                description=f"Results of each kind, 1–{MAX_LIMIT} (10 by default).",
            ),
        ],
        responses=SearchResultSerializer,
        tags=["search"],
    )
    def get(self, request):
        try:
            limit = min(max(int(request.query_params.get("limit", 10)), 1), MAX_LIMIT)
        except ValueError:
            limit = 10
        results = search(request.user, request.query_params.get("q", ""), limit=limit)
        serializer = SearchResultSerializer(results, context={"request": request})
        return Response(serializer.data)


urlpatterns = [path("search/", SearchView.as_view(), name="search")]
