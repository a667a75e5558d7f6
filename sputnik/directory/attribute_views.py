"""Pages where administrators define the custom attributes of each kind of record."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from sputnik.core.views import ObjectCreateView, ObjectListView, ObjectUpdateView

from . import services
from .filters import AttributeDefinitionFilter
from .forms import AttributeDefinitionForm
from .models import AttributeDefinition


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
