"""The navigation's count of overdue contacts."""

from django.utils import timezone

from sputnik.access.snapshot import snapshot
from sputnik.core.pagination import Capped, capped_count

from .models import Interaction, InteractionStatus

BADGE_CAP = 99  # the badge says "99+" beyond: it is a call to act, not a statistic


def work(request):
    """`overdue_contacts`: the user's overdue planned contacts (and those of whoever they
    stand in for today), counted up to BADGE_CAP only when a page shows it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    def overdue_contacts() -> Capped:
        if not user.has_perm("sales.view_interaction"):
            return Capped(0)
        # The ids first: "responsible = me OR responsible IN (subquery)" cannot use the
        # planned-contacts index and made every page scan all contacts.
        absent = snapshot(user).standing_in_for
        overdue = (
            Interaction.objects.restrict(user)
            .filter(responsible__in=[user.pk, *absent])
            .filter(status=InteractionStatus.PLANNED, due_at__lt=timezone.now())
        )
        return capped_count(overdue, BADGE_CAP)

    return {"overdue_contacts": overdue_contacts}
