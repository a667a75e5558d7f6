"""Forms of "my work": logging a contact in a few keystrokes (or planning one), and
recording the result of a planned one."""

from __future__ import annotations

import datetime

from django import forms
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from sputnik.access.models import BusinessLine, lines_with_role
from sputnik.directory.lookup import RecordLookup
from sputnik.directory.models import Employment, Organization, Person

from .models import Deal, Direction, InteractionKind, InteractionResult

MOMENT_FORMAT = "%Y-%m-%dT%H:%M"


class MomentInput(forms.DateTimeInput):
    """A date and time picked in the browser's own control, in local time."""

    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format=MOMENT_FORMAT)

    def format_value(self, value):
        if isinstance(value, datetime.datetime) and timezone.is_aware(value):
            value = timezone.localtime(value)
        return super().format_value(value)


class TypedLookup(RecordLookup):
    """The type-to-find box that, when nothing was chosen, keeps what was typed."""

    typed = ""

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        if not context["widget"]["label"]:
            context["widget"]["label"] = self.typed
        return context


class DealChoice(forms.ModelChoiceField):
    def label_from_instance(self, deal):
        return f"{deal.name} · {deal.stage.name}"


def next_morning() -> datetime.datetime:
    """A planned contact's default due time: the next working day at ten."""
    day = timezone.localdate() + datetime.timedelta(days=1)
    while day.weekday() >= 5:
        day += datetime.timedelta(days=1)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(10, 0)))


class ResultFieldMixin:
    """The result list shows the results of the contact's kind (and the one chosen, so
    that a refusal shows what was wrong); any active result is accepted for the service
    to judge."""

    def offer_results(self, kind: str) -> None:
        field = self.fields["result"]
        chosen = str(self["result"].value() or "") if self.is_bound else ""
        offered = [r for r in field.queryset if r.kind in ("", kind) or str(r.pk) == chosen]
        field.widget.choices = [("", "—"), *((r.pk, r.name) for r in offered)]


class QuickLogForm(ResultFieldMixin, forms.Form):
    """A contact that happened (with its result), or, switched to "plan for later", one
    to come. The organisation is fixed when the form is opened from its card."""

    plan = forms.BooleanField(label=_("Plan for later"), required=False)
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=InteractionKind.choices,
        initial=InteractionKind.CALL,
        widget=forms.RadioSelect(attrs={"class": "btn-check"}),
    )
    direction = forms.ChoiceField(
        label=_("Direction"),
        choices=Direction.choices,
        initial=Direction.OUTBOUND,
        widget=forms.RadioSelect(attrs={"class": "btn-check"}),
    )
    organization = forms.ModelChoiceField(
        label=_("Organisation"),
        queryset=Organization.objects.none(),
        error_messages={"required": _("Choose the organisation: type part of its name.")},
    )
    persons = forms.ModelMultipleChoiceField(
        label=_("Persons"),
        queryset=Person.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
    )
    deal = DealChoice(
        label=_("Deal"), queryset=Deal.objects.none(), required=False, empty_label="—"
    )
    result = forms.ModelChoiceField(
        label=_("Result"),
        queryset=InteractionResult.objects.filter(is_active=True),
        required=False,
        empty_label="—",
    )
    subject = forms.CharField(label=_("Subject"), max_length=300, required=False)
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    happened_at = forms.DateTimeField(label=_("When"), required=False, widget=MomentInput)
    due_at = forms.DateTimeField(label=_("Due"), required=False, widget=MomentInput)
    duration_minutes = forms.IntegerField(
        label=_("Minutes"), min_value=0, max_value=24 * 60, required=False
    )
    business_line = forms.ModelChoiceField(
        label=_("Business line"),
        queryset=BusinessLine.objects.none(),
        required=False,
        empty_label=_("As the deal or the organisation"),
    )

    def __init__(self, *args, user, organization: Organization | None = None, **kwargs):
        kwargs.setdefault("auto_id", "quick_%s")
        super().__init__(*args, **kwargs)
        self.user, self.fixed = user, organization
        visible = Organization.objects.restrict(user)
        field = self.fields["organization"]
        field.queryset = visible
        if organization is None:
            field.widget = TypedLookup("organizations")
            field.widget.choices = field.choices
            field.widget.typed = self.data.get("organization_text", "") if self.is_bound else ""
        else:
            self.fields["organization"].widget = forms.HiddenInput()
            self.initial["organization"] = organization.pk
        self.fields["business_line"].queryset = lines_with_role(user)
        self.organization = organization or self._chosen_organization(visible)
        self._offer_organization_choices(user)
        self.offer_results(self["kind"].value() or InteractionKind.CALL)
        self.initial.setdefault("happened_at", timezone.now())
        self.initial.setdefault("due_at", next_morning())

    def _chosen_organization(self, visible) -> Organization | None:
        value = self["organization"].value()
        return visible.filter(pk=value).first() if str(value or "").isdigit() else None

    def _offer_organization_choices(self, user) -> None:
        """Persons: the organisation's current employees; deals: its open ones."""
        organization = self.organization
        if organization is None:
            return
        staff = Employment.objects.current().filter(organization=organization)
        self.fields["persons"].queryset = Person.objects.restrict(user).filter(
            pk__in=staff.values("person")
        )
        self.fields["deal"].queryset = (
            Deal.objects.restrict(user, "change")
            .filter(organization=organization, closed_at__isnull=True)
            .select_related("stage")
        )

    @property
    def planning(self) -> bool:
        value = self["plan"].value()
        return bool(value) and value not in ("0", "false", "False")

    @cached_property
    def offers_persons(self) -> bool:
        return self.organization is not None and self.fields["persons"].queryset.exists()

    @cached_property
    def offers_deals(self) -> bool:
        return self.organization is not None and self.fields["deal"].queryset.exists()

    @cached_property
    def several_lines(self) -> bool:
        return self.fields["business_line"].queryset.count() > 1

    def clean_organization(self):
        return self.fixed or self.cleaned_data["organization"]

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        line = self._line(data)
        if line is None:
            self.add_error(
                "business_line" if self.several_lines else "organization",
                _("You may not record contacts in this organisation's business lines."),
            )
        data["business_line"] = line
        return data

    def _line(self, data):
        """The deal's business line, the one chosen, or the first of the organisation's
        lines the user may write in."""
        if data.get("deal") is not None:
            return data["deal"].business_line
        if data.get("business_line") is not None:
            return data["business_line"]
        writable = self.fields["business_line"].queryset
        return writable.filter(pk__in=data["organization"].business_lines.values("pk")).first()

    def values(self) -> dict:
        """What the service takes: planned contacts have no result and no time done."""
        data = self.cleaned_data
        names = ["kind", "direction", "organization", "persons", "deal", "business_line"]
        names += ["subject", "notes", "duration_minutes"]
        values = {name: data[name] for name in names}
        if self.planning:
            values["due_at"] = data["due_at"]
        else:
            values["happened_at"] = moment_or_now(data["happened_at"])
            values["result"] = data["result"]
        return values


def moment_or_now(value: datetime.datetime | None) -> datetime.datetime:
    """The time typed, or now when the field was left empty or at the minute it showed
    (the field keeps whole minutes; now keeps a contact after what happened a moment ago)."""
    now = timezone.now()
    if value is None or abs(now - value) < datetime.timedelta(minutes=2):
        return now
    return value


class CompleteForm(ResultFieldMixin, forms.Form):
    """A planned contact happened: its result, notes, when and how long."""

    result = QuickLogForm.base_fields["result"]
    notes = QuickLogForm.base_fields["notes"]
    happened_at = QuickLogForm.base_fields["happened_at"]
    duration_minutes = QuickLogForm.base_fields["duration_minutes"]
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, interaction, **kwargs):
        kwargs.setdefault("auto_id", f"done{interaction.pk}_%s")
        super().__init__(*args, **kwargs)
        self.interaction = interaction
        self.initial.update(
            notes=interaction.notes, happened_at=timezone.now(), version=interaction.version
        )
        self.offer_results(interaction.kind)

    def values(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("version")
        data["happened_at"] = moment_or_now(data["happened_at"])
        return data
