"""Forms of sales pages."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Deal, LossReason, Stage


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
