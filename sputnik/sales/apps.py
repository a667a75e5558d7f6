from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SalesConfig(AppConfig):
    name = "sputnik.sales"
    label = "sales"
    verbose_name = _("Sales")

    def ready(self):
        from sputnik.access.audit import DETAIL_LABELS, EXPORTED
        from sputnik.core import stamps
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
        stamps.watch(stamps.CHOICES, Pipeline, Stage)  # offered by the deals' filter panel
        from . import timeline

        timeline.register()
        from . import reminders  # noqa: F401  (registers the periodic tasks)

        # The security log names the sales events' details in the reader's language.
        EXPORTED["handover"] = _("hand-over of clients")
        EXPORTED["calendar_feed"] = _("calendar feed")
        DETAIL_LABELS.update(
            target=_("Handed to"),
            selected=_("Selected organisations only"),
            organization=_("Organisations"),
            deal=_("Deals"),
            interaction=_("Contacts"),
        )
