"""Forms of the directory pages. They validate input; services write."""

from __future__ import annotations

import datetime
import re

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from sputnik.access.models import User, lines_with_role
from sputnik.core.filters import ListedFormChoiceField
from sputnik.core.views import VersionedForm

from . import validation
from .attributes import (
    MAX_STRING,
    MAX_TEXT,
    PREFIX,
    AttributeErrors,
    clean_attributes,
    definitions,
)
from .lookup import lookup_field
from .models import (
    AddressKind,
    AttributeDefinition,
    AttributeTarget,
    AttributeType,
    Category,
    ContactKind,
    Employment,
    Industry,
    Organization,
    Person,
    Segment,
)

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


# Custom attributes ------------------------------------------------------------------

T = AttributeType


class DigitGroupsMixin:
    """Numbers typed with their digits grouped by spaces (“1 234,5”) are understood."""

    def to_python(self, value):
        if isinstance(value, str):
            value = re.sub(r"[\s\u00a0\u202f]", "", value)
        return super().to_python(value)


class IntegerField(DigitGroupsMixin, forms.IntegerField):
    pass


class DecimalField(DigitGroupsMixin, forms.DecimalField):
    pass


def form_field(definition: AttributeDefinition, user, stored=None) -> forms.Field:
    """The form field of one attribute; a stored value stays valid even if its option was
    removed since or it names an organisation the user cannot see."""
    kind, common = definition.type, {"label": definition.label, "help_text": definition.help}
    common["required"] = definition.required and kind != T.BOOLEAN
    if kind == T.TEXT:
        common["widget"] = forms.Textarea(attrs={"rows": 3})
    simple = {
        T.STRING: lambda: forms.CharField(max_length=MAX_STRING, **common),
        T.TEXT: lambda: forms.CharField(max_length=MAX_TEXT, **common),
        T.INTEGER: lambda: IntegerField(localize=True, **common),
        T.DECIMAL: lambda: DecimalField(localize=True, max_digits=30, **common),
        T.DATE: lambda: forms.DateField(widget=DATE, **common),
        T.BOOLEAN: lambda: forms.BooleanField(**{**common, "required": False}),
    }
    if kind in simple:
        return simple[kind]()
    if kind == T.ORGANIZATION:
        return _organization_field(user, stored, common)
    kept = stored if isinstance(stored, list) else [stored] if stored else []
    options = [
        (o, o) for o in [*definition.choices, *(v for v in kept if v not in definition.choices)]
    ]
    if kind == T.CHOICE:
        return forms.ChoiceField(choices=[("", "—"), *options], **common)
    widget = forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"})
    return forms.MultipleChoiceField(choices=options, widget=widget, **common)


def _organization_field(user, stored, common) -> forms.ModelChoiceField:
    visible = Organization.objects.restrict(user)
    allowed = Organization.objects.filter(Q(pk__in=visible.values("pk")) | Q(pk=stored))
    field = forms.ModelChoiceField(queryset=allowed if stored else visible, **common)
    return lookup_field(field, "organizations", visible=visible)


class AttributesFormMixin:
    """Adds a field per active attribute of `attribute_target`; the cleaned values end up
    in `cleaned_data["attributes"]` (merged into what the record had), checked again by the
    service that writes them."""

    attribute_target: str = ""

    def add_attribute_fields(self, user) -> None:
        self.attribute_user = user
        stored = self.instance.attributes or {}
        for definition in definitions(self.attribute_target):
            name = PREFIX + definition.code
            value = stored.get(definition.code)
            self.fields[name] = form_field(definition, user, value)
            if value is not None and definition.type == T.DATE:
                value = datetime.date.fromisoformat(value)
            self.initial[name] = value

    def attribute_fields(self):
        return [self[name] for name in self.fields if name.startswith(PREFIX)]

    def clean(self):
        data = super().clean()
        stored = self.instance.attributes or {}
        given = {
            name.removeprefix(PREFIX): data.pop(name)
            for name in list(data)
            if name.startswith(PREFIX)
        }
        # An unticked box that never held a value stays without one (no "no" in history).
        given = {c: v for c, v in given.items() if v is not False or c in stored}
        given = {c: getattr(v, "pk", v) for c, v in given.items()}  # organisations by id
        try:
            data["attributes"] = clean_attributes(
                self.attribute_target,
                given,
                current=self.instance.attributes,
                user=self.attribute_user,
            )
        except AttributeErrors as error:
            for code, messages in error.by_code.items():
                self.add_error(PREFIX + code if PREFIX + code in self.fields else None, messages)
        return data

    def changes(self) -> dict:
        return {**super().changes(), "attributes": self.cleaned_data["attributes"]}


class LinesMixin:
    """Business lines limited to those where the user may write; lines of the record the
    user cannot write to are kept, not silently dropped, when the form is saved."""

    def limit_choices(self, user) -> None:
        self.user = user
        lines = self.fields["business_lines"]
        lines.widget = forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"})
        lines.queryset = lines_with_role(user)  # after the widget: it takes the choices
        if not self.instance.pk and lines.queryset.count() == 1:
            lines.initial = list(lines.queryset)
        if "responsible" in self.fields:
            self.fields["responsible"].queryset = User.objects.filter(is_active=True)
            self.fields["responsible"].empty_label = _("Nobody")

    def clean_business_lines(self):
        chosen = list(self.cleaned_data["business_lines"])
        if not self.instance.pk:
            return chosen
        writable = self.fields["business_lines"].queryset
        return chosen + list(self.instance.business_lines.exclude(pk__in=writable))


class OrganizationForm(AttributesFormMixin, LinesMixin, VersionedForm):
    attribute_target = AttributeTarget.ORGANIZATION

    class Meta:
        model = Organization
        fields = Organization.EDITABLE_FIELDS
        widgets = {
            "notes": forms.Textarea(attrs={"rows": 3}),
            "categories": forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.limit_choices(user)
        self.add_attribute_fields(user)
        self.fields["inn"].max_length = 20  # typed with spaces; the service removes them
        self.fields["inn"].widget.attrs["maxlength"] = 20
        parent = lookup_field(self.fields["parent"], "organizations")
        parent.queryset = Organization.objects.restrict(user).exclude(pk=self.instance.pk)
        self.fields["industry"].empty_label = _("Not set")
        # Retired reference entries are not offered, but a record keeps the ones it has.
        own = self.instance.pk
        self.fields["industry"].queryset = Industry.objects.filter(
            Q(is_active=True) | Q(pk=self.instance.industry_id)
        )
        self.fields["categories"].queryset = Category.objects.filter(
            Q(is_active=True) | Q(organizations=own) if own else Q(is_active=True)
        ).distinct()
        self.fields["legal_form"].choices = [
            ("", _("Not set")),
            *self.fields["legal_form"].choices[1:],
        ]

    MAIN = ["short_name", "full_name", "legal_form", "inn", "kpp", "ogrn", "country", "website"]

    def main_fields(self):
        return [self[name] for name in self.MAIN]

    def other_fields(self):
        return [self[name] for name in self._meta.fields if name not in self.MAIN]

    def validate_constraints(self):
        """INN uniqueness is the service's job: it names the existing organisation."""


class PersonForm(AttributesFormMixin, LinesMixin, VersionedForm):
    attribute_target = AttributeTarget.PERSON

    class Meta:
        model = Person
        fields = Person.EDITABLE_FIELDS
        widgets = {
            "birthday": DATE,
            "consent_date": DATE,
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.limit_choices(user)
        self.add_attribute_fields(user)
        self.fields["gender"].help_text = _("Left empty, it is taken from the patronymic.")
        if not self.instance.pk:  # later ones are added on the card
            self.fields["email"] = forms.CharField(label=_("E-mail"), required=False)
            self.fields["phone"] = forms.CharField(label=_("Phone"), required=False)
            names = ["last_name", "first_name", "patronymic", "email", "phone"]
            self.order_fields(names + [n for n in self.fields if n not in names])

    def clean_email(self):
        return self._normalized("email", validation.normalize_email)

    def clean_phone(self):
        return self._normalized("phone", validation.normalize_phone)

    def _normalized(self, name, normalize):
        try:
            return normalize(self.cleaned_data[name])
        except ValidationError as error:
            raise ValidationError(error.messages) from error


class EmploymentForm(VersionedForm):
    class Meta:
        model = Employment
        fields = Employment.EDITABLE_FIELDS
        widgets = {"started_on": DATE, "ended_on": DATE}


class NewContactPersonForm(EmploymentForm):
    """Add a contact person from the organisation card: a new person or a known one."""

    person = forms.ModelChoiceField(
        label=_("Known person"),
        queryset=Person.objects.none(),
        required=False,
        help_text=_("Leave empty to add a new person."),
    )
    last_name = forms.CharField(label=_("Surname"), max_length=150, required=False)
    first_name = forms.CharField(label=_("First name"), max_length=150, required=False)
    patronymic = forms.CharField(label=_("Patronymic"), max_length=150, required=False)

    field_order = ["person", "last_name", "first_name", "patronymic"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        lookup_field(self.fields["person"], "persons").queryset = Person.objects.restrict(user)

    def clean(self):
        data = super().clean()
        if not data.get("person") and not data.get("last_name"):
            self.add_error(
                "last_name", _("Enter the surname of the new person or choose a known one.")
            )
        return data


class ContactForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=ContactKind.choices)
    value = forms.CharField(label=_("Phone, e-mail or messenger"), max_length=254)
    label = forms.CharField(label=_("Label"), max_length=50, required=False)


class AddressForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=AddressKind.choices)
    postcode = forms.CharField(label=_("Postcode"), max_length=12, required=False)
    region = forms.CharField(label=_("Region"), max_length=200, required=False)
    city = forms.CharField(label=_("City"), max_length=200, required=False)
    street = forms.CharField(label=_("Street, building, office"), max_length=300, required=False)


class AttributeDefinitionForm(forms.ModelForm):
    options = forms.CharField(
        label=_("Options"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("For the choice types: one option per line."),
    )

    class Meta:
        model = AttributeDefinition
        fields = [
            "target",
            "type",
            "code",
            "label_ru",
            "label_en",
            "options",
            "required",
            "help_ru",
            "help_en",
            "order",
            "show_in_list",
            "is_active",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["options"].initial = "\n".join(self.instance.choices or [])
        if self.instance.pk:
            for name in AttributeDefinition.FIXED_FIELDS:
                self.fields[name].disabled = True
                self.fields[name].help_text = _("Fixed once the attribute exists.")

    def validate_unique(self):
        """The service names a code already in use."""

    def clean_options(self):
        return [line.strip() for line in self.cleaned_data["options"].splitlines() if line.strip()]

    def values(self) -> dict:
        data = dict(self.cleaned_data)
        data["choices"] = data.pop("options")
        return data


class SegmentForm(LinesMixin, VersionedForm):
    """A list's name, lines and sharing; a new list also says whether it is dynamic."""

    class Meta:
        model = Segment
        fields = ["name", "dynamic", "shared", "business_lines", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.limit_choices(user)
        if self.instance.pk:
            del self.fields["dynamic"]
        else:
            self.fields["dynamic"].help_text = _(
                "Dynamic: members are whoever matches the filter when the list is used. "
                "Otherwise the list keeps the organisations or persons that match now."
            )


class SegmentAddForm(forms.Form):
    """Add the record of a card to one of the user's static lists."""

    segment = ListedFormChoiceField(label=_("List"), queryset=Segment.objects.none())

    def __init__(self, *args, user, kind: str, **kwargs):
        super().__init__(*args, **kwargs)
        static = Segment.objects.restrict(user, "change").filter(kind=kind, dynamic=False)
        self.fields["segment"].queryset = static
