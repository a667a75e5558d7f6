"""One FilterSet per list: organisation and person pages, their htmx tables, the API."""

import json
import re

import django_filters
from django import forms
from django.db.models import (
    BigIntegerField,
    Exists,
    OuterRef,
    Q,
    Subquery,
)
from django.db.models.fields.json import KT
from django.db.models.functions import Cast
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from sputnik.access.filters import EmployeeFilter
from sputnik.access.models import BusinessLine
from sputnik.core.filters import (
    FilterSet,
    LinkedChoiceFilter,
    ModelChoiceFilter,
    active_filter,
    contains,
    ordering_filter,
    search_filter,
)

from .attributes import PREFIX, definitions, sort_key
from .blacklist import undesirable_condition
from .models import (
    AttributeDefinition,
    AttributeTarget,
    AttributeType,
    Category,
    Employment,
    Gender,
    Industry,
    LegalForm,
    Organization,
    OrganizationStatus,
    Person,
    Segment,
    SegmentKind,
)
from .search import search

# Custom attributes ------------------------------------------------------------------

T = AttributeType


def annotate_sort_key(queryset, definition: AttributeDefinition, name: str, organizations):
    """`queryset` with `name` holding what a list sorts the attribute by (`sort_key`), or
    for references the name of the referenced organisation among `organizations`, those
    the user may see."""
    key = sort_key(definition)
    if key is not None:
        return queryset.annotate(**{name: key})
    pk = Cast(KT(f"attributes__{definition.code}"), BigIntegerField())
    queryset = queryset.annotate(**{f"{name}_ref": pk})
    referenced = organizations.filter(pk=OuterRef(f"{name}_ref")).order_by()
    return queryset.annotate(**{name: Subquery(referenced.values("short_name")[:1])})


FOUND_LIMIT = 500  # search results opened as a table


def found_filter() -> django_filters.CharFilter:
    """Records the header search finds for a query (typo-tolerant, by name, INN, phone or
    e-mail): the search results opened as a table to select, add to a list or export."""
    return django_filters.CharFilter(
        label=_("Found by the search"), method="by_search", widget=forms.HiddenInput
    )


class FoundFilterMixin:
    def by_search(self, queryset, name, value):
        results = search(self.request.user, value, limit=FOUND_LIMIT)
        found = results.organizations if queryset.model is Organization else results.persons
        return queryset.filter(pk__in=[record.pk for record in found])


@extend_schema_field(OpenApiTypes.INT)
class SegmentMembersFilter(ModelChoiceFilter):
    """Members of a list, given by the list's id."""


class SegmentFilterMixin:
    """The "in the list" criterion: members of one of the user's lists of this kind."""

    def limit_segments(self, kind: str) -> None:
        user = getattr(self.request, "user", None)
        segments = Segment.objects.restrict(user) if user else Segment.objects.none()
        self.filters["segment"].queryset = segments.filter(kind=kind)

    def in_segment(self, queryset, name, segment):
        from .segments import segment_members

        depth = getattr(self.request, "segment_depth", 0) + 1
        members = segment_members(self.request.user, segment, depth=depth)
        return queryset.filter(pk__in=members.values("pk"))


class AttributeFilterSetMixin:
    """A FilterSet with a filter (or a from–to pair) per active attribute and sorting by
    any of them with the `o` parameter (`attr_<code>` / `-attr_<code>`)."""

    attribute_target: str = ""

    def add_attribute_filters(self) -> None:
        user = getattr(self.request, "user", None)
        self.organizations = (
            Organization.objects.restrict(user) if user else Organization.objects.none()
        )
        self.attribute_definitions = definitions(self.attribute_target)
        ordering = self.filters["o"]
        hidden = set(getattr(self, "builder_only", ()))
        for definition in self.attribute_definitions:
            self.filters.update(attribute_filters(definition, self.organizations))
            hidden.add(f"{PREFIX}{definition.code}_empty")
            ordering.param_map[PREFIX + definition.code] = PREFIX + definition.code
        # Criteria of lists, not shown in the list's own filter panel.
        self.builder_only = frozenset(hidden)
        ordering.extra["choices"] = ordering.build_choices(
            {field: param for param, field in ordering.param_map.items()}, {}
        )
        ordering.__dict__.pop("_field", None)  # a form field built earlier has old choices

    def filter_queryset(self, queryset):
        sort = self.form.cleaned_data.get("o") or []
        for definition in self.attribute_definitions:
            name = PREFIX + definition.code
            if name in sort or f"-{name}" in sort:
                queryset = annotate_sort_key(queryset, definition, name, self.organizations)
        return super().filter_queryset(queryset)


def attribute_filters(definition: AttributeDefinition, organizations) -> dict:
    """The filters of one attribute, named `attr_<code>` (or `…_min` / `…_max`), and
    whether it is filled in, `attr_<code>_empty` (for the criteria of lists)."""
    return {
        **_value_filters(definition, organizations),
        f"{PREFIX}{definition.code}_empty": _empty_filter(definition),
    }


def _empty_filter(definition: AttributeDefinition) -> django_filters.ChoiceFilter:
    code = definition.code

    def by_emptiness(queryset, _name, value):
        filled = Q(attributes__has_key=code)
        return queryset.exclude(filled) if value == "true" else queryset.filter(filled)

    return django_filters.ChoiceFilter(
        label=_("%(label)s: filled in?") % {"label": definition.label},
        choices=[("true", _("Empty")), ("false", _("Filled in"))],
        empty_label=_("Either"),
        method=by_emptiness,
    )


def _value_filters(definition: AttributeDefinition, organizations) -> dict:
    name, key = PREFIX + definition.code, f"attributes__{definition.code}"
    options = [(o, o) for o in definition.choices]
    kind, label = definition.type, definition.label

    def choice(method) -> django_filters.ChoiceFilter:
        return django_filters.ChoiceFilter(
            label=label, choices=options, empty_label=_("All"), method=method
        )

    if kind in (T.INTEGER, T.DECIMAL, T.DATE):
        return _range_filters(definition, organizations)
    if kind == T.BOOLEAN:
        options = [("true", _("Yes")), ("false", _("No"))]
        return {name: choice(lambda qs, _n, value: qs.filter(_is_true(key, value == "true")))}
    if kind == T.CHOICE:
        return {name: choice(lambda qs, _n, value: qs.filter(**{key: value}))}
    if kind == T.MULTI_CHOICE:
        return {name: choice(lambda qs, _n, value: _text_matches(qs, key, _json_string(value)))}
    if kind == T.ORGANIZATION:
        method = _by_organization(definition, organizations)
        return {name: django_filters.CharFilter(label=label, method=method)}
    return {
        name: django_filters.CharFilter(
            label=label, method=lambda qs, _n, value: _text_matches(qs, key, contains(value))
        )
    }


def _is_true(key: str, wanted: bool) -> Q:
    """Yes: stored true. No: stored false, or never set."""
    if wanted:
        return Q(**{key: True})
    field, code = key.split("__", 1)
    return Q(**{key: False}) | ~Q(**{f"{field}__has_key": code})


def _text_matches(queryset, key: str, pattern: str):
    """Rows whose attribute, as text, matches the case-insensitive `pattern`."""
    return queryset.annotate(_attribute_text=KT(key)).filter(_attribute_text__iregex=pattern)


def _json_string(value: str) -> str:
    """Matches `value` as a string inside a JSON list's text, whether the database keeps
    non-Latin letters as they are (PostgreSQL) or as `\\u` escapes (SQLite)."""
    spellings = {json.dumps(value, ensure_ascii=False), json.dumps(value)}
    return "|".join(re.escape(spelling) for spelling in sorted(spellings))


def _range_filters(definition: AttributeDefinition, organizations) -> dict:
    name, label = PREFIX + definition.code, definition.label
    value_name = f"{name}_value"
    date = definition.type == T.DATE
    filter_class = django_filters.DateFilter if date else django_filters.NumberFilter
    extra = {"widget": forms.DateInput(attrs={"type": "date"})} if date else {}

    def bound(lookup: str):
        def by_bound(queryset, _name, value):
            queryset = annotate_sort_key(queryset, definition, value_name, organizations)
            value = value.isoformat() if date else value
            return queryset.filter(**{f"{value_name}__{lookup}": value})

        return by_bound

    return {
        f"{name}_min": filter_class(
            label=_("%(label)s: from") % {"label": label}, method=bound("gte"), **extra
        ),
        f"{name}_max": filter_class(
            label=_("%(label)s: to") % {"label": label}, method=bound("lte"), **extra
        ),
    }


def _by_organization(definition: AttributeDefinition, organizations):
    """Rows referring to an organisation (one the user may see) whose name has the text."""
    name = f"{PREFIX}{definition.code}_id"

    def by_name(queryset, _name, value):
        matching = organizations.filter(short_name__iregex=contains(value)).values("pk")
        pk = Cast(KT(f"attributes__{definition.code}"), BigIntegerField())
        return queryset.annotate(**{name: pk}).filter(**{f"{name}__in": matching})

    return by_name


class OrganizationFilter(FoundFilterMixin, SegmentFilterMixin, AttributeFilterSetMixin, FilterSet):
    attribute_target = AttributeTarget.ORGANIZATION

    q = search_filter()
    found = found_filter()
    status = django_filters.ChoiceFilter(
        choices=OrganizationStatus.choices, label=_("Status"), empty_label=_("All")
    )
    legal_form = django_filters.ChoiceFilter(
        choices=LegalForm.choices, label=_("Legal form"), empty_label=_("All")
    )
    category = LinkedChoiceFilter(
        field_name="categories",
        queryset=Category.objects.all(),
        label=_("Category"),
        empty_label=_("All"),
    )
    industry = ModelChoiceFilter(
        queryset=Industry.objects.all(), label=_("Industry"), empty_label=_("All")
    )
    business_line = LinkedChoiceFilter(
        field_name="business_lines",
        queryset=BusinessLine.objects.all(),
        label=_("Business line"),
        empty_label=_("All"),
    )
    responsible = EmployeeFilter(label=_("Responsible"), empty_label=_("Anyone"))
    inn = django_filters.CharFilter(label=_("INN"), lookup_expr="startswith")
    segment = SegmentMembersFilter(
        label=_("In the list"),
        queryset=Segment.objects.none(),
        empty_label=_("Any"),
        method="in_segment",
    )
    undesirable = django_filters.ChoiceFilter(
        label=_("Undesirable"),
        choices=[("true", _("Only undesirable")), ("false", _("Without undesirable"))],
        empty_label=_("All"),
        method="by_undesirable",
    )
    # For the criteria of lists (not shown in the list's filter panel):
    status_in = django_filters.MultipleChoiceFilter(
        field_name="status",
        choices=OrganizationStatus.choices,
        label=_("Status is one of"),
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
    )
    legal_form_in = django_filters.MultipleChoiceFilter(
        field_name="legal_form",
        choices=LegalForm.choices,
        label=_("Legal form is one of"),
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
    )
    category_in = django_filters.ModelMultipleChoiceFilter(
        field_name="categories",
        queryset=Category.objects.all(),
        label=_("In one of the categories"),
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        distinct=True,
    )
    position = django_filters.CharFilter(
        label=_("Has a contact person with the position"),
        method="by_position",
        help_text=_("A current job whose position contains these words."),
    )
    o = ordering_filter("short_name", "inn", "status", "created_at")

    builder_only = frozenset({"status_in", "legal_form_in", "category_in", "position"})

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
            "segment",
            "undesirable",
        ]

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        self.add_attribute_filters()
        self.limit_segments(SegmentKind.ORGANIZATIONS)
        user = getattr(request, "user", None)
        if user is not None:
            self.filters["business_line"].queryset = BusinessLine.objects.restrict(user)

    def by_position(self, queryset, name, value):
        jobs = Employment.objects.filter(
            organization=OuterRef("pk"),
            ended_on__isnull=True,
            position__iregex=contains(value),
        )
        return queryset.filter(Exists(jobs))

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


class PersonFilter(FoundFilterMixin, SegmentFilterMixin, AttributeFilterSetMixin, FilterSet):
    attribute_target = AttributeTarget.PERSON

    q = search_filter()
    found = found_filter()
    employer = django_filters.CharFilter(label=_("Organisation"), method="by_employer")
    # By id, from links such as an organisation card's; a select of every organisation
    # would not fit a page.
    organization = ModelChoiceFilter(
        field_name="employments__organization",
        queryset=Organization.objects.none(),
        widget=forms.HiddenInput,
    )
    tenure = django_filters.ChoiceFilter(
        label=_("Job"),
        choices=[
            ("current", pgettext_lazy("job", "Current")),
            ("former", pgettext_lazy("job", "Former")),
        ],
        empty_label=pgettext_lazy("job", "Any"),
        method="by_tenure",
    )
    business_line = LinkedChoiceFilter(
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
    segment = SegmentMembersFilter(
        label=_("In the list"),
        queryset=Segment.objects.none(),
        empty_label=_("Any"),
        method="in_segment",
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
            "tenure",
            "business_line",
            "gender",
            "consent_mailing",
            "do_not_contact",
            "segment",
        ]

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        self.add_attribute_filters()
        self.limit_segments(SegmentKind.PERSONS)
        user = getattr(request, "user", None)
        if user is not None:
            self.filters["organization"].queryset = Organization.objects.restrict(user)
            self.filters["business_line"].queryset = BusinessLine.objects.restrict(user)

    def visible_jobs(self):
        """The jobs the user sees (those at organisations of their lines); none without
        a user."""
        user = getattr(self.request, "user", None)
        return Employment.objects.restrict(user) if user else Employment.objects.none()

    def by_employer(self, queryset, name, value):
        """Persons with a current job in an organisation whose name has this fragment."""
        fragment = contains(value)
        jobs = (
            self.visible_jobs()
            .current()
            .filter(
                Q(organization__short_name__iregex=fragment)
                | Q(organization__full_name__iregex=fragment)
            )
        )
        return queryset.filter(pk__in=jobs.values("person_id"))

    def by_tenure(self, queryset, name, value):
        """Persons with a current (or a former) job: at the organisation asked for, if
        one is (the card's "N more" links), else at any the user sees."""
        jobs = self.visible_jobs()
        organization = self.form.cleaned_data.get("organization")
        if organization is not None:
            jobs = jobs.filter(organization=organization)
        jobs = jobs.current() if value == "current" else jobs.former()
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


class AttributeDefinitionFilter(FilterSet):
    target = django_filters.ChoiceFilter(
        choices=AttributeTarget.choices, label=_("Applies to"), empty_label=_("All")
    )
    type = django_filters.ChoiceFilter(
        choices=AttributeType.choices, label=_("Type"), empty_label=_("All")
    )
    is_active = active_filter()

    class Meta:
        model = AttributeDefinition
        fields = ["target", "type", "is_active"]


class SegmentListFilter(FilterSet):
    q = search_filter()
    kind = django_filters.ChoiceFilter(
        choices=SegmentKind.choices, label=_("Of"), empty_label=_("All")
    )

    class Meta:
        model = Segment
        fields = ["q", "kind"]

    def search(self, queryset, name, value):
        return queryset.filter(name__iregex=contains(value))
