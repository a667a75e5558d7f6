"""Lists (segments) of organisations or persons (DIR-7): target audiences for mailings,
events and planning. A static list holds its members; a dynamic one holds the criteria of
the organisation or person list page — the same FilterSet — and is evaluated when used."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from sputnik.core.links import record_url
from sputnik.core.models import BusinessRecord

from .organization import Organization
from .person import Person


class SegmentKind(models.TextChoices):
    ORGANIZATIONS = "organizations", _("Organisations")
    PERSONS = "persons", _("Persons")


class Segment(BusinessRecord):
    """A named list. Private lists are their owner's; shared ones are seen by everyone in
    their business lines (who still see only the members of their own lines)."""

    line_field = "business_lines"

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("of"), max_length=16, choices=SegmentKind.choices)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="segments",
    )
    business_lines = models.ManyToManyField(
        "access.BusinessLine", verbose_name=_("business lines"), related_name="segments"
    )
    shared = models.BooleanField(
        _("shared"), default=False, help_text=_("Colleagues of its business lines see it.")
    )
    dynamic = models.BooleanField(
        _("dynamic"),
        default=False,
        help_text=_("Members are whoever matches the criteria when the list is used."),
    )
    criteria = models.JSONField(_("criteria"), default=dict, blank=True)
    organizations = models.ManyToManyField(
        Organization, verbose_name=_("organisations"), related_name="segments", blank=True
    )
    persons = models.ManyToManyField(
        Person, verbose_name=_("persons"), related_name="segments", blank=True
    )
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("list")
        verbose_name_plural = _("lists")
        ordering = ["name", "id"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return record_url("directory:segment_detail", self.pk)

    @classmethod
    def access_condition(cls, user, action: str):
        """The owner's own lists; shared lists by the role in one of their lines."""
        shared = super().access_condition(user, action)
        mine = Q(owner=user)
        if shared is None:
            return mine
        return mine | (Q(shared=True) & (shared if isinstance(shared, Q) else Q(shared)))
