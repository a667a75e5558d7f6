"""Pages of the undesirable-counterparty registry: the list, adding, an entry's card and
its removal. The security officer writes; roles with the view permission only read."""

from __future__ import annotations

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import QueryDict
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from sputnik.core.filters import FilterSet, ordering_filter, search_filter
from sputnik.core.views import (
    ObjectCreateView,
    ObjectDetailView,
    ObjectListView,
    ObjectUpdateView,
)

from . import blacklist
from .lookup import lookup_field
from .models import BlacklistEntry, Organization
from .validation import digits


def entry_url(entry: BlacklistEntry) -> str:
    return reverse("directory:blacklist_detail", args=[entry.pk])


# Filters (shared with the API) ------------------------------------------------------


class BlacklistFilter(FilterSet):
    """Active, removed or all entries; by name or INN; by organisation."""

    q = search_filter()
    active = django_filters.ChoiceFilter(
        label=gettext_lazy("Status"),
        choices=[
            ("true", pgettext_lazy("registry entries", "Active")),
            ("false", pgettext_lazy("registry entries", "Removed")),
            ("all", pgettext_lazy("registry entries", "All")),
        ],
        empty_label=None,
        method="filter_active",
    )
    inn = django_filters.CharFilter(label=gettext_lazy("INN"), method="filter_inn")
    organization = django_filters.NumberFilter(
        field_name="organization", label=gettext_lazy("Organisation"), widget=forms.HiddenInput
    )
    o = ordering_filter("name", "inn", "created_at", "removed_at")

    class Meta:
        model = BlacklistEntry
        fields = ["q", "active", "inn", "organization"]

    def filter_active(self, queryset, name, value):
        if value == "all":
            return queryset
        return queryset.filter(removed_at__isnull=value == "true")

    def filter_inn(self, queryset, name, value):
        value = digits(value)
        return queryset.filter(Q(inn=value) | Q(organization__inn=value))

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(
            Q(name__icontains=value)
            | Q(organization__short_name__icontains=value)
            | Q(organization__full_name__icontains=value)
            | Q(inn=digits(value))
        )


class BlacklistPageFilter(BlacklistFilter):
    """The page opens on the active entries; "All" shows the history of removals too."""

    filters_without_query = True  # the active entries even when the query asks for nothing

    def __init__(self, data=None, *args, **kwargs):
        data = data.copy() if data is not None else QueryDict(mutable=True)
        if not data.get("active"):
            data["active"] = "true"
        super().__init__(data, *args, **kwargs)


# Forms ------------------------------------------------------------------------------


class BlacklistAddForm(forms.Form):
    """An organisation from the base, or the INN (and name) of one not yet in it."""

    organization = forms.ModelChoiceField(
        label=gettext_lazy("Organisation"),
        queryset=Organization.objects.none(),
        required=False,
        help_text=gettext_lazy("Not in the base? Leave empty and enter the INN below."),
    )
    inn = forms.CharField(
        label=gettext_lazy("INN"),
        max_length=20,
        required=False,
        help_text=gettext_lazy("10 digits for a company, 12 for a sole trader."),
    )
    name = forms.CharField(label=gettext_lazy("Name"), max_length=255, required=False)
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Colleagues see it when they meet this counterparty."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        field = lookup_field(self.fields["organization"], "organizations")
        field.queryset = Organization.objects.restrict(user)

    def clean(self):
        data = super().clean()
        if data.get("organization") is None and not data.get("inn"):
            self.add_error("inn", _("Choose an organisation or enter an INN."))
        return data


class RemovalForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Why is it no longer undesirable?"),
        widget=forms.Textarea(attrs={"rows": 3}),
    )


# Pages ------------------------------------------------------------------------------


class BlacklistListView(ObjectListView):
    model = BlacklistEntry
    filterset_class = BlacklistPageFilter
    template_name = "directory/blacklist_list.html"

    def restricted_queryset(self):
        return (
            super().restricted_queryset().select_related("organization", "added_by", "removed_by")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        entries = list(context["object_list"])
        mark_visible_organizations(entries, self.request.user)
        context["object_list"] = entries
        get = self.request.GET
        context["filtered"] = any(get.get(k) for k in ("q", "inn", "organization")) or (
            get.get("active", "true") != "true"
        )
        context["registry_empty"] = not entries and not self.restricted_queryset().exists()
        return context


def mark_visible_organizations(entries: list[BlacklistEntry], user) -> None:
    """Link an entry's organisation only for readers who may open its card."""
    ids = {e.organization_id for e in entries if e.organization_id}
    visible = set(
        Organization.objects.restrict(user).filter(pk__in=ids).values_list("pk", flat=True)
        if ids
        else ()
    )
    for entry in entries:
        entry.organization_visible = entry.organization_id in visible


class EntryPageMixin:
    """The entry's card, shared by the detail page and the removal form it contains."""

    model = BlacklistEntry
    template_name = "directory/blacklist_detail.html"

    def restricted_queryset(self):
        return (
            super().restricted_queryset().select_related("organization", "added_by", "removed_by")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        entry, user = self.object, self.request.user
        mark_visible_organizations([entry], user)
        context["can_remove"] = entry.is_active and user.has_perm("directory.change_blacklistentry")
        form = kwargs.get("form")  # a refused removal comes back with its errors
        if form is not None or context["can_remove"]:
            context["remove_form"] = form or RemovalForm()
        context["related"] = related_entries(entry, user)
        return context


def related_entries(entry: BlacklistEntry, user):
    """Other additions and removals of the same counterparty, newest first."""
    same = Q(organization_id=entry.organization_id) if entry.organization_id else Q(pk__in=[])
    if entry.inn:
        same |= Q(inn=entry.inn)
    return (
        BlacklistEntry.objects.restrict(user)
        .filter(same)
        .exclude(pk=entry.pk)
        .select_related("added_by", "removed_by")
    )


class BlacklistDetailView(EntryPageMixin, ObjectDetailView):
    pass


class BlacklistCreateView(ObjectCreateView):
    model = BlacklistEntry
    form_class = BlacklistAddForm
    template_name = "directory/blacklist_form.html"
    success_message = gettext_lazy("“%(object)s” added to the undesirable registry.")

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs.pop("instance", None)
        return {**kwargs, "user": self.request.user}

    def get_initial(self):
        """`?organization=<id>` preselects it (the organisation card links here)."""
        organization = self.request.GET.get("organization", "")
        return {"organization": organization} if organization.isdigit() else {}

    def perform(self, form):
        data = form.cleaned_data
        try:
            return blacklist.blacklist_add(
                actor=self.request.user,
                organization=data["organization"],
                inn=data["inn"],
                name=data["name"],
                reason=data["reason"],
            )
        except blacklist.AlreadyUndesirable as error:
            link = format_html(
                '{} <a href="{}">{}</a>',
                error.messages[0],
                entry_url(error.existing),
                _("Open the entry"),
            )
            raise ValidationError({error.field: link}) from error

    def get_success_url(self):
        return entry_url(self.object)


class BlacklistRemoveView(EntryPageMixin, ObjectUpdateView):
    """Close an entry with a reason; a failed attempt shows the card with the error."""

    form_class = RemovalForm
    success_message = gettext_lazy("“%(object)s” removed from the undesirable registry.")

    def get(self, request, *args, **kwargs):
        return redirect("directory:blacklist_detail", pk=kwargs["pk"])

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs.pop("instance", None)
        return kwargs

    def perform(self, form):
        return blacklist.blacklist_remove(
            actor=self.request.user, entry=self.object, reason=form.cleaned_data["reason"]
        )

    def get_success_url(self):
        return entry_url(self.object)
