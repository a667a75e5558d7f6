"""Forms of the directory pages. They validate input; services write."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from sputnik.access.models import User, lines_with_role
from sputnik.core.views import VersionedForm

from . import validation
from .attributes import AttributesFormMixin
from .lookup import lookup_field
from .models import (
    AddressKind,
    AttributeTarget,
    Category,
    ContactKind,
    Employment,
    Industry,
    Organization,
    Person,
)

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


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
        fields = [
            "position",
            "department",
            "decision_role",
            "work_email",
            "work_phone",
            "is_primary",
            "started_on",
            "ended_on",
        ]
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
