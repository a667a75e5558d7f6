"""Sales (SAL-2): pipelines of ordered stages, deals moving through them, and the record
of every move — the ground of cycle-length, time-in-stage and funnel reports."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sputnik.core.links import record_url
from sputnik.core.models import LineScoped, RestrictedQuerySet, TimeStamped


class Setting(TimeStamped):
    """A company-wide sales setting: everyone whose role may read it sees all of it, the
    model permission decides (administrators write); no business line applies."""

    permission_required = True
    objects = RestrictedQuerySet.as_manager()

    class Meta:
        abstract = True

    @classmethod
    def access_condition(cls, user, action: str) -> Q:
        return Q()


class Pipeline(Setting):
    """A sales process: the stages a deal goes through. Configured by administrators."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    order = models.PositiveIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        verbose_name = _("pipeline")
        verbose_name_plural = _("pipelines")
        ordering = ["order", "name"]

    def __str__(self):
        return self.name

    def first_stage(self) -> Stage | None:
        return self.stages.filter(outcome=StageOutcome.OPEN).order_by("order").first()


class StageOutcome(models.TextChoices):
    OPEN = "open", _("In progress")
    WON = "won", _("Won")
    LOST = "lost", _("Lost")


class Stage(Setting):
    """A step of a pipeline. Won and lost stages end a deal."""

    # Deal fields a stage may require before a deal enters it.
    REQUIRABLE = ("amount", "expected_close", "responsible", "persons")

    pipeline = models.ForeignKey(
        Pipeline, verbose_name=_("pipeline"), on_delete=models.CASCADE, related_name="stages"
    )
    name = models.CharField(_("name"), max_length=200)
    order = models.PositiveIntegerField(_("order"), default=0)
    outcome = models.CharField(
        _("outcome"), max_length=8, choices=StageOutcome.choices, default=StageOutcome.OPEN
    )
    probability = models.PositiveSmallIntegerField(
        _("win probability, %"),
        default=0,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    target_days = models.PositiveIntegerField(_("target duration, days"), null=True, blank=True)
    required_fields = models.JSONField(
        _("required to enter"),
        default=list,
        blank=True,
        help_text=_("Deal fields that must be filled before a deal enters this stage."),
    )

    class Meta:
        verbose_name = _("stage")
        verbose_name_plural = _("stages")
        ordering = ["pipeline", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["pipeline", "name"], name="unique_stage_name"),
        ]

    def __str__(self):
        return self.name

    @property
    def is_closed(self) -> bool:
        return self.outcome != StageOutcome.OPEN


class LossReason(Setting):
    name = models.CharField(_("name"), max_length=200, unique=True)
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        verbose_name = _("loss reason")
        verbose_name_plural = _("loss reasons")
        ordering = ["name"]

    def __str__(self):
        return self.name


class DealSource(models.TextChoices):
    INBOUND = "inbound", _("Inbound request")
    OUTBOUND = "outbound", _("Outbound call")
    EVENT = "event", _("Event")
    MAILING = "mailing", _("Mailing")
    REFERRAL = "referral", _("Referral")
    WEBSITE = "website", _("Website")
    OTHER = "other", _("Other")


class Deal(LineScoped):
    """A sale to an organisation, in one business line, moving through a pipeline."""

    BRIEF_FIELDS = ("name",)  # what names it on other records' pages (`brief()`)
    EDITABLE_FIELDS = [
        "name",
        "organization",
        "persons",
        "business_line",
        "amount",
        "currency",
        "expected_close",
        "responsible",
        "source",
        "notes",
    ]

    name = models.CharField(_("name"), max_length=255)
    organization = models.ForeignKey(
        "directory.Organization",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="deals",
    )
    persons = models.ManyToManyField(
        "directory.Person",
        verbose_name=_("contact persons"),
        related_name="deals",
        blank=True,
    )
    pipeline = models.ForeignKey(
        Pipeline, verbose_name=_("pipeline"), on_delete=models.PROTECT, related_name="deals"
    )
    stage = models.ForeignKey(
        Stage, verbose_name=_("stage"), on_delete=models.PROTECT, related_name="deals"
    )
    amount = models.DecimalField(
        _("amount"),
        max_digits=15,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    currency = models.CharField(_("currency"), max_length=3, default="RUB")
    expected_close = models.DateField(_("expected close date"), null=True, blank=True)
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("responsible"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="deals",
    )
    source = models.CharField(_("source"), max_length=16, choices=DealSource.choices, blank=True)
    loss_reason = models.ForeignKey(
        LossReason,
        verbose_name=_("loss reason"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    stage_entered_at = models.DateTimeField(_("in the stage since"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    attributes = models.JSONField(_("additional attributes"), default=dict, blank=True)

    class Meta:
        verbose_name = _("deal")
        verbose_name_plural = _("deals")
        ordering = ["-created_at", "-id"]
        permissions = [("hand_over", _("Can hand over clients between employees"))]
        indexes = [
            models.Index(fields=["pipeline", "stage"], name="deal_pipeline_stage"),
            models.Index(fields=["responsible", "closed_at"], name="deal_responsible_open"),
            # The board: a column's first cards (of every line, and of one line: the
            # index of every line would be filtered, or the line's deals sorted), and the
            # columns' counts and sums read from the index alone.
            models.Index(
                fields=["stage", "expected_close", "-id"],
                condition=Q(closed_at__isnull=True),
                name="deal_board_column",
            ),
            models.Index(
                fields=["stage", "business_line", "expected_close", "-id"],
                condition=Q(closed_at__isnull=True),
                name="deal_board_line_column",
            ),
            models.Index(
                fields=["pipeline", "business_line", "stage", "currency", "amount"],
                condition=Q(closed_at__isnull=True),
                name="deal_board_totals",
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return record_url("sales:deal", self.pk)

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


class StageChange(models.Model):
    """A deal's move from one stage to another: when, by whom and why."""

    deal = models.ForeignKey(
        Deal, verbose_name=_("deal"), on_delete=models.CASCADE, related_name="stage_changes"
    )
    from_stage = models.ForeignKey(
        Stage,
        verbose_name=_("from"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    to_stage = models.ForeignKey(
        Stage, verbose_name=_("to"), on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("when"), db_index=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    reason = models.CharField(_("why"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("stage change")
        verbose_name_plural = _("stage changes")
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.deal}: {self.from_stage or '—'} → {self.to_stage}"


# Interactions (SAL-1) -------------------------------------------------------------------


class InteractionKind(models.TextChoices):
    CALL = "call", _("Call")
    EMAIL = "email", _("E-mail")
    MEETING = "meeting", _("Meeting")
    LETTER = "letter", _("Letter")
    FAX = "fax", _("Fax")
    OTHER = "other", _("Other")


class Direction(models.TextChoices):
    OUTBOUND = "out", _("Outgoing")
    INBOUND = "in", _("Incoming")


class InteractionStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


class InteractionResult(Setting):
    """An outcome of a contact ("meeting agreed", "no answer"), offered for its kind, and
    the next contact it suggests (SAL-4)."""

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(
        _("for contacts of kind"),
        max_length=16,
        choices=InteractionKind.choices,
        blank=True,
        help_text=_("Empty: offered for every kind."),
    )
    order = models.PositiveIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("in use"), default=True)
    next_kind = models.CharField(
        _("next contact"),
        max_length=16,
        choices=InteractionKind.choices,
        blank=True,
        help_text=_("Empty: no next contact is proposed."),
    )
    next_in_days = models.PositiveSmallIntegerField(
        _("next contact in working days"), null=True, blank=True
    )

    class Meta:
        verbose_name = _("interaction result")
        verbose_name_plural = _("interaction results")
        ordering = ["order", "name"]

    def __str__(self):
        return self.name


class TransitionRule(Setting):
    """Result R of a contact on a deal in stage S (or in any stage of the pipeline of T)
    moves the deal to stage T (SAL-3)."""

    result = models.ForeignKey(
        InteractionResult,
        verbose_name=_("result"),
        on_delete=models.CASCADE,
        related_name="rules",
    )
    from_stage = models.ForeignKey(
        Stage,
        verbose_name=_("when the deal is in"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty: any stage of the pipeline."),
    )
    to_stage = models.ForeignKey(
        Stage, verbose_name=_("move it to"), on_delete=models.CASCADE, related_name="+"
    )

    class Meta:
        verbose_name = _("automatic transition")
        verbose_name_plural = _("automatic transitions")
        constraints = [
            models.UniqueConstraint(
                fields=["result", "from_stage", "to_stage"], name="unique_transition"
            ),
        ]

    def __str__(self):
        return f"{self.result}: {self.from_stage or '*'} → {self.to_stage}"


def overdue(status: str, due_at, now) -> bool:
    """Whether a contact in `status`, due at `due_at`, is overdue at `now`."""
    return status == InteractionStatus.PLANNED and due_at is not None and due_at < now


class Interaction(LineScoped):
    """A call, e-mail, meeting, letter … with a client: planned (with a due time), done
    (with a result) or cancelled. It stays with the organisation, whoever handled it."""

    EDITABLE_FIELDS = [
        "kind",
        "direction",
        "organization",
        "persons",
        "deal",
        "business_line",
        "subject",
        "notes",
        "due_at",
        "happened_at",
        "duration_minutes",
        "responsible",
    ]

    kind = models.CharField(_("kind"), max_length=16, choices=InteractionKind.choices)
    direction = models.CharField(
        _("direction"), max_length=3, choices=Direction.choices, default=Direction.OUTBOUND
    )
    organization = models.ForeignKey(
        "directory.Organization",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="interactions",
    )
    persons = models.ManyToManyField(
        "directory.Person", verbose_name=_("persons"), related_name="interactions", blank=True
    )
    deal = models.ForeignKey(
        Deal,
        verbose_name=_("deal"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="interactions",
    )
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=InteractionStatus.choices,
        default=InteractionStatus.DONE,
    )
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    happened_at = models.DateTimeField(_("happened"), null=True, blank=True)
    duration_minutes = models.PositiveIntegerField(_("duration, minutes"), null=True, blank=True)
    result = models.ForeignKey(
        InteractionResult,
        verbose_name=_("result"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("responsible"),
        on_delete=models.PROTECT,
        related_name="interactions",
    )
    occurred_at = models.DateTimeField(_("date"), default=timezone.now, editable=False)
    reminded_at = models.DateTimeField(_("reminder sent"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("interaction")
        verbose_name_plural = _("interactions")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["organization", "-occurred_at", "-id"], name="interaction_timeline"
            ),
            # My work, reminders, the team's counts: the line is in the index too, so the
            # access check needs no visit to the table (index-only on both databases).
            models.Index(
                fields=["responsible", "status", "due_at", "business_line"],
                name="interaction_planned_line",
            ),
            # An organisation's next planned contact (card and dossier): its first entry,
            # not a sort of every contact a busy client ever had.
            models.Index(
                fields=["organization", "due_at", "id"],
                condition=Q(status="planned"),
                name="interaction_org_planned",
            ),
        ]

    def save(self, *args, **kwargs):
        self.occurred_at = self.moment()
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "occurred_at"}
        super().save(*args, **kwargs)

    def moment(self):
        """Where the contact stands in time: when it happened, or when it is due."""
        if self.status == InteractionStatus.DONE and self.happened_at:
            return self.happened_at
        return self.due_at or self.happened_at or self.occurred_at or timezone.now()

    def __str__(self):
        return self.subject or f"{self.get_kind_display()} · {self.organization}"

    @property
    def is_overdue(self) -> bool:
        return overdue(self.status, self.due_at, timezone.now())


class SalesProfile(models.Model):
    """An employee's own sales settings: reminder lead time, the morning digest and the
    secret of their calendar feed."""

    permission_required = False

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("employee"),
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="sales_profile",
    )
    reminder_lead_minutes = models.PositiveIntegerField(
        _("remind me before a contact, minutes"),
        default=15,
        validators=[MaxValueValidator(7 * 24 * 60)],
    )
    morning_digest = models.BooleanField(_("morning digest by e-mail"), default=True)
    digest_sent_on = models.DateField(_("last digest"), null=True, blank=True, editable=False)
    calendar_token = models.CharField(
        _("calendar feed key"), max_length=64, unique=True, null=True, blank=True, editable=False
    )

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("sales settings")
        verbose_name_plural = _("sales settings")

    def __str__(self):
        return str(self.user)

    @classmethod
    def access_condition(cls, user, action: str) -> Q:
        return Q(user=user)

    @classmethod
    def of(cls, user) -> SalesProfile:
        """The user's settings (defaults until they change them)."""
        return cls.objects.get_or_create(user=user)[0]
