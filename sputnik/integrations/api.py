"""`/api/v1/exports/`: start an export of a list with the list's filter parameters,
follow its progress and fetch the .xlsx file."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers
from rest_framework.decorators import action
from rest_framework.reverse import reverse

from sputnik.core.api import RestrictedViewSet
from sputnik.core.models import model_permission
from sputnik.core.views import run_file_response

from . import services
from .excel import KINDS
from .models import Export


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
