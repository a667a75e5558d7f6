"""Pages of lists (segments): all lists, one list with its members, saving the filter of an
organisation or person list as a list, editing, snapshots and adding from a card."""

from __future__ import annotations

from types import SimpleNamespace

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
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
from .segments import (
    ANY,
    as_data,
    capped_count,
    describe,
    filterset_of,
    groups_of,
    matching_records,
    model_of,
    segment_members,
)

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
        built = {}  # the filter sets that find the members also describe the criteria
        members = segment_members(user, segment, built=built)
        paginator = CappedPaginator(members, MEMBERS_PAGE)
        context["page_obj"] = paginator.get_page(self.request.GET.get("page"))
        context["open_url"] = f"{reverse(LIST_PAGES[segment.kind])}?segment={segment.pk}"
        context["criteria_url"] = reverse("directory:segment_criteria", args=[segment.pk])
        context["criteria_groups"] = describe(user, segment.kind, segment.criteria, built=built)
        context["can_edit"] = (
            Segment.objects.restrict(user, "change").filter(pk=segment.pk).exists()
        )
        return context


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
        """The list page's query: a parameter given several times keeps every value."""
        return {
            key: values if len(values) > 1 else values[0]
            for key, values in self.request.GET.lists()
            if key != "kind" and any(values)
        }

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


class CriteriaMixin:
    """Criteria as groups of the list page's filters: one filter form per group, read
    back from the form's `g<n>-` prefixed fields."""

    IGNORED = {"o", "page"}

    def forms_for(self, kind: str, groups: list[dict], segment=None) -> list:
        user = self.request.user
        forms = [
            matching_form(user, kind, group, prefix=f"g{number}")
            for number, group in enumerate(groups or [{}])
        ]
        if segment is not None:  # a list does not build on itself
            for filterset in forms:
                segments = filterset.filters["segment"].queryset.exclude(pk=segment.pk)
                filterset.filters["segment"].queryset = segments
                filterset.form.fields["segment"].queryset = segments
        return forms

    def groups_from(self, data, count: int) -> list[dict]:
        groups = []
        for number in range(count):
            prefix, group = f"g{number}-", {}
            for key, values in data.lists():
                if not key.startswith(prefix) or key[len(prefix) :] in self.IGNORED:
                    continue
                values = [value for value in values if value]
                if values:
                    group[key[len(prefix) :]] = values if len(values) > 1 else values[0]
            groups.append(group)
        return groups

    def group_count(self, data) -> int:
        try:
            return max(1, min(int(data.get("groups", 1)), MAX_GROUPS))
        except ValueError:
            return 1


MAX_GROUPS = 10


def matching_form(user, kind: str, group: dict, *, prefix: str):
    """The filter form of a list page for one group of criteria."""
    request = SimpleNamespace(user=user, segment_depth=0)
    data = as_data({f"{prefix}-{key}": value for key, value in group.items()})
    filterset = filterset_of(kind)(
        data if group else None,
        queryset=model_of(kind).objects.restrict(user),
        request=request,
        prefix=prefix,
    )
    return filterset


class SegmentCriteriaView(CriteriaMixin, RestrictedMixin, View):
    """The criteria of a dynamic list: groups of conditions (a record is in when it meets
    every condition of one group), with the number matching now as they are edited."""

    model = Segment
    action = "change"

    def segment(self, pk) -> Segment:
        return get_object_or_404(self.restricted_queryset(), pk=pk, dynamic=True)

    def get(self, request, pk):
        segment = self.segment(pk)
        groups = groups_of(segment.criteria)
        return self.render(segment, groups)

    def post(self, request, pk):
        segment = self.segment(pk)
        groups = self.groups_from(request.POST, self.group_count(request.POST))
        if "add_group" in request.POST and len(groups) < MAX_GROUPS:
            return self.render(segment, [*groups, {}])
        remove = request.POST.get("remove_group", "")
        if remove.isdigit():
            kept = [group for number, group in enumerate(groups) if number != int(remove)]
            return self.render(segment, kept)
        criteria = _saved(groups)
        try:
            with transaction.atomic():
                services.segment_update(
                    actor=request.user,
                    segment=segment,
                    expected_version=int(request.POST.get("version") or 0) or None,
                    criteria=criteria,
                )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return self.render(segment, groups, status=400)
        messages.success(request, _("Criteria of “%(name)s” saved.") % {"name": segment})
        return redirect(segment.get_absolute_url())

    def render(self, segment: Segment, groups: list[dict], status: int = 200):
        forms = self.forms_for(segment.kind, groups, segment)
        context = {
            "object": segment,
            "forms": forms,
            "count": _capped_count(
                matching_records(self.request.user, segment.kind, _saved(groups))
            ),
        }
        return render(self.request, "directory/segment_criteria.html", context, status=status)


class CriteriaCountView(CriteriaMixin, LoginRequiredMixin, View):
    """How many records the criteria being edited match now (htmx, as they change)."""

    def get(self, request, kind):
        if kind not in SegmentKind.values:
            raise Http404
        groups = self.groups_from(request.GET, self.group_count(request.GET))
        records = matching_records(request.user, kind, _saved(groups))
        context = {"count": _capped_count(records), "kind": kind}
        return render(request, "directory/segment_criteria_count.html", context)


def _saved(groups: list[dict]) -> dict:
    """Criteria as saved: groups without conditions left out (none at all: everyone)."""
    groups = [group for group in groups if group]
    return {ANY: groups} if len(groups) > 1 else (groups[0] if groups else {})


def _capped_count(records) -> dict:
    count, capped = capped_count(records)
    return {"value": count, "capped": capped}
