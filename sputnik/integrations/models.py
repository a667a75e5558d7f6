"""Exchanges with other systems. Exports of lists to Excel run in the background."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from sputnik.core.models import BackgroundRun, RestrictedQuerySet, RunStatus, TimeStamped

from .importing import DuplicatePolicy, ImportKind


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


INTERRUPTED_AFTER = 15 * 60  # seconds without progress


class Import(BackgroundRun):
    """An import of organisations, persons and their jobs from a spreadsheet (INT-1). It is
    prepared step by step (file, columns, options) while a draft, then runs once confirmed."""

    kind = models.CharField(_("rows are"), max_length=32, choices=ImportKind.choices)
    source = models.FileField(_("file"), upload_to="imports/sources/")
    source_name = models.CharField(_("file name"), max_length=255)
    sheet = models.CharField(_("sheet"), max_length=100, blank=True)
    headers = models.JSONField(_("column headers"), default=list, blank=True)
    mapping = models.JSONField(_("what each column fills"), default=list, blank=True)
    policy = models.CharField(
        _("when the record is already in the base"),
        max_length=16,
        choices=DuplicatePolicy.choices,
        default=DuplicatePolicy.SKIP,
    )
    valid_only = models.BooleanField(
        _("import the valid rows even if others have errors"),
        default=False,
        help_text=_("Otherwise a single faulty row stops the import and nothing is written."),
    )
    business_lines = models.ManyToManyField(
        "access.BusinessLine",
        verbose_name=_("business lines of new records"),
        blank=True,
        related_name="+",
    )
    segment = models.ForeignKey(
        "directory.Segment",
        verbose_name=_("add to the list"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    segment_name = models.CharField(_("or to a new list named"), max_length=200, blank=True)
    result = models.JSONField(_("result"), default=dict, blank=True)
    file = models.FileField(_("rejected rows"), upload_to="imports/rejected/", blank=True)
    language = models.CharField(_("language"), max_length=8, default="ru")
    remote_addr = models.GenericIPAddressField(_("started from"), null=True, blank=True)

    class Meta(BackgroundRun.Meta):
        verbose_name = _("import")
        verbose_name_plural = _("imports")

    def __str__(self):
        return f"{self._meta.verbose_name} #{self.pk} · {self.source_name}"

    def get_absolute_url(self):
        return reverse("integrations:import", args=[self.pk])

    @property
    def is_interrupted(self) -> bool:
        """Running, but silent for long: its worker was stopped. Its writes were rolled
        back with it, so it may run again."""
        from django.utils import timezone

        silent = timezone.now() - self.updated_at
        return self.status == RunStatus.RUNNING and silent.total_seconds() > INTERRUPTED_AFTER

    @property
    def rejected_filename(self) -> str:
        stem = self.source_name.rsplit(".", 1)[0]
        return f"{stem}-rejected.xlsx"


class ImportMapping(TimeStamped):
    """A named choice of columns, offered again for files with the same headers."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("rows are"), max_length=32, choices=ImportKind.choices)
    columns = models.JSONField(_("columns"), default=dict, help_text=_("header → field"))

    permission_required = False
    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("column mapping")
        verbose_name_plural = _("column mappings")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "kind", "name"], name="unique_mapping_name")
        ]

    def __str__(self):
        return self.name

    @classmethod
    def access_condition(cls, user, action: str) -> Q:
        return Q(owner=user)
