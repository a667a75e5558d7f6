"""Reference data administrators maintain: categories and industries."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from sputnik.core.models import RestrictedQuerySet


class ReferenceItem(models.Model):
    """A named entry of a list administrators edit; retired entries stay for history."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    is_active = models.BooleanField(_("active"), default=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["order", "name"]

    def __str__(self):
        return self.name

    @classmethod
    def access_condition(cls, user, action: str) -> Q:
        """Reference data is shared; the model permission alone decides."""
        return Q()


class Category(ReferenceItem):
    """A kind of relationship: client, partner, supplier, competitor …"""

    class Meta(ReferenceItem.Meta):
        verbose_name = _("category")
        verbose_name_plural = _("categories")


class Industry(ReferenceItem):
    """The organisation's field of business."""

    class Meta(ReferenceItem.Meta):
        verbose_name = _("industry")
        verbose_name_plural = _("industries")
