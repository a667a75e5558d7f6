"""Exchanges with other systems. Exports of lists to Excel run in the background."""

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from sputnik.core.models import BackgroundRun


class ExportKind(models.TextChoices):
    ORGANIZATIONS = "organizations", _("Organisations")
    PERSONS = "persons", _("Persons")


class Export(BackgroundRun):
    """An export of a filtered list to .xlsx, for the person who started it."""

    kind = models.CharField(_("what"), max_length=32, choices=ExportKind.choices)
    params = models.JSONField(_("filter and sort"), default=dict, blank=True)
    language = models.CharField(_("language"), max_length=8, default="ru")
    file = models.FileField(_("file"), upload_to="exports/lists/", blank=True)
    remote_addr = models.GenericIPAddressField(_("started from"), null=True, blank=True)

    class Meta(BackgroundRun.Meta):
        verbose_name = _("export")
        verbose_name_plural = _("exports")

    def __str__(self):
        return f"{self.get_kind_display()} · {self._meta.verbose_name} #{self.pk}"

    def get_absolute_url(self):
        return reverse("integrations:export", args=[self.pk])

    @property
    def filename(self) -> str:
        return f"{self.kind}-{self.pk}.xlsx"
