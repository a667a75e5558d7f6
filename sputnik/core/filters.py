"""Filter building blocks shared by every list: the filter sets' base (`FilterSet`), the
search box, yes/no, dates, sorting."""

import copy
import re

import django_filters
from django import forms
from django.db.models import F, QuerySet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_filters.constants import EMPTY_VALUES
from django_filters.filters import FilterMethod

from .models import linked_to


class Filters(dict):
    """A filter set's filters, which every filter set copies for itself. django-filter
    deep-copies them: every choice list, queryset and widget of some twenty filters, and
    again for the form's fields (~2 ms of a filtered list's page). A filter holds its
    settings one level deep (`extra`, an ordering's `param_map`), which `_own_copy`
    copies, with a queryset of its own wherever one is kept; its field is built again
    from them. Widgets are shared: a field copies the widget it is given."""

    def __deepcopy__(self, memo):
        return Filters((name, _own_copy(filter_)) for name, filter_ in self.items())


def _own_copy(filter_: django_filters.Filter) -> django_filters.Filter:
    copied = copy.copy(filter_)
    state = copied.__dict__
    state.pop("_field", None)  # built per filter set, from the copied settings
    for name, value in state.items():
        if isinstance(value, FilterMethod):  # calls its filter set's method: this one's
            state[name] = FilterMethod(copied)
        elif isinstance(value, dict):
            state[name] = {key: _own_value(item) for key, item in value.items()}
        else:
            state[name] = _own_value(value)
    return copied


def _own_value(value):
    if isinstance(value, QuerySet):
        return value.all()  # read by one filter set only: no rows cached for another
    if isinstance(value, list | set):
        return copy.copy(value)
    return value


class FormFields(dict):
    """The fields of a filter set's form class. The class is made for one filter set and
    its fields were built for it, so its one form needs no deep copy of them."""

    def __deepcopy__(self, memo):
        return dict(self)


class FilterSet(django_filters.FilterSet):
    """Every list's filter set: copied and given its form without deep copies (above)."""

    @classmethod
    def get_filters(cls):
        return Filters(super().get_filters())

    def get_form_class(self):
        form_class = super().get_form_class()
        form_class.base_fields = FormFields(form_class.base_fields)
        return form_class


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
