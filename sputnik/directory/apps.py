from functools import partial

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DirectoryConfig(AppConfig):
    name = "sputnik.directory"
    label = "directory"
    verbose_name = _("Counterparties")

    def ready(self):
        from sputnik.core import stamps
        from sputnik.core.audit import register_audited, register_field_rows

        from .attributes import history_rows
        from .models import (
            Address,
            AttributeDefinition,
            BlacklistEntry,
            Category,
            ContactPoint,
            Employment,
            Industry,
            Organization,
            Person,
            Segment,
        )

        register_audited(Organization, m2m_fields={"categories", "business_lines"})
        register_audited(Person, m2m_fields={"business_lines"})
        for model in (Address, ContactPoint, Employment, Category, Industry, AttributeDefinition):
            register_audited(model)
        register_audited(BlacklistEntry)
        register_audited(Segment, m2m_fields={"business_lines"})
        for model in (Organization, Person):
            register_field_rows(model, "attributes", partial(history_rows, model._meta.model_name))

        # Offered by the lists' filter panels (a custom attribute is a filter of its own).
        stamps.watch(
            stamps.CHOICES,
            Category,
            Industry,
            Segment,
            AttributeDefinition,
            relations=[Segment.business_lines.through],
        )
        from . import timeline

        timeline.register()
