"""Phones, e-mails, messengers and addresses of organisations and persons."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from sputnik.core.models import RestrictedQuerySet, TimeStamped, seen_through

from .organization import Organization
from .person import Person


class ContactKind(models.TextChoices):
    PHONE = "phone", _("Phone")
    FAX = "fax", _("Fax")
    EMAIL = "email", _("E-mail")
    MESSENGER = "messenger", _("Messenger")


class ContactPoint(TimeStamped):
    """One way to reach an organisation or a person. Phones are stored in E.164 and
    e-mails in lower case, so search finds them however they were typed."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, null=True, blank=True, related_name="contacts"
    )
    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, null=True, blank=True, related_name="contacts"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=ContactKind.choices)
    label = models.CharField(_("label"), max_length=50, blank=True)
    value = models.CharField(_("value"), max_length=254)
    is_primary = models.BooleanField(_("primary"), default=False)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["kind", "-is_primary", "id"]
        indexes = [models.Index(fields=["kind", "value"], name="contact_lookup")]
        constraints = [
            models.CheckConstraint(
                condition=Q(organization__isnull=False, person__isnull=True)
                | Q(organization__isnull=True, person__isnull=False),
                name="contact_has_one_owner",
            )
        ]

    def __str__(self):
        return self.value

    @classmethod
    def access_condition(cls, user, action: str):
        """Seen and changed with the organisation or person it belongs to."""
        visible = Q(pk__in=[])
        for model, field in ((Organization, "organization"), (Person, "person")):
            condition = seen_through(model, model.access_condition(user, action), field)
            if condition is not None:
                visible |= condition
        return visible


class AddressKind(models.TextChoices):
    LEGAL = "legal", _("Legal")
    POSTAL = "postal", _("Postal")
    ACTUAL = "actual", _("Actual")


class Address(TimeStamped):
    """A structured address of an organisation."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="addresses"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=AddressKind.choices)
    postcode = models.CharField(_("postcode"), max_length=12, blank=True)
    region = models.CharField(_("region"), max_length=200, blank=True)
    city = models.CharField(_("city"), max_length=200, blank=True)
    street = models.CharField(_("street, building, office"), max_length=300, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("address")
        verbose_name_plural = _("addresses")
        ordering = ["kind", "id"]

    def __str__(self):
        return ", ".join(p for p in (self.postcode, self.region, self.city, self.street) if p)

    @classmethod
    def access_condition(cls, user, action: str):
        return seen_through(
            Organization, Organization.access_condition(user, action), "organization"
        )
