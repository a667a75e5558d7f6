"""`/api/v1/exports/`: start an export of a list with the list's filter parameters,
follow its progress and fetch the .xlsx file."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, serializers
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.reverse import reverse

from sputnik.access.models import BusinessLine
from sputnik.core.api import RestrictedViewSet
from sputnik.core.models import model_permission
from sputnik.core.views import run_file_response
from sputnik.directory.models import Segment

from . import services
from .excel import KINDS
from .importing import DuplicatePolicy, ImportKind, may_import, targets
from .models import Export, Import


class ExportSerializer(serializers.ModelSerializer):
    params = serializers.DictField(
        child=serializers.CharField(),
        required=False,
        help_text="The list's filter and sort, as in the list's API (e.g. q, status, o).",
    )
    file = serializers.SerializerMethodField(help_text="Where to fetch the .xlsx when done.")

    class Meta:
        model = Export
        fields = ["id", "kind", "params", "status", "done", "total", "error", "file", "created_at"]
        read_only_fields = ["status", "done", "total", "error", "created_at"]

    def get_file(self, run) -> str | None:
        if not run.file:
            return None
        return reverse("api:export-download", args=[run.pk], request=self.context.get("request"))


class ExportViewSet(RestrictedViewSet):
    """Exports of lists to .xlsx started by the caller (no changes once started)."""

    model = Export
    serializer_class = ExportSerializer
    http_method_names = ["get", "post", "head", "options"]

    def check_add_permission(self) -> None:
        """Anyone may export a list they may read; the kind decides which."""

    def create_record(self, data):
        model = KINDS[data["kind"]][0]
        if not self.request.user.has_perm(model_permission(model, "view")):
            raise exceptions.PermissionDenied(_("Your role does not give access to this list."))
        return services.export_start(
            actor=self.request.user,
            kind=data["kind"],
            params=data.get("params", {}),
            request=self.request,
        )

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"])
    def download(self, request, pk=None):
        run = self.get_object()
        return run_file_response(run, run.filename)


# Imports -----------------------------------------------------------------------------


class ImportSerializer(serializers.ModelSerializer):
    source = serializers.FileField(
        write_only=True, help_text=".xlsx, .xls, .ods or .csv (UTF-8 or Windows-1251)."
    )
    mapping = serializers.ListField(
        child=serializers.CharField(allow_blank=True),
        required=False,
        help_text='One field key per column ("" to skip it); guessed from the headers '
        "when not given. Keys: GET /api/v1/imports/fields/?kind=…",
    )
    business_lines = serializers.PrimaryKeyRelatedField(
        many=True, queryset=BusinessLine.objects.filter(is_active=True), required=False
    )
    segment = serializers.PrimaryKeyRelatedField(
        queryset=Segment.objects.all(),
        required=False,
        allow_null=True,
        help_text="A static list the rows' records join.",
    )
    rejected = serializers.SerializerMethodField(help_text="The rejected rows .xlsx, if any.")

    class Meta:
        model = Import
        fields = [
            "id",
            "kind",
            "source",
            "source_name",
            "sheet",
            "headers",
            "mapping",
            "policy",
            "valid_only",
            "business_lines",
            "segment",
            "segment_name",
            "status",
            "done",
            "total",
            "error",
            "result",
            "rejected",
            "created_at",
        ]
        read_only_fields = [
            "source_name",
            "sheet",
            "headers",
            "status",
            "done",
            "total",
            "error",
            "result",
            "created_at",
        ]

    def get_rejected(self, run) -> str | None:
        if not run.file:
            return None
        return reverse("api:import-rejected", args=[run.pk], request=self.context.get("request"))

    def get_fields(self):
        fields = super().get_fields()
        if self.instance is not None and not isinstance(self.instance, list):
            fields["kind"].read_only = True
            fields["source"].required = False
        return fields


class ImportViewSet(RestrictedViewSet):
    """Imports of organisations, persons and their jobs from spreadsheets, started by the
    caller: create one with a file (columns guessed), adjust it while it is a draft, look
    at the `preview` of every row, then `start` it and follow its status."""

    model = Import
    serializer_class = ImportSerializer
    parser_classes = [MultiPartParser, FormParser, JSONParser]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def check_add_permission(self) -> None:
        """The kind and the policy decide: checked with them."""

    def _check(self, kind: str, policy: str) -> None:
        if not may_import(self.request.user, kind, policy):
            raise exceptions.PermissionDenied(_("Your role does not give access to this list."))

    def create_record(self, data):
        self._check(data["kind"], DuplicatePolicy.MATCH)
        run = services.import_create(
            actor=self.request.user,
            kind=data.pop("kind"),
            upload=data.pop("source"),
            request=self.request,
        )
        # A form post sends no list as an empty one: keep what was guessed.
        for name in ("mapping", "business_lines"):
            if not data.get(name):
                data.pop(name, None)
        return self._configure(run, data)

    def update_record(self, instance, data):
        data.pop("source", None)
        return self._configure(instance, data)

    def _configure(self, run: Import, data: dict) -> Import:
        self._check(run.kind, data.get("policy", run.policy))
        if not data:
            return run
        return services.import_configure(actor=self.request.user, run=run, **data)

    @extend_schema(
        parameters=[OpenApiParameter("kind", str, enum=ImportKind.values)],
        responses={200: OpenApiTypes.OBJECT},
    )
    @action(detail=False, methods=["get"])
    def fields(self, request):
        """The fields a column can fill for one kind of import."""
        kind = request.query_params.get("kind", ImportKind.ORGANIZATIONS)
        if kind not in ImportKind.values:
            raise exceptions.ValidationError({"kind": _("Choose what the rows are.")})
        return Response(
            [
                {"key": key, "label": target.label, "group": target.group}
                for key, target in targets(kind).items()
            ]
        )

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "all", bool, description="Every row, not only those with errors or warnings."
            ),
            OpenApiParameter("limit", int, description="At most this many rows (1000)."),
        ],
        responses={200: OpenApiTypes.OBJECT},
    )
    @action(detail=True, methods=["get"])
    def preview(self, request, pk=None):
        """Every row judged as the import would take it now; nothing is written."""
        run = self.get_object()
        checked = services.import_check(run)
        rows = checked.rows
        if request.query_params.get("all") not in ("1", "true"):
            rows = [row for row in rows if row.errors or row.warnings]
        try:
            limit = max(1, min(int(request.query_params.get("limit", 1000)), 10_000))
        except ValueError:
            limit = 1000
        return Response(
            {
                "summary": checked.summary(),
                "rows": [
                    {
                        "row": row.number,
                        "organization": row.organization_action,
                        "person": row.person_action,
                        "errors": dict(row.errors),
                        "warnings": dict(row.warnings),
                    }
                    for row in rows[:limit]
                ],
            }
        )

    @extend_schema(request=None, responses={202: ImportSerializer})
    @action(detail=True, methods=["post"])
    def start(self, request, pk=None):
        """Queue a draft import, or run again one that failed or was interrupted."""
        run = self.get_object()
        self._check(run.kind, run.policy)
        with transaction.atomic():
            services.import_start(actor=request.user, run=run)
        return Response(self.get_serializer(run).data, status=202)

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"])
    def rejected(self, request, pk=None):
        run = self.get_object()
        return run_file_response(run, run.rejected_filename)
