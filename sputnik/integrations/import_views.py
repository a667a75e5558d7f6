"""The import wizard: upload a file, say what its columns are, look at every row as it
would be imported, confirm, follow the run and fetch the rejected rows."""

from __future__ import annotations

import contextlib

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views import generic

from sputnik.core.models import RunStatus
from sputnik.core.views import ObjectListView, RestrictedMixin, RunDownloadView, RunView

from . import services
from .forms import ImportOptionsForm, ImportUploadForm
from .importing import SAMPLE_ROWS, Action, DuplicatePolicy, may_import
from .models import Import
from .reading import read_table

PREVIEW_ROWS = 200
PREVIEW_CHECK = 20_000  # rows checked while the page waits; the run checks them all


class ImportListView(ObjectListView):
    model = Import
    template_name = "integrations/import_list.html"
    paginate_by = 20


class ImportCreateView(RestrictedMixin, generic.FormView):
    """Step 1: the file and what its rows are."""

    model = Import
    form_class = ImportUploadForm
    template_name = "integrations/import_new.html"

    def get_initial(self):
        return {"kind": self.request.GET.get("kind", "organizations")}

    def form_valid(self, form):
        kind = form.cleaned_data["kind"]
        if not may_import(self.request.user, kind, DuplicatePolicy.MATCH):
            raise PermissionDenied(_("Your role does not give access to this list."))
        try:
            with transaction.atomic():
                run = services.import_create(
                    actor=self.request.user,
                    kind=kind,
                    upload=form.cleaned_data["source"],
                    request=self.request,
                )
                if segment := self.request.GET.get("segment"):
                    self._preselect(run, segment)
        except ValidationError as error:
            for message in error.messages:
                form.add_error("source", message)
            return self.form_invalid(form)
        return redirect("integrations:import_columns", run.pk)

    def _preselect(self, run: Import, segment: str) -> None:
        """Coming from a list's page: its members come from the file (found, not created)."""
        if segment.isdigit():
            # Not a list the user may change: left for step 2.
            with contextlib.suppress(ValidationError):
                services.import_configure(
                    actor=self.request.user,
                    run=run,
                    segment_id=int(segment),
                    policy=DuplicatePolicy.MATCH,
                )


class DraftMixin(RestrictedMixin):
    model = Import

    def draft(self) -> Import:
        run = get_object_or_404(self.restricted_queryset(), pk=self.kwargs["pk"])
        if run.status != RunStatus.DRAFT:
            return None
        return run


class ImportColumnsView(DraftMixin, generic.FormView):
    """Step 2: what each column fills, and what to do with records already in the base."""

    template_name = "integrations/import_columns.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.run = self.draft()
            if self.run is None:
                return redirect("integrations:import", kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_form(self, form_class=None):
        table = read_table(self.run.source.read(), self.run.source_name, sheet=self.run.sheet)
        self.run.source.close()
        self.sheets = table.sheets
        return ImportOptionsForm(
            **self.get_form_kwargs(),
            instance=self.run,
            user=self.request.user,
            samples=table.rows[:5],
        )

    def get_context_data(self, **kwargs):
        kwargs.setdefault("form", self.get_form())  # it reads the sheets
        return super().get_context_data(run=self.run, sheets=self.sheets, **kwargs)

    def form_valid(self, form):
        data = form.cleaned_data
        if not may_import(self.request.user, self.run.kind, data["policy"]):
            form.add_error("policy", _("Your role allows only finding records in the base."))
            return self.form_invalid(form)
        try:
            with transaction.atomic():
                services.import_configure(
                    actor=self.request.user,
                    run=self.run,
                    mapping=form.mapping(),
                    save_mapping_as=data["save_mapping_as"],
                    business_lines=data["business_lines"],
                    **{
                        name: data[name]
                        for name in ("policy", "valid_only", "segment", "segment_name")
                    },
                )
        except ValidationError as error:
            for field, messages_ in error.message_dict.items():
                form.add_error(field if field in form.fields else None, messages_)
            return self.form_invalid(form)
        return redirect("integrations:import_preview", self.run.pk)


class ImportSheetView(DraftMixin, generic.View):
    """Another sheet of the workbook (its columns are guessed afresh)."""

    def post(self, request, pk):
        run = self.draft()
        if run is None:
            return redirect("integrations:import", pk)
        try:
            with transaction.atomic():
                services.import_sheet(actor=request.user, run=run, sheet=request.POST["sheet"])
        except (ValidationError, KeyError) as error:
            messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
        return redirect("integrations:import_columns", pk)


class ImportPreviewView(DraftMixin, generic.TemplateView):
    """Step 3: every row checked as it would be imported now; nothing is written."""

    template_name = "integrations/import_preview.html"

    def get(self, request, *args, **kwargs):
        run = self.draft()
        if run is None:
            return redirect("integrations:import", kwargs["pk"])
        checked = services.import_check(run, limit=PREVIEW_CHECK)
        noted = [row for row in checked.rows if row.errors or row.warnings]
        shown = noted[:PREVIEW_ROWS] if noted else checked.rows[:SAMPLE_ROWS]
        fields = checked.fields
        columns = [
            (header, fields[key].label if key in fields else "", key)
            for header, key in zip(run.headers, run.mapping, strict=False)
        ]
        rows = [
            {
                "row": row,
                "cells": [
                    (
                        value,
                        row.errors.get(key, []) if key else [],
                        row.warnings.get(key, []) if key else [],
                    )
                    for value, (_h, _l, key) in zip(row.cells, columns, strict=False)
                ],
                "row_errors": [
                    f"{fields[key].label}: {' '.join(found)}" if key in fields else " ".join(found)
                    for key, found in row.errors.items()
                    if key not in run.mapping
                ],
            }
            for row in shown
        ]
        context = self.get_context_data(
            run=run,
            summary=checked.summary(),
            columns=columns,
            rows=rows,
            noted=len(noted),
            more=max(0, len(noted) - PREVIEW_ROWS),
            unchecked=checked.total - len(checked.rows),
            actions=Action,
        )
        return self.render_to_response(context)


class ImportStartView(DraftMixin, generic.View):
    """Step 4: confirm. A failed or interrupted import may be started again."""

    def post(self, request, pk):
        run = get_object_or_404(self.restricted_queryset(), pk=pk)
        if not may_import(request.user, run.kind, run.policy):
            raise PermissionDenied(_("Your role does not give access to this list."))
        try:
            with transaction.atomic():
                services.import_start(actor=request.user, run=run)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            if run.status == RunStatus.DRAFT:
                return redirect("integrations:import_columns", run.pk)
        return redirect(run.get_absolute_url())


class ImportView(RunView):
    model = Import
    template_name = "integrations/import.html"
    result_template = "integrations/import_result.html"


class ImportRejectedView(RunDownloadView):
    model = Import

    def filename(self, run) -> str:
        return run.rejected_filename
