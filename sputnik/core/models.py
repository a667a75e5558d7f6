"""Abstract bases shared by every business model: timestamps, authorship, optimistic
locking, business-line scoping, and the restricted queryset that enforces access."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Prefetch, Q
from django.utils.encoding import force_str
from django.utils.hashable import make_hashable
from django.utils.translation import gettext_lazy as _

from .roles import ACTION_ROLE, line_access


def model_permission(model, action: str) -> str:
    """The Django permission an action on `model` needs ("manage" needs change)."""
    codename = {"manage": "change"}.get(action, action)
    return f"{model._meta.app_label}.{codename}_{model._meta.model_name}"


def seen_through(model, condition, field: str) -> Q | None:
    """Access to a record that is seen with another one (its `field` points to a `model`
    row allowed by `condition`), as a correlated EXISTS: the database tests the rows at
    hand instead of first listing every visible `model` row (as SQLite does for `IN`)."""
    if condition is None:
        return None
    if condition == Q():
        return Q(**{f"{field}__isnull": False})
    return Q(Exists(model.objects.filter(condition).filter(pk=OuterRef(field))))


def linked_to(model, field: str, targets) -> Exists:
    """Whether a row of `model` is linked through its many-to-many `field` to `targets`
    (one record or id, or a list of them), as a correlated EXISTS on the link table. A
    join would let the database start from the link table, read every row linked to the
    target and sort them all for one page; EXISTS lets it walk the page's order and test
    each row, stopping at the page's end."""
    relation = model._meta.get_field(field)
    own, other = relation.m2m_field_name(), relation.m2m_reverse_field_name()
    if isinstance(targets, list | tuple | set | frozenset):
        other += "__in"
    links = relation.remote_field.through.objects.filter(**{own: OuterRef("pk"), other: targets})
    return Exists(links)


LISTED = "listed_"


def listed(relation: str, queryset=None) -> Prefetch:
    """A many-relation of a page of records prefetched into a plain list on each record,
    `listed_<relation>`. Django's own prefetch gives every record a manager and a queryset
    of its own: ~0.1 ms a record and relation, and reference cycles the full garbage
    collection must walk. A list page and the API's lists read the plain list."""
    return Prefetch(relation, queryset=queryset, to_attr=LISTED + relation)


def brief(queryset, *relations: str):
    """`queryset` joined to its foreign keys `relations` (`select_related`), reading of
    each related record only what a page shows of it by name: the `BRIEF_FIELDS` of its
    model (and its key). Every other column of an organisation or an employee (dates,
    custom attributes decoded from JSON, …) cost ~40 µs a row on every board card, "my
    work" row and timeline entry that names them. Reading a field left out costs a query
    per row: the pages' constant-query tests catch that."""
    deferred = []
    for relation in relations:
        model = queryset.model._meta.get_field(relation).related_model
        kept = set(getattr(model, "BRIEF_FIELDS", ()))
        if kept:
            deferred += [
                f"{relation}__{field.name}"
                for field in model._meta.concrete_fields
                if not field.primary_key and field.name not in kept
            ]
    return queryset.select_related(*relations).defer(*deferred)


class RestrictedQuerySet(models.QuerySet):
    """A queryset that knows how to cut itself down to what a user may do."""

    def restrict(self, user, action: str = "view") -> RestrictedQuerySet:
        """Rows of this model the user may perform `action` on (empty when none)."""
        if action not in ACTION_ROLE:
            raise ValueError(f"Unknown action {action!r}")
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        needs_permission = getattr(self.model, "permission_required", True)
        if needs_permission and not user.has_perm(model_permission(self.model, action)):
            return self.none()
        condition = self.model.access_condition(user, action)
        if condition is None:
            return self.none()
        return self.filter(condition)

    @classmethod
    def as_manager(cls):
        manager = RestrictedManager.from_queryset(cls)()
        manager._built_with_as_manager = True
        return manager

    as_manager.queryset_only = True


RESTRICTED = "_restricted_rows"  # on a user object: (model, manager, action) → rows


class RestrictedManager(models.Manager):
    """`Model.objects.restrict(user, action)` built once per user object and action.

    Building the access condition into a query costs 0.1–1 ms (an organisation's lines
    are an EXISTS over the link table, a job's go through its organisation's), and a
    page asks for the same rows a dozen times (a dossier: fifteen). The user object
    lives for one request (or one task) and already keeps what the rows depend on — its
    line roles and permissions; `forget_line_access()` drops them all when they change.
    Each caller gets a copy (`.all()`), so what one adds or reads is its own. A related
    manager (`deal.interactions`) starts from one record's rows: it is not kept."""

    def restrict(self, user, action: str = "view"):
        related = getattr(self, "instance", None) is not None or self.name is None
        if related or not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.get_queryset().restrict(user, action)
        kept = getattr(user, RESTRICTED, None)
        if kept is None:
            kept = {}
            setattr(user, RESTRICTED, kept)
        key = (self.model, self.name, self._db, action)
        rows = kept.get(key)
        if rows is None:
            rows = kept[key] = self.get_queryset().restrict(user, action)
        return rows.all()


_LABELS: dict = {}  # a field with fixed choices → {value: label}


class ChoiceLabels:
    """`get_<field>_display()` from a table built once per field: Django rebuilds it from
    the field's choices on every call (~30 µs, twice for each row of a list page)."""

    def _get_FIELD_display(self, field):
        if not isinstance(field.choices, list | tuple):  # choices from a callable
            return super()._get_FIELD_display(field)
        labels = _LABELS.get(field)
        if labels is None:
            labels = _LABELS[field] = dict(make_hashable(field.flatchoices))
        value = getattr(self, field.attname)
        # force_str(): the labels are lazy, in the language of the moment
        return force_str(labels.get(make_hashable(value), value), strings_only=True)


class TimeStamped(ChoiceLabels, models.Model):
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        abstract = True


class Authored(models.Model):
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("updated by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )

    class Meta:
        abstract = True


class Versioned(models.Model):
    """Optimistic locking: every saved change increments `version`."""

    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    class Meta:
        abstract = True


class BusinessRecord(TimeStamped, Authored, Versioned):
    """Base of editable business records whose access is decided by business lines.

    `line_field` names the path to the business line(s): a foreign key ("business_line"),
    a many-to-many field ("business_lines"), or "id" for the line itself.
    `action_roles` lets a model ask for a stronger line role than the default.
    """

    line_field = "business_line"
    action_roles: dict[str, str] = {}

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        abstract = True

    @classmethod
    def access_condition(cls, user, action: str) -> Q | Exists | None:
        role = cls.action_roles.get(action, ACTION_ROLE[action])
        line_ids = line_access(user).line_ids(role)
        if line_ids is None:
            return Q()
        if not line_ids:
            return None
        if cls._meta.get_field(cls.line_field).many_to_many:
            return linked_to(cls, cls.line_field, line_ids)
        return Q(**{f"{cls.line_field}__in": line_ids})

    def line_ids(self) -> list[int]:
        """The business lines this record belongs to."""
        field = self._meta.get_field(self.line_field)
        if field.many_to_many:
            return list(getattr(self, self.line_field).values_list("pk", flat=True))
        return [getattr(self, field.attname)]


class LineScoped(BusinessRecord):
    """A business record that belongs to exactly one business line."""

    business_line = models.ForeignKey(
        "access.BusinessLine",
        verbose_name=_("business line"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        abstract = True


class RunStatus(models.TextChoices):
    DRAFT = "draft", _("Being prepared")
    PENDING = "pending", _("Waiting")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class BackgroundRun(TimeStamped):
    """A long job started by a user: its status, progress and errors, for the UI to poll.

    Concrete runs (imports, exports, mailings) add their parameters and result; the task
    that does the work receives the run's id and reports through `services.run_*`.
    """

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("started by"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    status = models.CharField(
        _("status"), max_length=16, choices=RunStatus.choices, default=RunStatus.PENDING
    )
    done = models.PositiveIntegerField(_("processed"), default=0)
    total = models.PositiveIntegerField(_("total"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    # A run belongs to whoever started it; no model permission is needed to follow it.
    permission_required = False

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["-created_at"]

    @classmethod
    def access_condition(cls, user, action: str) -> Q:
        """A run is seen by the person who started it."""
        return Q(created_by=user)

    @property
    def is_finished(self) -> bool:
        return self.status in {RunStatus.DONE, RunStatus.FAILED}

    @property
    def is_stalled(self) -> bool:
        """Still waiting long after it was queued: probably no worker is running."""
        from django.utils import timezone

        waited = timezone.now() - self.created_at
        return self.status == RunStatus.PENDING and waited.total_seconds() > 30

    @property
    def percent(self) -> int:
        if self.status == RunStatus.DONE:
            return 100
        if not self.total:
            return 0
        return min(100, int(self.done * 100 / self.total))


class MergeRecord(models.Model):
    """One record merged into another (DIR-5): what it was and what moved, so that the
    survivor's history also shows the past of the records merged into it."""

    content_type = models.ForeignKey(
        "contenttypes.ContentType", on_delete=models.CASCADE, related_name="+"
    )
    kept_id = models.PositiveBigIntegerField(_("kept record"), db_index=True)
    merged_id = models.PositiveBigIntegerField(_("merged record"))
    merged_repr = models.CharField(_("merged record"), max_length=300)
    snapshot = models.JSONField(_("merged record's data"), default=dict)
    moved = models.JSONField(_("links moved"), default=dict)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("merged by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    merged_at = models.DateTimeField(_("merged at"), auto_now_add=True)

    class Meta:
        verbose_name = _("merge")
        verbose_name_plural = _("merges")
        ordering = ["-merged_at", "-id"]

    def __str__(self):
        return f"{self.merged_repr} → #{self.kept_id}"


class ChangeStamp(models.Model):
    """A value renewed whenever a kind of records changes (`core.stamps`): what is built
    from those records can be cached under it."""

    name = models.CharField(_("name"), max_length=50, primary_key=True)
    stamp = models.CharField(_("stamp"), max_length=32)

    class Meta:
        verbose_name = _("change stamp")
        verbose_name_plural = _("change stamps")

    def __str__(self):
        return self.name
