"""Contact persons and their employment in organisations (DIR-2)."""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sputnik.core import names
from sputnik.core.links import record_url
from sputnik.core.models import (
    Authored,
    BusinessRecord,
    RestrictedQuerySet,
    TimeStamped,
    Versioned,
    seen_through,
)

from .organization import Organization


class Gender(models.TextChoices):
    UNKNOWN = "", _("Not known")
    MALE = "m", _("Male")
    FEMALE = "f", _("Female")


class Person(BusinessRecord):
    """A contact person; may work in several organisations at once and over time."""

    line_field = "business_lines"
    BRIEF_FIELDS = ("last_name", "first_name", "patronymic")  # `full_name`, for `brief()`
    # What people edit on the form and through the API.
    EDITABLE_FIELDS = [
        "last_name",
        "first_name",
        "patronymic",
        "gender",
        "birthday",
        "consent_mailing",
        "consent_source",
        "consent_date",
        "do_not_contact",
        "business_lines",
        "notes",
    ]

    last_name = models.CharField(_("surname"), max_length=150, db_index=True)
    first_name = models.CharField(_("first name"), max_length=150, blank=True)
    patronymic = models.CharField(_("patronymic"), max_length=150, blank=True)
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices, blank=True)
    birthday = models.DateField(_("birthday"), null=True, blank=True)
    consent_mailing = models.BooleanField(_("agrees to mailings"), default=False)
    consent_source = models.CharField(_("consent source"), max_length=200, blank=True)
    consent_date = models.DateField(_("consent date"), null=True, blank=True)
    do_not_contact = models.BooleanField(_("do not contact"), default=False)
    business_lines = models.ManyToManyField(
        "access.BusinessLine", verbose_name=_("business lines"), related_name="persons"
    )
    notes = models.TextField(_("notes"), blank=True)
    attributes = models.JSONField(_("additional attributes"), default=dict, blank=True)

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("persons")
        ordering = ["last_name", "first_name", "id"]

    def __str__(self):
        return self.full_name

    def get_absolute_url(self):
        return record_url("directory:person_detail", self.pk)

    @property
    def full_name(self) -> str:
        """«Фамилия Имя Отчество»"""
        return names.full_name(self.last_name, self.first_name, self.patronymic)

    @property
    def short_name(self) -> str:
        """«Фамилия И. О.»"""
        return names.short_name(self.last_name, self.first_name, self.patronymic)


class DecisionRole(models.TextChoices):
    UNKNOWN = "", _("Not known")
    DECISION_MAKER = "decision_maker", _("Decision maker")
    INFLUENCER = "influencer", _("Influencer")
    USER = "user", _("User")
    GATEKEEPER = "gatekeeper", _("Gatekeeper")
    FINANCE = "finance", _("Approves the budget")


class EmploymentQuerySet(RestrictedQuerySet):
    def current(self):
        today = timezone.localdate()
        return self.filter(Q(ended_on__isnull=True) | Q(ended_on__gt=today))

    def former(self):
        return self.filter(ended_on__lte=timezone.localdate())

    def by_tenure(self) -> tuple[list, list]:
        """The jobs as (current, former) lists, read in one query rather than one each:
        the cards show both."""
        today = timezone.localdate()
        current, former = [], []
        for job in self:
            ended = job.ended_on is not None and job.ended_on <= today
            (former if ended else current).append(job)
        return current, former


class Employment(TimeStamped, Authored, Versioned):
    """A person's job in an organisation; visible wherever the organisation is."""

    # What people edit on the form and through the API (with person and organisation).
    EDITABLE_FIELDS = [
        "position",
        "department",
        "decision_role",
        "work_email",
        "work_phone",
        "is_primary",
        "started_on",
        "ended_on",
    ]

    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.CASCADE, related_name="employments"
    )
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="employments",
    )
    position = models.CharField(_("position"), max_length=200, blank=True)
    department = models.CharField(_("department"), max_length=200, blank=True)
    decision_role = models.CharField(
        _("role in the purchase decision"), max_length=16, choices=DecisionRole.choices, blank=True
    )
    work_email = models.EmailField(_("work e-mail"), blank=True, db_index=True)
    work_phone = models.CharField(_("work phone"), max_length=20, blank=True, db_index=True)
    is_primary = models.BooleanField(_("primary contact"), default=False)
    started_on = models.DateField(_("start date"), null=True, blank=True)
    ended_on = models.DateField(_("end date"), null=True, blank=True)

    objects = EmploymentQuerySet.as_manager()

    class Meta:
        verbose_name = _("employment")
        verbose_name_plural = _("employments")
        ordering = ["-is_primary", "person__last_name", "id"]

    def __str__(self):
        return f"{self.person} — {self.organization}"

    @property
    def is_current(self) -> bool:
        return self.ended_on is None or self.ended_on > timezone.localdate()

    @classmethod
    def access_condition(cls, user, action: str):
        """An employment is seen, and changed, with its organisation."""
        return seen_through(
            Organization, Organization.access_condition(user, action), "organization"
        )
