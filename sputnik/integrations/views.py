"""Export pages: start an export of the list being looked at, follow it, download it."""

from __future__ import annotations

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views import View

from sputnik.core.models import model_permission
from sputnik.core.views import ObjectListView, RunDownloadView, RunView

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


class ExportView(RunView):
    model = Export
    template_name = "integrations/export.html"
    download_url_name = "integrations:export_download"


class ExportDownloadView(RunDownloadView):
    model = Export

    def filename(self, run) -> str:
        return run.filename
