from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntegrationsConfig(AppConfig):
    name = "sputnik.integrations"
    label = "integrations"
    verbose_name = _("Exchange with other systems")

    def ready(self):
        from sputnik.access.audit import VALUE_LABELS

        from .importing import DuplicatePolicy

        # The security log names an import's policy in the reader's language.
        VALUE_LABELS["policy"] = dict(DuplicatePolicy.choices)
