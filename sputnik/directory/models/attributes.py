"""Custom attributes administrators define at run time (DIR-3). Values live in the
`attributes` JSON field of each record, keyed by the definition's code."""

from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from sputnik.core.models import RestrictedQuerySet, TimeStamped


class AttributeTarget(models.TextChoices):
    ORGANIZATION = "organization", _("Organisations")
    PERSON = "person", _("Persons")
    DEAL = "deal", _("Deals")
    EVENT = "event", _("Events")


class AttributeType(models.TextChoices):
    STRING = "string", _("Line of text")
    TEXT = "text", _("Text")
    INTEGER = "integer", _("Whole number")
    DECIMAL = "decimal", _("Decimal number")
    DATE = "date", _("Date")
    BOOLEAN = "boolean", _("Yes / no")
    CHOICE = "choice", _("Choice")
    MULTI_CHOICE = "multi_choice", _("Several choices")
    ORGANIZATION = "organization", _("Organisation")


class AttributeDefinition(TimeStamped):
    """An extra typed field of organisations, persons, deals or events."""

    # Fixed once the attribute exists: the values stored under its code depend on them.
    FIXED_FIELDS = ("target", "code", "type")

    target = models.CharField(_("applies to"), max_length=16, choices=AttributeTarget.choices)
    code = models.CharField(
        _("code"),
        max_length=50,
        validators=[
            RegexValidator(
                r"^[a-z][a-z0-9_]*$",
                _("Use small Latin letters, digits and “_”, starting with a letter."),
            )
        ],
        help_text=_("The attribute's name in the API and in imports, e.g. “annual_revenue”."),
    )
    label_ru = models.CharField(_("label in Russian"), max_length=200)
    label_en = models.CharField(_("label in English"), max_length=200)
    type = models.CharField(_("type"), max_length=16, choices=AttributeType.choices)
    required = models.BooleanField(_("required"), default=False)
    help_ru = models.CharField(_("help in Russian"), max_length=300, blank=True)
    help_en = models.CharField(_("help in English"), max_length=300, blank=True)
    choices = models.JSONField(
        _("choices"), default=list, blank=True, help_text=_("For choice types: the options.")
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    show_in_list = models.BooleanField(
        _("column in the list"),
        default=False,
        help_text=_("Show the attribute as a column of the list (it can always be filtered)."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("custom attribute")
        verbose_name_plural = _("custom attributes")
        ordering = ["target", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["target", "code"], name="attribute_unique_code")
        ]

    def __str__(self):
        return self.label

    @property
    def label(self) -> str:
        return self.label_en if translation.get_language() == "en" else self.label_ru

    @property
    def help(self) -> str:
        return self.help_en if translation.get_language() == "en" else self.help_ru

    def get_absolute_url(self):
        return reverse("directory:attribute_update", args=[self.pk])

    @classmethod
    def access_condition(cls, user, action: str) -> Q:
        return Q()
