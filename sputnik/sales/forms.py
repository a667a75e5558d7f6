"""Forms of sales pages."""

from __future__ import annotations

from django import forms
from django.db.models import Q
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from sputnik.access.models import User, lines_with_role
from sputnik.core.roles import LineRole
from sputnik.core.views import VersionedForm
from sputnik.directory.forms import DATE, AttributesFormMixin, DecimalField
from sputnik.directory.lookup import lookup_field
from sputnik.directory.models import AttributeTarget, Employment, Organization, Person

from .models import (
    Deal,
    InteractionResult,
    LossReason,
    Pipeline,
    Stage,
    StageOutcome,
    TransitionRule,
)
from .rows import with_unseen_persons


class MoveForm(forms.Form):
    """Move a deal to another stage of its pipeline."""

    stage = forms.ModelChoiceField(label=_("Stage"), queryset=Stage.objects.none())
    reason = forms.CharField(label=_("Why"), required=False, max_length=300)
    loss_reason = forms.ModelChoiceField(
        label=_("Loss reason"),
        queryset=LossReason.objects.filter(is_active=True),
        required=False,
        empty_label="—",
        help_text=_("For a lost deal."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, deal: Deal, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["stage"].queryset = deal.pipeline.stages.all()
        self.fields["stage"].initial = deal.stage_id
        self.fields["version"].initial = deal.version


# Deals -----------------------------------------------------------------------------------


class DealForm(AttributesFormMixin, VersionedForm):
    """Open or change a deal: its organisation found by typing, contact persons among the
    organisation's employees, the responsible among the business line's employees, and —
    on creation only — the pipeline and the stage it starts in."""

    attribute_target = AttributeTarget.DEAL

    pipeline = forms.ModelChoiceField(
        label=_("Pipeline"), queryset=Pipeline.objects.none(), empty_label=None
    )
    stage = forms.ModelChoiceField(
        label=_("Stage"),
        queryset=Stage.objects.none(),
        empty_label=None,
        help_text=_("A new deal starts in a stage in progress; later it is moved."),
    )

    class Meta:
        model = Deal
        fields = Deal.EDITABLE_FIELDS
        widgets = {
            "expected_close": DATE,
            "notes": forms.Textarea(attrs={"rows": 3}),
            "persons": forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
            "currency": forms.TextInput(attrs={"maxlength": 3, "list": "currencies"}),
        }
        field_classes = {"amount": DecimalField}
        localized_fields = ["amount"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.add_attribute_fields(user)
        organizations = Organization.objects.restrict(user)
        lookup_field(self.fields["organization"], "organizations").queryset = organizations
        self.fields["business_line"].queryset = lines_with_role(user)
        self.fields["business_line"].empty_label = None
        self.fields["source"].choices = [("", "—"), *self.fields["source"].choices[1:]]
        self._limit_persons()
        self._limit_responsible()
        if self.instance.pk:  # stages change by moves, not here
            del self.fields["pipeline"], self.fields["stage"]
        else:
            self._limit_stages()

    def current(self, name: str) -> str:
        """The id the form holds for `name` now: typed, given or stored."""
        source = self.data if self.is_bound else self.initial
        value = source.get(self.add_prefix(name) if self.is_bound else name)
        value = str(getattr(value, "pk", value) or "")
        return value if value.isdigit() else ""

    def _limit_persons(self) -> None:
        organization = self.current("organization")
        employees = Employment.objects.current().filter(organization=organization or None)
        visible = Person.objects.restrict(self.user).filter(employments__in=employees)
        offered = Q(pk__in=visible.values("pk"))
        if self.instance.pk and organization == str(self.instance.organization_id):
            stored = Person.objects.restrict(self.user).filter(deals=self.instance)
            offered |= Q(pk__in=stored.values("pk"))  # even if they left
        self.fields["persons"].queryset = Person.objects.filter(offered).order_by(
            "last_name", "first_name", "id"
        )
        if not organization:
            self.fields["persons"].help_text = _("Choose the organisation to see its employees.")
        elif not self.fields["persons"].queryset.exists():
            self.fields["persons"].help_text = _(
                "No employees of this organisation are recorded yet: add them on its card."
            )

    def _limit_responsible(self) -> None:
        line = self.current("business_line")
        lines = [line] if line else self.fields["business_line"].queryset
        working = [LineRole.WRITE, LineRole.MANAGE]
        members = Q(line_memberships__line__in=lines, line_memberships__role__in=working)
        members |= Q(all_lines_role__in=working)
        if self.instance.responsible_id:
            members |= Q(pk=self.instance.responsible_id)
        field = self.fields["responsible"]
        field.queryset = User.objects.filter(members, is_active=True).distinct()
        field.empty_label = _("Nobody")

    def _limit_stages(self) -> None:
        pipelines = Pipeline.objects.restrict(self.user).filter(is_active=True)
        self.fields["pipeline"].queryset = pipelines
        pipeline = self.current("pipeline") or getattr(pipelines.first(), "pk", None)
        stages = Stage.objects.filter(pipeline=pipeline, outcome=StageOutcome.OPEN)
        self.fields["stage"].queryset = stages.order_by("order", "id")

    # Where each field goes on the page (the dependent ones are re-rendered in place).
    PARTS = {
        "name": ["name"],
        "organization": ["organization"],
        "persons": ["persons"],
        "business_line": ["business_line"],
        "responsible": ["responsible"],
        "pipeline": ["pipeline"],
        "stage": ["stage"],
        "amount": ["amount"],
        "currency": ["currency"],
        "other": ["expected_close", "source", "notes"],
    }

    @property
    def parts(self) -> dict[str, list]:
        return {
            part: [self[name] for name in names if name in self.fields]
            for part, names in self.PARTS.items()
        }

    def clean_currency(self):
        return self.cleaned_data["currency"].strip().upper()

    def values(self) -> dict:
        """What a new deal is opened with."""
        data = dict(self.cleaned_data)
        data.pop("version", None)
        return data

    def changes(self) -> dict:
        """What the deal is saved with. Its persons the user may not see are not offered,
        and stay on it as long as its organisation does not change."""
        data = super().changes()
        if "persons" in data:
            stored = Deal.objects.get(pk=self.instance.pk)
            organization = data.get("organization")
            data["persons"] = with_unseen_persons(stored, data["persons"], self.user, organization)
        return data


class StageRequirementsForm(forms.Form):
    """What a deal dropped on a board column still lacks to enter its stage: the stage's
    required fields and, for a lost deal, the reason. Only those fields are asked for."""

    def __init__(self, *args, deal: Deal, user, needs: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.deal, self.user = deal, user
        for name in needs:
            self.fields[name] = self.requirement(name)

    def changes(self) -> dict:
        """The deal fields to save before the move (the loss reason goes with the move)."""
        return {
            name: value for name, value in self.cleaned_data.items() if name in Stage.REQUIRABLE
        }

    def requirement(self, name: str) -> forms.Field:
        """A required field for `name`: a deal field or the loss reason."""
        if name == "loss_reason":
            reasons = LossReason.objects.filter(is_active=True)
            return forms.ModelChoiceField(label=_("Loss reason"), queryset=reasons, empty_label="—")
        label = capfirst(Deal._meta.get_field(name).verbose_name)
        if name == "amount":
            return DecimalField(
                label=label, localize=True, min_value=0, max_digits=15, decimal_places=2
            )
        if name == "expected_close":
            return forms.DateField(label=label, widget=DATE)
        if name == "responsible":
            return forms.ModelChoiceField(label=label, queryset=self.line_employees())
        return forms.ModelMultipleChoiceField(
            label=label,
            queryset=self.contact_persons(),
            widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        )

    def contact_persons(self):
        """The organisation's current employees the user sees."""
        working = Employment.objects.current().filter(organization=self.deal.organization_id)
        visible = Person.objects.restrict(self.user).filter(employments__in=working)
        return visible.distinct().order_by("last_name", "first_name", "id")

    def line_employees(self):
        """Who may work on the deal's business line."""
        working = [LineRole.WRITE, LineRole.MANAGE]
        members = Q(
            line_memberships__line=self.deal.business_line_id,
            line_memberships__role__in=working,
        )
        members |= Q(all_lines_role__in=working)
        return User.objects.filter(members, is_active=True).distinct()


# Setup of pipelines, results and automatic transitions ------------------------------------


class PipelineForm(forms.ModelForm):
    class Meta:
        model = Pipeline
        fields = ["name", "order", "is_active"]


class StageForm(forms.ModelForm):
    required_fields = forms.MultipleChoiceField(
        label=_("Required to enter"),
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        help_text=_("Deal fields that must be filled before a deal enters this stage."),
    )

    class Meta:
        model = Stage
        fields = ["name", "outcome", "probability", "target_days", "required_fields"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["required_fields"].choices = [
            (name, capfirst(Deal._meta.get_field(name).verbose_name)) for name in Stage.REQUIRABLE
        ]

    def clean_name(self):
        """One name per stage in a pipeline (the pipeline is not on the form)."""
        name = self.cleaned_data["name"]
        same = Stage.objects.filter(pipeline=self.instance.pipeline_id, name=name)
        if same.exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(_("The pipeline already has a stage with this name."))
        return name


class LossReasonForm(forms.ModelForm):
    class Meta:
        model = LossReason
        fields = ["name", "is_active"]


class ResultForm(forms.ModelForm):
    class Meta:
        model = InteractionResult
        fields = ["name", "kind", "next_kind", "next_in_days", "order", "is_active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, empty in (("kind", _("Any kind")), ("next_kind", _("None"))):
            self.fields[name].choices = [("", empty), *self.fields[name].choices[1:]]

    def clean(self):
        data = super().clean()
        if data.get("next_kind") and data.get("next_in_days") is None:
            self.add_error("next_in_days", _("Say in how many working days."))
        return data


class StageChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, stage):
        return f"{stage.pipeline} · {stage}"


class RuleForm(forms.ModelForm):
    class Meta:
        model = TransitionRule
        fields = ["result", "from_stage", "to_stage"]
        field_classes = {"from_stage": StageChoiceField, "to_stage": StageChoiceField}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        stages = Stage.objects.select_related("pipeline").order_by(
            "pipeline__order", "pipeline__name", "order", "id"
        )
        self.fields["from_stage"].queryset = stages
        self.fields["from_stage"].empty_label = _("Any stage of the pipeline")
        self.fields["to_stage"].queryset = stages
        self.fields["result"].queryset = InteractionResult.objects.filter(
            Q(is_active=True) | Q(pk=self.instance.result_id)
        )
