"""Filter building blocks shared by every list: search box, yes/no, dates, sorting."""

import hashlib
import re

import django_filters
from django import forms
from django.core.cache import cache
from django.db.models import F
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from django_filters.constants import EMPTY_VALUES

from . import stamps
from .models import linked_to


class ListedChoiceIterator(django_filters.fields.ModelChoiceIterator):
    """A select's rows read in one fetch, once per form. Django reads them with
    `.iterator()`, which on PostgreSQL opens a server-side cursor (three more round trips,
    ~3 ms) for each select of a filter panel, and again on every look; a few dozen rows
    need no streaming. A page that asked whether there are any rows (`bool(queryset)`) has
    already read them."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        if getattr(self.field, "null_label", None) is not None:
            yield (self.field.null_value, self.field.null_label)
        for instance in self.queryset:  # the form's own copy: read once, then kept
            yield self.choice(instance)


class ListedModelChoiceField(django_filters.fields.ModelChoiceField):
    iterator = ListedChoiceIterator


class ListedFormChoiceField(forms.ModelChoiceField):
    """A form's choice of one record, its select read in one fetch."""

    iterator = ListedChoiceIterator


class ModelChoiceFilter(django_filters.ModelChoiceFilter):
    """A choice of one record, its select read in one fetch."""

    field_class = ListedModelChoiceField


class LinkedChoiceFilter(ModelChoiceFilter):
    """A choice of one record linked many-to-many (a business line, a category), tested
    by a correlated EXISTS rather than a join (see `core.models.linked_to`)."""

    def filter(self, qs, value):
        if value in EMPTY_VALUES:
            return qs
        return qs.filter(linked_to(qs.model, self.field_name, value))


def search_filter(method: str = "search") -> django_filters.CharFilter:
    return django_filters.CharFilter(method=method, label=_("Search"), widget=forms.SearchInput)


def active_filter(field_name: str = "is_active") -> django_filters.ChoiceFilter:
    def by_status(queryset, name, value):
        return queryset.filter(**{field_name: value == "true"})

    return django_filters.ChoiceFilter(
        label=_("Status"),
        choices=[
            ("true", pgettext_lazy("status filter", "Active")),
            ("false", pgettext_lazy("status filter", "Inactive")),
        ],
        empty_label=_("All"),
        method=by_status,
    )


def date_filter(field_name: str, lookup: str, label) -> django_filters.DateFilter:
    return django_filters.DateFilter(
        field_name=field_name,
        lookup_expr=lookup,
        label=label,
        widget=forms.DateInput(attrs={"type": "date"}),
    )


class OrderingFilter(django_filters.OrderingFilter):
    """Empty values sort last on both databases; ties are broken by id, so pages of a
    sorted list neither repeat nor skip rows."""

    def get_ordering_value(self, param):
        name = super().get_ordering_value(param)
        if name.startswith("-"):
            return F(name[1:]).desc(nulls_last=True)
        return F(name).asc(nulls_last=True)

    def filter(self, qs, value):
        ordered = super().filter(qs, value)
        return ordered.order_by(*ordered.query.order_by, "pk") if value else ordered


def ordering_filter(*fields: str) -> OrderingFilter:
    """Sorting by the `o` parameter (`name`, `-name`); headers link to it."""
    return OrderingFilter(fields=fields, widget=forms.HiddenInput)


def contains(text: str) -> str:
    """A pattern for a case-insensitive fragment match with `__iregex`, which folds the
    case of any alphabet on both databases (SQLite's LIKE folds Latin letters only)."""
    return re.escape(text.strip())


PANEL = "core/filters.html"
PANEL_TIMEOUT = 300  # seconds; a bound on memory, not on correctness


def panel_key(request, target: str = "") -> str:
    """What a list's filter panel is drawn from: the list (its path), the language, the
    filter as asked for (whatever the page), the viewer and their access (whom and which
    lists the selects offer), today (substitutions begin and end by date) and the stamp
    of every kind of record its selects offer (`core.stamps`)."""
    user = request.user
    parts = (
        request.path,
        target,
        get_language(),
        sorted((name, values) for name, values in request.GET.lists() if name != "page"),
        user.pk,
        getattr(user, "access_stamp", ""),
        timezone.localdate().isoformat(),
        stamps.current(stamps.CHOICES),
    )
    return "filters:" + hashlib.sha256(repr(parts).encode()).hexdigest()


def filter_panel(context) -> str:
    """The filter panel of a list page, drawn once and then kept in the cache under
    `panel_key`: building its form and reading and drawing its selects took a quarter of
    a list page's time, for the same panel on every visit. A list view builds its filter
    set only when it is used (`ObjectListView.filterset`), so a panel from the cache
    over an unfiltered list spares that too."""
    filterset, request = context.get("filterset"), context["request"]
    template = context.template.engine.get_template(PANEL)
    if filterset is None or not request.user.is_authenticated:
        return template.render(context)
    key = panel_key(request, context.get("target") or "")
    html = cache.get(key)
    if html is None:
        html = template.render(context)
        cache.set(key, str(html), PANEL_TIMEOUT)
    return mark_safe(html)  # noqa: S308 - drawn by the template above
