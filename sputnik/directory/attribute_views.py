"""Pages where administrators define the custom attributes of each kind of record."""

from __future__ import annotations

import django_filters
from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from sputnik.core.filters import active_filter
from sputnik.core.views import ObjectCreateView, ObjectListView, ObjectUpdateView

from . import services
from .models import AttributeDefinition, AttributeTarget, AttributeType


class AttributeDefinitionFilter(django_filters.FilterSet):
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
            for name in services.FIXED_ON_UPDATE:
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


class AttributeDefinitionListView(ObjectListView):
    model = AttributeDefinition
    filterset_class = AttributeDefinitionFilter
    template_name = "directory/attribute_list.html"
    paginate_by = None


class AttributeDefinitionWriteMixin:
    model = AttributeDefinition
    form_class = AttributeDefinitionForm
    template_name = "directory/attribute_form.html"

    def get_success_url(self):
        return reverse("directory:attribute_list")

    def perform(self, form):
        definition = self.object or AttributeDefinition()
        return services.attribute_definition_save(
            actor=self.request.user, definition=definition, **form.values()
        )


class AttributeDefinitionCreateView(AttributeDefinitionWriteMixin, ObjectCreateView):
    success_message = _("Attribute “%(object)s” added.")


class AttributeDefinitionUpdateView(AttributeDefinitionWriteMixin, ObjectUpdateView):
    success_message = _("Attribute “%(object)s” saved.")
