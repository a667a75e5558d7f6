"""People and structure: employees, departments, business lines with per-line roles,
roles as groups, in-app notifications and the security event log."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.contrib.auth.models import AbstractUser, Group
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from sputnik.core import names
from sputnik.core.links import record_url
from sputnik.core.models import (
    Authored,
    BackgroundRun,
    BusinessRecord,
    RestrictedManager,
    RestrictedQuerySet,
    TimeStamped,
    Versioned,
)
from sputnik.core.roles import LineRole, line_access


def new_access_stamp() -> str:
    return secrets.token_hex(8)


class Language(models.TextChoices):
    BROWSER = "", _("As in the browser")
    RUSSIAN = "ru", _("Russian")
    ENGLISH = "en", _("English")


class UserQuerySet(RestrictedQuerySet):
    pass


class UserManager(RestrictedManager, DjangoUserManager.from_queryset(UserQuerySet)):
    pass


def employee_full_name(last_name: str, first_name: str, patronymic: str, username: str) -> str:
    """An employee's «Фамилия Имя Отчество», or the login when no name is known."""
    return names.full_name(last_name, first_name, patronymic) or username


def employee_short_name(last_name: str, first_name: str, patronymic: str, username: str) -> str:
    """An employee's «Фамилия И. О.» (read from a row without making a `User` of it)."""
    if not last_name:
        return employee_full_name(last_name, first_name, patronymic, username)
    return names.short_name(last_name, first_name, patronymic)


# What names an employee on other records' pages (`User.BRIEF_FIELDS`, `brief()`) and in
# rows read with `values()`: `full_name`, `short_name`.
EMPLOYEE_NAME_FIELDS = ("last_name", "first_name", "patronymic", "username")


def employee_name_fields(relation: str) -> list[str]:
    """What a `values()` read names of the employee `relation`: the fields of the name."""
    return [f"{relation}__{name}" for name in EMPLOYEE_NAME_FIELDS]


def employee_short_name_in(row: dict, relation: str) -> str:
    """The short name of the employee `relation` in a row read with
    `employee_name_fields(relation)`; "" when there is none."""
    parts = {name: row[f"{relation}__{name}"] for name in EMPLOYEE_NAME_FIELDS}
    return employee_short_name(**parts) if parts["username"] else ""


class User(AbstractUser, TimeStamped, Authored, Versioned):
    """An employee: a login with the profile the CRM needs to address and route work."""

    BRIEF_FIELDS = EMPLOYEE_NAME_FIELDS

    # What an administrator edits on the employee form and through the API.
    ADMINISTERED_FIELDS = [
        "username",
        "last_name",
        "first_name",
        "patronymic",
        "email",
        "position",
        "department",
        "phone",
        "language",
        "is_active",
        "all_lines_role",
    ]

    patronymic = models.CharField(_("patronymic"), max_length=150, blank=True)
    position = models.CharField(_("position"), max_length=200, blank=True)
    department = models.ForeignKey(
        "Department",
        verbose_name=_("department"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="employees",
    )
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    language = models.CharField(
        _("interface language"), max_length=8, choices=Language.choices, blank=True
    )
    all_lines_role = models.CharField(
        _("role on all business lines"),
        max_length=16,
        choices=LineRole.choices,
        blank=True,
        help_text=_("Directors and administrators see every business line with this role."),
    )
    # Renewed whenever what the employee may do changes (sputnik.access.snapshot).
    access_stamp = models.CharField(
        _("access stamp"), max_length=16, default=new_access_stamp, editable=False
    )

    objects = UserManager()

    class Meta:
        verbose_name = _("employee")
        verbose_name_plural = _("employees")
        ordering = ["last_name", "first_name", "username"]

    def __str__(self):
        return self.full_name

    def save(self, *args, **kwargs):
        # After the insert only `snapshot.renew()` writes the stamp: a full save of an
        # object loaded before a renewal (a password change takes a second) would put
        # the old stamp back and make its cached access valid again.
        if not self._state.adding and kwargs.get("update_fields") is None:
            kwargs["update_fields"] = [
                field.name
                for field in self._meta.concrete_fields
                if not field.primary_key and field.name != "access_stamp"
            ]
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return record_url("access:user_detail", self.pk)

    @property
    def access_key(self) -> str:
        """What decides this user's access, as of their row: renewed stamp and own fields
        (what is cached from their access is kept under it, with the user's id)."""
        return f"{self.access_stamp}:{self.is_active}:{self.is_superuser}:{self.all_lines_role}"

    @property
    def full_name(self) -> str:
        """«Фамилия Имя Отчество», or the login when no name is known."""
        return employee_full_name(self.last_name, self.first_name, self.patronymic, self.username)

    @property
    def short_name(self) -> str:
        """«Фамилия И. О.»"""
        return employee_short_name(self.last_name, self.first_name, self.patronymic, self.username)

    @classmethod
    def access_condition(cls, user, action: str) -> Q:
        """Employees are not line data: the model permission alone decides."""
        return Q()


class Department(TimeStamped, Authored, Versioned):
    """A unit of the company's structure; departments form a tree."""

    name = models.CharField(_("name"), max_length=200)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent department"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    head = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("head"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["parent", "name"], name="department_unique_name")
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("access:department_list")

    @classmethod
    def access_condition(cls, user, action: str) -> Q:
        return Q()

    def ancestors(self) -> list[Department]:
        chain, node = [], self.parent
        while node is not None and node not in chain:
            chain.append(node)
            node = node.parent
        return chain[::-1]


class BusinessLine(BusinessRecord):
    """A line of business; the unit of data visibility (SEC-1)."""

    line_field = "id"
    action_roles = {"change": LineRole.MANAGE, "delete": LineRole.MANAGE}

    name = models.CharField(_("name"), max_length=200, unique=True)
    code = models.SlugField(_("code"), max_length=50, unique=True)
    description = models.TextField(_("description"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("members"),
        through="LineMembership",
        through_fields=("line", "user"),
        related_name="business_lines",
    )

    class Meta:
        verbose_name = _("business line")
        verbose_name_plural = _("business lines")
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("access:line_detail", args=[self.pk])


class LineMembership(TimeStamped, Authored):
    """A user's role on one business line."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("employee"),
        on_delete=models.CASCADE,
        related_name="line_memberships",
    )
    line = models.ForeignKey(
        BusinessLine,
        verbose_name=_("business line"),
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    role = models.CharField(_("role"), max_length=16, choices=LineRole.choices)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("line membership")
        verbose_name_plural = _("line memberships")
        ordering = ["line__name", "user__last_name"]
        constraints = [
            models.UniqueConstraint(fields=["user", "line"], name="membership_unique_user_line")
        ]

    def __str__(self):
        return f"{self.user} — {self.line} ({self.get_role_display()})"

    @classmethod
    def access_condition(cls, user, action: str) -> Q | None:
        role = LineRole.READ if action == "view" else LineRole.MANAGE
        line_ids = line_access(user).line_ids(role)
        if line_ids is None:
            return Q()
        return Q(line_id__in=line_ids) if line_ids else None


class SubstitutionQuerySet(RestrictedQuerySet):
    def active(self, on=None):
        """Substitutions in force on the day `on` (today by default)."""
        from django.utils import timezone

        day = on or timezone.localdate()
        return self.filter(starts_on__lte=day, ends_on__gte=day)


class Substitution(TimeStamped, Authored):
    """A deputy stands in for an absent employee for a period (SAL-6): during it the
    deputy holds the absent employee's line roles, sees their work and receives their
    reminders. It ends by itself after its last day."""

    permission_required = False

    absent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("absent employee"),
        on_delete=models.CASCADE,
        related_name="substituted_by",
    )
    deputy = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("deputy"),
        on_delete=models.CASCADE,
        related_name="substitutes_for",
    )
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("to (inclusive)"))
    note = models.CharField(_("note"), max_length=255, blank=True)

    objects = SubstitutionQuerySet.as_manager()

    class Meta:
        verbose_name = _("substitution")
        verbose_name_plural = _("substitutions")
        ordering = ["-starts_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="substitution_period"
            ),
            models.CheckConstraint(
                condition=~Q(absent=models.F("deputy")), name="substitution_not_self"
            ),
        ]
        indexes = [models.Index(fields=["deputy", "ends_on"], name="substitution_deputy")]

    def __str__(self):
        return f"{self.absent} → {self.deputy}"

    @property
    def is_active(self) -> bool:
        from django.utils import timezone

        return self.starts_on <= timezone.localdate() <= self.ends_on

    @classmethod
    def access_condition(cls, user, action: str) -> Q | Exists | None:
        """Heads with the permission see and arrange the substitutions of the employees
        of the lines they manage (all of them with every line); an employee sees the ones
        they are part of."""
        own = Q(absent=user) | Q(deputy=user) if action == "view" else None
        if not user.has_perm(f"access.{'view' if action == 'view' else 'change'}_substitution"):
            return own
        managed = line_access(user).line_ids(LineRole.MANAGE)
        if managed is None:
            return Q()
        theirs = Exists(LineMembership.objects.filter(user=OuterRef("absent"), line_id__in=managed))
        return theirs | own if own is not None else theirs


class RoleCode(models.TextChoices):
    SALESPERSON = "salesperson", _("Salesperson")
    HEAD_OF_SALES = "head_of_sales", _("Head of sales")
    MARKETER = "marketer", _("Marketer")
    HEAD_OF_MARKETING = "head_of_marketing", _("Head of marketing")
    DIRECTOR = "director", _("Director")
    SECURITY_OFFICER = "security_officer", _("Security officer")
    ADMINISTRATOR = "administrator", _("Administrator")


class Role(models.Model):
    """A job role: the group holding its permissions, plus its security policy."""

    code = models.CharField(_("code"), max_length=32, choices=RoleCode.choices, unique=True)
    group = models.OneToOneField(Group, on_delete=models.CASCADE, related_name="role")
    require_otp = models.BooleanField(
        _("second factor required"),
        default=False,
        help_text=_("Holders of this role must sign in with a one-time code."),
    )

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("role")
        verbose_name_plural = _("roles")
        ordering = ["code"]

    def __str__(self):
        return self.get_code_display()

    @classmethod
    def access_condition(cls, user, action: str) -> Q:
        return Q()


class Notification(TimeStamped):
    """An in-app message to one employee (reminders, finished jobs, hand-overs …)."""

    permission_required = False

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    title = models.CharField(_("title"), max_length=255)
    body = models.TextField(_("text"), blank=True)
    url = models.CharField(_("link"), max_length=500, blank=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notification_unread")]

    def __str__(self):
        return self.title

    @classmethod
    def access_condition(cls, user, action: str) -> Q:
        """Each employee sees only their own notifications."""
        return Q(recipient=user)


class SecurityEventKind(models.TextChoices):
    LOGIN = "login", _("Sign-in")
    LOGIN_FAILED = "login_failed", _("Failed sign-in")
    LOGOUT = "logout", _("Sign-out")
    LOCKED_OUT = "locked_out", _("Locked out")
    SECOND_FACTOR_FAILED = "otp_failed", _("Wrong one-time code")
    UNLOCKED = "unlocked", _("Sign-in unlocked")
    SECOND_FACTOR_RESET = "otp_reset", _("Second factor reset")
    PERMISSION_CHANGE = "permission_change", _("Permission change")
    EXPORT = "export", _("Export")
    IMPORT = "import", _("Import")


class SecurityEvent(models.Model):
    """Who signed in, failed, was locked out, changed permissions, exported or imported
    data."""

    kind = models.CharField(_("event"), max_length=32, choices=SecurityEventKind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("employee"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    username = models.CharField(_("login"), max_length=150, blank=True)
    remote_addr = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)
    details = models.JSONField(_("details"), default=dict, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("security event")
        verbose_name_plural = _("security events")
        ordering = ["-at", "-id"]
        permissions = [("view_audit", _("Can browse the audit trail"))]

    def __str__(self):
        return f"{self.get_kind_display()} {self.username}"

    @classmethod
    def access_condition(cls, user, action: str) -> Q | None:
        return Q() if user.has_perm("access.view_audit") else None


class AuditExport(BackgroundRun):
    """An export of audit records to CSV, run in the background."""

    filters = models.JSONField(_("filters"), default=dict, blank=True)
    language = models.CharField(_("language"), max_length=8, default="ru")
    file = models.FileField(_("file"), upload_to="exports/audit/", blank=True)

    class Meta(BackgroundRun.Meta):
        verbose_name = _("audit export")
        verbose_name_plural = _("audit exports")

    def __str__(self):
        return f"{self._meta.verbose_name} #{self.pk}"

    def get_absolute_url(self):
        return reverse("access:audit_export", args=[self.pk])


def lines_with_role(user, role: str = LineRole.WRITE):
    """Active business lines where the user holds at least `role` (for choosing where a
    new record goes)."""
    line_ids = line_access(user).line_ids(role)
    lines = BusinessLine.objects.filter(is_active=True)
    return lines if line_ids is None else lines.filter(pk__in=line_ids)


def colleagues(user, *, also=None):
    """Active employees on the business lines the user sees (every active employee for a
    user on all lines), and the employee with id `also` whatever their lines: whom a
    list or the board offers to filter by."""
    employees = User.objects.filter(is_active=True)
    line_ids = line_access(user).line_ids(LineRole.READ)
    if line_ids is None:
        return employees
    shared = Q(Exists(LineMembership.objects.filter(user=OuterRef("pk"), line__in=line_ids)))
    if also is not None:
        shared |= Q(pk=also)
    return employees.filter(shared)
