"""Filter building blocks shared by every list: search box, yes/no, dates, sorting."""

import re

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


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


def ordering_filter(*fields: str) -> django_filters.OrderingFilter:
    """Sorting by the `o` parameter (`name`, `-name`); headers link to it."""
    return django_filters.OrderingFilter(fields=fields, widget=forms.HiddenInput)


def contains(text: str) -> str:
    """A pattern for a case-insensitive fragment match with `__iregex`, which folds the
    case of any alphabet on both databases (SQLite's LIKE folds Latin letters only)."""
    return re.escape(text.strip())
