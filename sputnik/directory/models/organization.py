"""Organisations: legal entities, sole traders and foreign companies (DIR-1)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from sputnik.core.links import record_url
from sputnik.core.models import BusinessRecord


class LegalForm(models.TextChoices):
    OOO = "ooo", "ООО"
    AO = "ao", "АО"
    PAO = "pao", "ПАО"
    ZAO = "zao", "ЗАО"
    IP = "ip", "ИП"
    GUP = "gup", "ГУП"
    MUP = "mup", "МУП"
    NKO = "nko", _("Non-profit")
    BRANCH = "branch", _("Branch")
    FOREIGN = "foreign", _("Foreign company")
    OTHER = "other", _("Other")


class OrganizationStatus(models.TextChoices):
    PROSPECT = "prospect", _("Prospect")
    CLIENT = "client", _("Client")
    FORMER = "former", _("Former client")


class Organization(BusinessRecord):
    """A counterparty organisation, shared by the business lines it belongs to."""

    line_field = "business_lines"
    BRIEF_FIELDS = ("short_name",)  # what names it on other records' pages (`brief()`)
    # What people edit on the form and through the API.
    EDITABLE_FIELDS = [
        "short_name",
        "full_name",
        "legal_form",
        "inn",
        "kpp",
        "ogrn",
        "country",
        "website",
        "industry",
        "categories",
        "status",
        "parent",
        "responsible",
        "business_lines",
        "notes",
    ]

    short_name = models.CharField(_("short name"), max_length=255)
    full_name = models.CharField(_("full legal name"), max_length=500, blank=True)
    legal_form = models.CharField(
        _("legal form"), max_length=16, choices=LegalForm.choices, blank=True
    )
    inn = models.CharField(_("INN"), max_length=12, blank=True, db_index=True)
    kpp = models.CharField(_("KPP"), max_length=9, blank=True)
    ogrn = models.CharField(_("OGRN / OGRNIP"), max_length=15, blank=True)
    country = models.CharField(_("country"), max_length=2, default="RU")
    website = models.URLField(_("website"), blank=True)
    industry = models.ForeignKey(
        "Industry", verbose_name=_("industry"), on_delete=models.PROTECT, null=True, blank=True
    )
    categories = models.ManyToManyField(
        "Category", verbose_name=_("categories"), blank=True, related_name="organizations"
    )
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=OrganizationStatus.choices,
        default=OrganizationStatus.PROSPECT,
        db_index=True,
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent organisation"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="branches",
    )
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("responsible employee"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="organizations",
    )
    business_lines = models.ManyToManyField(
        "access.BusinessLine", verbose_name=_("business lines"), related_name="organizations"
    )
    notes = models.TextField(_("notes"), blank=True)
    attributes = models.JSONField(_("additional attributes"), default=dict, blank=True)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["short_name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["inn", "kpp"], condition=~Q(inn=""), name="organization_unique_inn_kpp"
            )
        ]
        indexes = [
            models.Index(fields=["short_name", "id"], name="organization_name"),
            # The clients (or prospects …) of an industry, in the lists' order: the common
            # dynamic list and filter, counted and paged from the index instead of reading
            # every organisation of the industry and sorting the matches.
            models.Index(
                fields=["industry", "status", "short_name", "id"], name="organization_industry"
            ),
        ]

    def __str__(self):
        return self.short_name

    def get_absolute_url(self):
        return record_url("directory:organization_detail", self.pk)

    @property
    def is_sole_trader(self) -> bool:
        return self.legal_form == LegalForm.IP or len(self.inn) == 12
