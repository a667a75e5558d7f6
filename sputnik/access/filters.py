"""One filter definition per list: used by the pages, their htmx tables and the API."""

import django_filters
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from sputnik.core.roles import LineRole

from .models import BusinessLine, Department, Role, SecurityEvent, SecurityEventKind, User


class BusinessLineFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    is_active = django_filters.BooleanFilter(label=_("Active"))

    class Meta:
        model = BusinessLine
        fields = ["q", "is_active"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(code__icontains=value))


class UserFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    department = django_filters.ModelChoiceFilter(
        queryset=Department.objects.all(), label=_("Department")
    )
    line = django_filters.ModelChoiceFilter(
        field_name="line_memberships__line",
        queryset=BusinessLine.objects.all(),
        label=_("Business line"),
    )
    role = django_filters.ChoiceFilter(
        field_name="groups__role__code",
        choices=Role._meta.get_field("code").choices,
        label=_("Role"),
    )
    is_active = django_filters.BooleanFilter(label=_("Active"))

    class Meta:
        model = User
        fields = ["q", "department", "line", "role", "is_active"]

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(username__icontains=value)
            | Q(last_name__icontains=value)
            | Q(first_name__icontains=value)
            | Q(email__icontains=value)
        )


def audited_content_types(request=None):
    return ContentType.objects.filter(
        pk__in=LogEntry.objects.values("content_type").distinct()
    ).order_by("app_label", "model")


class LogEntryFilter(django_filters.FilterSet):
    """Filters of the audit trail: who, what kind of record, which action, when."""

    actor = django_filters.ModelChoiceFilter(queryset=User.objects.all(), label=_("Who"))
    content_type = django_filters.ModelChoiceFilter(
        queryset=audited_content_types, label=_("Record type")
    )
    object_pk = django_filters.CharFilter(label=_("Record id"))
    action = django_filters.ChoiceFilter(choices=LogEntry.Action.choices, label=_("Action"))
    since = django_filters.DateFilter(
        field_name="timestamp", lookup_expr="date__gte", label=_("From")
    )
    until = django_filters.DateFilter(
        field_name="timestamp", lookup_expr="date__lte", label=_("To")
    )
    q = django_filters.CharFilter(
        field_name="object_repr", lookup_expr="icontains", label=_("Record")
    )

    class Meta:
        model = LogEntry
        fields = ["actor", "content_type", "object_pk", "action", "since", "until", "q"]


class SecurityEventFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=SecurityEventKind.choices, label=_("Event"))
    username = django_filters.CharFilter(lookup_expr="icontains", label=_("Login"))
    since = django_filters.DateFilter(field_name="at", lookup_expr="date__gte", label=_("From"))
    until = django_filters.DateFilter(field_name="at", lookup_expr="date__lte", label=_("To"))

    class Meta:
        model = SecurityEvent
        fields = ["kind", "username", "since", "until"]


MEMBERSHIP_ROLES = LineRole.choices
