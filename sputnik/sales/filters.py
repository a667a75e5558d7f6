"""The deals list's filter, for its page and its API."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from sputnik.access.filters import EmployeeFilter
from sputnik.access.models import BusinessLine
from sputnik.core.filters import (
    FilterSet,
    ModelChoiceFilter,
    contains,
    ordering_filter,
    search_filter,
)

from .models import Deal, Pipeline, Stage


class DealFilter(FilterSet):
    q = search_filter()
    pipeline = ModelChoiceFilter(
        queryset=Pipeline.objects.all(), label=_("Pipeline"), empty_label=_("All")
    )
    stage = ModelChoiceFilter(
        queryset=Stage.objects.select_related("pipeline"),
        label=_("Stage"),
        empty_label=_("All"),
    )
    responsible = EmployeeFilter(label=_("Responsible"), empty_label=_("Anyone"))
    business_line = ModelChoiceFilter(
        queryset=BusinessLine.objects.all(), label=_("Business line"), empty_label=_("All")
    )
    # By id only (links from an organisation's card): a select of every organisation
    # would list a million of them, so the panel does not show it.
    organization = django_filters.NumberFilter(field_name="organization_id")
    builder_only = frozenset({"organization"})
    open = django_filters.ChoiceFilter(
        label=_("State"),
        choices=[("true", _("Open")), ("false", _("Closed"))],
        empty_label=_("All"),
        method="by_open",
    )
    o = ordering_filter("name", "amount", "expected_close", "created_at")

    class Meta:
        model = Deal
        fields = ["q", "pipeline", "stage", "responsible", "open", "organization", "business_line"]

    def by_open(self, queryset, name, value):
        return queryset.filter(closed_at__isnull=value == "true")

    def search(self, queryset, name, value):
        fragment = contains(value)
        return queryset.filter(
            Q(name__iregex=fragment) | Q(organization__short_name__iregex=fragment)
        )
