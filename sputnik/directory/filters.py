"""One FilterSet per list: organisation and person pages, their htmx tables, the API."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from sputnik.access.models import BusinessLine, User
from sputnik.core.filters import contains, ordering_filter, search_filter

from .attributes import AttributeFilterSetMixin
from .blacklist import undesirable_condition
from .models import (
    AttributeTarget,
    Category,
    Employment,
    Gender,
    Industry,
    LegalForm,
    Organization,
    OrganizationStatus,
    Person,
)


class OrganizationFilter(AttributeFilterSetMixin, django_filters.FilterSet):
    attribute_target = AttributeTarget.ORGANIZATION

    q = search_filter()
    status = django_filters.ChoiceFilter(
        choices=OrganizationStatus.choices, label=_("Status"), empty_label=_("All")
    )
    legal_form = django_filters.ChoiceFilter(
        choices=LegalForm.choices, label=_("Legal form"), empty_label=_("All")
    )
    category = django_filters.ModelChoiceFilter(
        field_name="categories",
        queryset=Category.objects.all(),
        label=_("Category"),
        empty_label=_("All"),
    )
    industry = django_filters.ModelChoiceFilter(
        queryset=Industry.objects.all(), label=_("Industry"), empty_label=_("All")
    )
    business_line = django_filters.ModelChoiceFilter(
        field_name="business_lines",
        queryset=BusinessLine.objects.all(),
        label=_("Business line"),
        empty_label=_("All"),
    )
    responsible = django_filters.ModelChoiceFilter(
        queryset=User.objects.filter(is_active=True),
        label=_("Responsible"),
        empty_label=_("Anyone"),
    )
    inn = django_filters.CharFilter(label=_("INN"), lookup_expr="startswith")
    undesirable = django_filters.ChoiceFilter(
        label=_("Undesirable"),
        choices=[("true", _("Only undesirable")), ("false", _("Without undesirable"))],
        empty_label=_("All"),
        method="by_undesirable",
    )
    o = ordering_filter("short_name", "inn", "status", "created_at")

    class Meta:
        model = Organization
        fields = [
            "q",
            "status",
            "legal_form",
            "category",
            "industry",
            "business_line",
            "responsible",
            "inn",
            "undesirable",
        ]

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        self.add_attribute_filters()
        user = getattr(request, "user", None)
        if user is not None:
            self.filters["business_line"].queryset = BusinessLine.objects.restrict(user)

    def by_undesirable(self, queryset, name, value):
        flagged = undesirable_condition()
        return queryset.filter(flagged) if value == "true" else queryset.exclude(flagged)

    def search(self, queryset, name, value):
        fragment = contains(value)
        return queryset.filter(
            Q(short_name__iregex=fragment)
            | Q(full_name__iregex=fragment)
            | Q(inn__startswith=value.strip().replace(" ", ""))
        )


class PersonFilter(AttributeFilterSetMixin, django_filters.FilterSet):
    attribute_target = AttributeTarget.PERSON

    q = search_filter()
    employer = django_filters.CharFilter(label=_("Organisation"), method="by_employer")
    # By id, from links such as an organisation card's; a select of every organisation
    # would not fit a page.
    organization = django_filters.ModelChoiceFilter(
        field_name="employments__organization",
        queryset=Organization.objects.none(),
        widget=forms.HiddenInput,
    )
    business_line = django_filters.ModelChoiceFilter(
        field_name="business_lines",
        queryset=BusinessLine.objects.all(),
        label=_("Business line"),
        empty_label=_("All"),
    )
    gender = django_filters.ChoiceFilter(
        choices=Gender.choices[1:], label=_("Gender"), empty_label=_("All")
    )
    consent_mailing = django_filters.ChoiceFilter(
        label=_("Mailings"),
        choices=[("true", _("Agree to mailings")), ("false", _("No consent"))],
        empty_label=_("All"),
        method="by_consent",
    )
    do_not_contact = django_filters.ChoiceFilter(
        label=_("Do not contact"),
        choices=[
            ("true", _("Only those not to contact")),
            ("false", _("Only those we may contact")),
        ],
        empty_label=_("All"),
        method="by_do_not_contact",
    )
    o = ordering_filter("last_name", "birthday", "created_at")

    class Meta:
        model = Person
        fields = [
            "q",
            "employer",
            "organization",
            "business_line",
            "gender",
            "consent_mailing",
            "do_not_contact",
        ]

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        self.add_attribute_filters()
        user = getattr(request, "user", None)
        if user is not None:
            self.filters["organization"].queryset = Organization.objects.restrict(user)
            self.filters["business_line"].queryset = BusinessLine.objects.restrict(user)

    def by_employer(self, queryset, name, value):
        """Persons with a current job in an organisation whose name has this fragment."""
        fragment = contains(value)
        user = getattr(self.request, "user", None)
        jobs = Employment.objects.restrict(user) if user else Employment.objects.none()
        jobs = jobs.current().filter(
            Q(organization__short_name__iregex=fragment)
            | Q(organization__full_name__iregex=fragment)
        )
        return queryset.filter(pk__in=jobs.values("person_id"))

    def by_consent(self, queryset, name, value):
        return queryset.filter(consent_mailing=value == "true")

    def by_do_not_contact(self, queryset, name, value):
        return queryset.filter(do_not_contact=value == "true")

    def search(self, queryset, name, value):
        for part in value.split():
            fragment = contains(part)
            queryset = queryset.filter(
                Q(last_name__iregex=fragment)
                | Q(first_name__iregex=fragment)
                | Q(patronymic__iregex=fragment)
            )
        return queryset
