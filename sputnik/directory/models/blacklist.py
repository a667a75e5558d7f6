"""The registry of undesirable counterparties kept by the security officer (DIR-6)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from sputnik.core.models import RestrictedQuerySet, TimeStamped

from .organization import Organization


class BlacklistEntry(TimeStamped):
    """An organisation, or an INN not yet in the base, that the company avoids.

    Entries are never deleted: a removal closes the entry with who, when and why, so the
    registry keeps the history of additions and removals.
    """

    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="blacklist_entries",
    )
    inn = models.CharField(_("INN"), max_length=12, blank=True, db_index=True)
    name = models.CharField(_("name"), max_length=255, blank=True)
    reason = models.TextField(_("reason"))
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("added by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    removed_at = models.DateTimeField(_("removed"), null=True, blank=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("removed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    removal_reason = models.TextField(_("reason for removal"), blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("undesirable counterparty")
        verbose_name_plural = _("undesirable counterparties")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(organization__isnull=True, inn=""), name="blacklist_names_someone"
            )
        ]

    def __str__(self):
        return str(self.organization or self.name or self.inn)

    @property
    def is_active(self) -> bool:
        return self.removed_at is None

    @classmethod
    def access_condition(cls, user, action: str) -> Q:
        """The registry is one for the company; the model permission decides."""
        return Q()
