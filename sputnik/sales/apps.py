from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SalesConfig(AppConfig):
    name = "sputnik.sales"
    label = "sales"
    verbose_name = _("Sales")

    def ready(self):
        from sputnik.core.audit import register_audited

        from .models import (
            Deal,
            Interaction,
            InteractionResult,
            LossReason,
            Pipeline,
            Stage,
            TransitionRule,
        )

        register_audited(Deal, m2m_fields={"persons"})
        register_audited(Interaction, m2m_fields={"persons"})
        for model in (Pipeline, Stage, LossReason, InteractionResult, TransitionRule):
            register_audited(model)
        from . import timeline

        timeline.register()
