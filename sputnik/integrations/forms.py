"""Forms of the import wizard: the file, then what each column fills and the options."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from sputnik.access.models import lines_with_role
from sputnik.directory.models import Segment

from .importing import GROUPS, ImportKind, targets
from .models import Import
from .reading import EXTENSIONS


class ImportUploadForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Each row is"),
        choices=ImportKind.choices,
        initial=ImportKind.ORGANIZATIONS,
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
    )
    source = forms.FileField(
        label=_("File"),
        help_text=_(
            "Excel (.xlsx, .xls), OpenDocument (.ods) or CSV (UTF-8 or Windows-1251, "
            "separated by “;” or “,”). The first filled row holds the column headers."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(EXTENSIONS)}),
    )


def field_choices(kind: str) -> list:
    """The fields a column can fill, grouped: organisation, person, job, import."""
    grouped: dict[str, list] = {}
    for key, target in targets(kind).items():
        grouped.setdefault(str(GROUPS[target.group]), []).append((key, target.label))
    return [("", _("— do not import —")), *grouped.items()]


class ImportOptionsForm(forms.ModelForm):
    """One choice per column, then what to do with records already in the base."""

    save_mapping_as = forms.CharField(
        label=_("Remember these columns as"),
        required=False,
        max_length=100,
        help_text=_("Files with the same headers get these columns next time."),
    )

    class Meta:
        model = Import
        fields = ["policy", "valid_only", "business_lines", "segment", "segment_name"]
        widgets = {"policy": forms.RadioSelect(attrs={"class": "form-check-input"})}

    def __init__(self, *args, user, samples: list[list], **kwargs):
        super().__init__(*args, **kwargs)
        run = self.instance
        choices = field_choices(run.kind)
        self.columns = []
        for number, header in enumerate(run.headers):
            name = f"column_{number}"
            initial = run.mapping[number] if number < len(run.mapping) else ""
            self.fields[name] = forms.ChoiceField(
                label=header or _("Column %(number)s") % {"number": number + 1},
                choices=choices,
                required=False,
                initial=initial,
                widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
            )
            values = [str(row[number]) for row in samples if number < len(row) and row[number]]
            self.columns.append((self[name], values[:3]))
        lines = self.fields["business_lines"]
        lines.widget = forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"})
        lines.queryset = lines_with_role(user)  # after the widget: it takes the choices
        lines.help_text = _("New organisations and persons go to these lines.")
        static = Segment.objects.restrict(user, "change").filter(kind=run.kind, dynamic=False)
        self.fields["segment"].queryset = static
        self.fields["segment"].empty_label = _("No list")
        self.fields["segment"].help_text = _(
            "The rows' organisations (or persons) — new, updated or found — join the list."
        )

    def option_fields(self):
        return [self[name] for name in self.Meta.fields] + [self["save_mapping_as"]]

    def mapping(self) -> list[str]:
        return [
            self.cleaned_data.get(f"column_{number}", "")
            for number in range(len(self.instance.headers))
        ]
