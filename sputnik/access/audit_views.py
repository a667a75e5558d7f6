"""The security officer's audit pages, the per-record history and audit exports."""

from __future__ import annotations

from django.apps import apps
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.views import View
from django.views.generic import TemplateView

from sputnik.core.views import ObjectListView, RunDownloadView, RunView

from . import services
from .audit import audit_entries, describe, describe_events, history_of
from .filters import LogEntryFilter, SecurityEventFilter
from .models import AuditExport, SecurityEvent

PAGE = 25


def _page(request, queryset, size=PAGE):
    page = Paginator(queryset, size).get_page(request.GET.get("page"))
    page.object_list = describe(page.object_list)
    return page


class AuditLogView(LoginRequiredMixin, PermissionRequiredMixin, TemplateView):
    """Every change to business data: who, when, from where, old → new."""

    permission_required = "access.view_audit"
    template_name = "access/audit_log.html"

    def get_template_names(self):
        if self.request.htmx and not self.request.htmx.boosted:
            return [f"{self.template_name}#table"]
        return [self.template_name]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["filterset"] = LogEntryFilter(self.request.GET or None)
        context["page_obj"] = _page(
            self.request, audit_entries(self.request.user, self.request.GET)
        )
        context["query"] = self.request.GET.urlencode()
        return context


class SecurityEventListView(ObjectListView):
    model = SecurityEvent
    filterset_class = SecurityEventFilter
    template_name = "access/security_events.html"

    def restricted_queryset(self):
        return super().restricted_queryset().select_related("user")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["object_list"] = describe_events(context["object_list"])
        return context


class HistoryView(LoginRequiredMixin, TemplateView):
    """The change history of any record the user may see (embedded in its card)."""

    template_name = "access/history.html"

    def get_template_names(self):
        if self.request.htmx:
            return [f"{self.template_name}#entries"]
        return [self.template_name]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        try:
            model = apps.get_model(kwargs["app_label"], kwargs["model"])
        except LookupError:
            raise Http404 from None
        manager = model._default_manager
        if not hasattr(manager, "restrict"):
            raise Http404
        record = get_object_or_404(manager.restrict(self.request.user, "view"), pk=kwargs["pk"])
        context["record"] = record
        context["page_obj"] = _page(self.request, history_of(record), size=20)
        return context


class AuditExportStartView(LoginRequiredMixin, PermissionRequiredMixin, View):
    permission_required = "access.view_audit"

    def post(self, request):
        filters = {k: v for k, v in request.POST.items() if k in LogEntryFilter.base_filters and v}
        run = services.audit_export_start(actor=request.user, filters=filters, request=request)
        return redirect(run.get_absolute_url())


class AuditExportView(RunView):
    model = AuditExport
    template_name = "access/audit_export.html"
    download_url_name = "access:audit_export_download"


class AuditExportDownloadView(RunDownloadView):
    model = AuditExport

    def filename(self, run) -> str:
        return f"audit-{run.pk}.csv"
