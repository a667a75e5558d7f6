"""The navigation's count of overdue contacts."""

from django.utils import timezone

from sputnik.access.models import Substitution

from .models import Interaction, InteractionStatus


def work(request):
    """`overdue_contacts`: the user's overdue planned contacts (and those of whoever they
    stand in for today), counted only when a page shows it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    def overdue_contacts() -> int:
        if not user.has_perm("sales.view_interaction"):
            return 0
        # The ids first: "responsible = me OR responsible IN (subquery)" cannot use the
        # planned-contacts index and made every page scan all contacts.
        absent = Substitution.objects.active().filter(deputy=user).values_list("absent", flat=True)
        return (
            Interaction.objects.restrict(user)
            .filter(responsible__in=[user.pk, *absent])
            .filter(status=InteractionStatus.PLANNED, due_at__lt=timezone.now())
            .count()
        )

    return {"overdue_contacts": overdue_contacts}
