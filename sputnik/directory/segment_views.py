"""Pages of lists (segments): all lists, one list with its members, saving the filter of an
organisation or person list as a list, editing, snapshots and adding from a card."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, QueryDict
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from sputnik.core.pagination import CappedPaginator
from sputnik.core.views import (
    ObjectCreateView,
    ObjectDeleteView,
    ObjectDetailView,
    ObjectListView,
    ObjectUpdateView,
    RestrictedMixin,
)

from . import services
from .filters import SegmentListFilter
from .forms import SegmentAddForm, SegmentForm
from .models import Organization, Person, Segment, SegmentKind
from .segments import segment_members

MEMBERS_PAGE = 50
LIST_PAGES = {
    SegmentKind.ORGANIZATIONS: "directory:organization_list",
    SegmentKind.PERSONS: "directory:person_list",
}


class SegmentListView(ObjectListView):
    model = Segment
    filterset_class = SegmentListFilter
    template_name = "directory/segment_list.html"

    def restricted_queryset(self):
        return super().restricted_queryset().select_related("owner")


class SegmentDetailView(ObjectDetailView):
    """A list: what it is, its members (as the viewer may see them) and what to do."""

    model = Segment
    template_name = "directory/segment_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        segment, user = self.object, self.request.user
        members = segment_members(user, segment)
        paginator = CappedPaginator(members, MEMBERS_PAGE)
        context["page_obj"] = paginator.get_page(self.request.GET.get("page"))
        context["open_url"] = f"{reverse(LIST_PAGES[segment.kind])}?segment={segment.pk}"
        context["criteria_url"] = f"{reverse(LIST_PAGES[segment.kind])}?{_query(segment.criteria)}"
        context["can_edit"] = (
            Segment.objects.restrict(user, "change").filter(pk=segment.pk).exists()
        )
        return context


def _query(criteria: dict) -> str:
    query = QueryDict(mutable=True)
    query.update(criteria)
    return query.urlencode()


class SegmentWriteMixin:
    model = Segment
    form_class = SegmentForm
    template_name = "directory/segment_form.html"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}


class SegmentCreateView(SegmentWriteMixin, ObjectCreateView):
    """Save the filter of an organisation or person list (its query string) as a list."""

    success_message = gettext_lazy("List “%(object)s” saved.")

    def dispatch(self, request, *args, **kwargs):
        if request.GET.get("kind") not in SegmentKind.values:
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def criteria(self) -> dict:
        return {k: v for k, v in self.request.GET.items() if k != "kind" and v}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["kind"] = SegmentKind(self.request.GET["kind"])
        context["criteria"] = self.criteria()
        return context

    def perform(self, form):
        data = dict(form.cleaned_data)
        data.pop("version", None)
        return services.segment_create(
            actor=self.request.user,
            kind=self.request.GET["kind"],
            criteria=self.criteria(),
            **data,
        )


class SegmentUpdateView(SegmentWriteMixin, ObjectUpdateView):
    success_message = gettext_lazy("List “%(object)s” saved.")

    def perform(self, form):
        return services.segment_update(
            actor=self.request.user,
            segment=self.object,
            expected_version=form.cleaned_data["version"],
            **form.changes(),
        )


class SegmentDeleteView(ObjectDeleteView):
    model = Segment
    template_name = "directory/segment_confirm_delete.html"
    success_message = gettext_lazy("List “%(object)s” deleted.")

    def get_success_url(self):
        return reverse("directory:segment_list")

    def perform(self):
        services.segment_delete(actor=self.request.user, segment=self.object)


class SegmentSnapshotView(RestrictedMixin, View):
    """A static copy of a (dynamic) list with today's members."""

    model = Segment

    def post(self, request, pk):
        segment = get_object_or_404(self.restricted_queryset(), pk=pk)
        with transaction.atomic():
            copy = services.segment_snapshot(actor=request.user, segment=segment)
        messages.success(request, _("Snapshot “%(name)s” saved.") % {"name": copy.name})
        return redirect(copy.get_absolute_url())


class SegmentMembersView(RestrictedMixin, View):
    """Add the record of a card to a static list, or remove a member from one."""

    model = Segment
    action = "change"

    def post(self, request, kind, pk):
        model = {"organizations": Organization, "persons": Person}.get(kind)
        if model is None:
            raise Http404
        record = get_object_or_404(model.objects.restrict(request.user), pk=pk)
        if segment_pk := request.POST.get("remove_from"):
            segment = get_object_or_404(self.restricted_queryset(), pk=segment_pk, kind=kind)
            services.segment_remove(actor=request.user, segment=segment, records=[record])
            messages.success(request, _("Removed from “%(name)s”.") % {"name": segment})
            return redirect(segment.get_absolute_url())
        form = SegmentAddForm(request.POST, user=request.user, kind=kind)
        if form.is_valid():
            segment = form.cleaned_data["segment"]
            try:
                services.segment_add(actor=request.user, segment=segment, records=[record])
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            else:
                messages.success(request, _("Added to “%(name)s”.") % {"name": segment})
        else:
            messages.error(request, _("Choose one of your static lists."))
        return redirect(record.get_absolute_url())


class SegmentAddSelectedView(LoginRequiredMixin, View):
    """Add the rows ticked in an organisation or person list to a static list."""

    def post(self, request, kind):
        model = {"organizations": Organization, "persons": Person}.get(kind)
        if model is None:
            raise Http404
        form = SegmentAddForm(request.POST, user=request.user, kind=kind)
        ids = [i for i in request.POST.getlist("ids") if i.isdigit()]
        if not form.is_valid() or not ids:
            messages.error(request, _("Tick some rows and choose one of your static lists."))
        else:
            segment = form.cleaned_data["segment"]
            records = model.objects.restrict(request.user).filter(pk__in=ids)
            added = services.segment_add(actor=request.user, segment=segment, records=records)
            messages.success(
                request,
                _("%(count)s added to “%(name)s”.") % {"count": added, "name": segment},
            )
        back = request.POST.get("back", "")
        if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
            back = reverse(LIST_PAGES[kind])
        return redirect(back)
