"""Export pages: start an export of the list being looked at, follow it, download it."""

from __future__ import annotations

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from sputnik.core.models import model_permission
from sputnik.core.views import ObjectDetailView, ObjectListView

from . import services
from .excel import KINDS
from .models import Export, ExportKind


class ExportStartView(LoginRequiredMixin, View):
    """POST from a list page: the list's own query string (filter and sort) goes along."""

    def post(self, request, kind):
        if kind not in ExportKind.values:
            raise Http404
        model = KINDS[kind][0]
        if not request.user.has_perm(model_permission(model, "view")):
            raise PermissionDenied(_("Your role does not give access to this list."))
        params = {
            key: value
            for key, value in request.POST.items()
            if key not in ("csrfmiddlewaretoken", "page") and value
        }
        run = services.export_start(actor=request.user, kind=kind, params=params, request=request)
        return redirect(run.get_absolute_url())


class ExportListView(ObjectListView):
    """The exports the user started, newest first."""

    model = Export
    template_name = "integrations/export_list.html"
    paginate_by = 20


class ExportView(ObjectDetailView):
    """Progress of an export; the page polls itself until the file is ready."""

    model = Export
    template_name = "integrations/export.html"
    context_object_name = "run"

    def get_template_names(self):
        if self.request.htmx:
            return ["core/run_progress.html"]
        return [self.template_name]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if self.object.file:
            context["download_url"] = reverse("integrations:export_download", args=[self.object.pk])
        return context


class ExportDownloadView(ObjectDetailView):
    model = Export

    def render_to_response(self, context, **kwargs):
        run = self.object
        if not run.file:
            raise Http404
        return FileResponse(run.file.open("rb"), as_attachment=True, filename=run.filename)
