"""Every write of sales: pipelines and their stages, deals and their moves between
stages (each recorded with when, who and why), contacts with clients and what their
results do (automatic transitions, the next contact)."""

from __future__ import annotations

import contextlib
import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from sputnik.core.exceptions import StaleEdit
from sputnik.core.roles import LineRole, line_access
from sputnik.core.services import record_create, record_update
from sputnik.directory.attributes import clean_attributes
from sputnik.directory.models import AttributeTarget, Employment

from . import reminders
from .models import (
    Deal,
    Interaction,
    InteractionResult,
    InteractionStatus,
    LossReason,
    Pipeline,
    Stage,
    StageChange,
    StageOutcome,
    TransitionRule,
)


@transaction.atomic
def reference_save(*, actor, item, **values: Any):
    """Create or change a pipeline, a stage or a loss reason."""
    if isinstance(item, Stage) and item.pk:
        _check_stage_change(item, values)
    for name, value in values.items():
        setattr(item, name, value)
    if isinstance(item, Stage):
        unknown = set(item.required_fields or []) - set(Stage.REQUIRABLE)
        if unknown:
            raise ValidationError(
                {
                    "required_fields": _("Not deal fields a stage can require: %(names)s.")
                    % {"names": ", ".join(sorted(unknown))}
                }
            )
    if isinstance(item, TransitionRule):
        _check_rule(item)
    item.full_clean()
    item.save()
    return item


def _check_stage_change(stage: Stage, values: dict) -> None:
    """A stage stays in its pipeline; its outcome is fixed once deals are in it."""
    if "pipeline" in values and values["pipeline"] != stage.pipeline:
        raise ValidationError({"pipeline": _("A stage stays in its pipeline.")})
    if values.get("outcome", stage.outcome) != stage.outcome and stage.deals.exists():
        raise ValidationError({"outcome": _("Deals are in this stage: its outcome cannot change.")})


def _check_rule(rule: TransitionRule) -> None:
    """Both stages of one pipeline, and one rule per result and stage in a pipeline."""
    if rule.from_stage is not None and rule.from_stage.pipeline_id != rule.to_stage.pipeline_id:
        raise ValidationError({"from_stage": _("Both stages must be of one pipeline.")})
    same = TransitionRule.objects.filter(
        result=rule.result_id,
        from_stage=rule.from_stage,
        to_stage__pipeline=rule.to_stage.pipeline_id,
    ).exclude(pk=rule.pk)
    if same.exists():
        raise ValidationError(
            _("A rule for this result and stage in this pipeline already exists.")
        )


@transaction.atomic
def stage_delete(*, actor, stage: Stage) -> None:
    """Delete a stage no deal is or was in (its history would lose its meaning)."""
    from django.db.models import ProtectedError

    try:
        with transaction.atomic():
            stage.delete()
    except ProtectedError:
        raise ValidationError(_("Deals are or were in this stage: it cannot be deleted.")) from None


@transaction.atomic
def reference_remove(*, actor, item) -> None:
    """Delete a setting nothing refers to (an automatic transition)."""
    item.delete()


@transaction.atomic
def deal_create(
    *,
    actor,
    pipeline: Pipeline,
    stage: Stage | None = None,
    persons: Iterable = (),
    **values: Any,
) -> Deal:
    """Open a deal in a pipeline's first stage (or the given one), with persons who work
    at its organisation and its custom attributes checked."""
    stage = stage or pipeline.first_stage()
    if stage is None:
        raise ValidationError({"pipeline": _("The pipeline has no stages yet.")})
    _check_stage(pipeline, stage)
    if stage.is_closed:
        raise ValidationError({"stage": _("A new deal starts in a stage in progress.")})
    persons = list(persons)
    _check_persons(values.get("organization"), persons)
    _check_line(values)
    values["attributes"] = _deal_attributes(actor, values.get("attributes"))
    deal = Deal(pipeline=pipeline, stage=stage, **values)
    _check_required(deal, stage, persons)
    now = timezone.now()
    deal = record_create(
        Deal,
        actor=actor,
        pipeline=pipeline,
        stage=stage,
        persons=persons,
        stage_entered_at=now,
        closed_at=now if stage.is_closed else None,
        **values,
    )
    StageChange.objects.create(deal=deal, to_stage=stage, at=now, by=actor)
    return deal


@transaction.atomic
def deal_update(*, actor, deal: Deal, expected_version: int | None, **changes: Any) -> Deal:
    """Change a deal's details; its stage changes only through `deal_move`. Persons added
    (all of them, if the organisation changes) must work at its organisation."""
    for name in ("stage", "pipeline", "closed_at", "stage_entered_at"):
        if name in changes:
            raise ValidationError({name: _("Move the deal to change its stage.")})
    stored = Deal.objects.select_for_update().get(pk=deal.pk)
    if "persons" in changes or "organization" in changes:
        organization = changes.get("organization", stored.organization)
        changes["persons"] = list(changes.get("persons", stored.persons.all()))
        same = organization is not None and organization.pk == stored.organization_id
        kept = set(stored.persons.values_list("pk", flat=True)) if same else set()
        _check_persons(organization, changes["persons"], kept=kept)
    if {"organization", "business_line", "responsible"} & set(changes):
        stored_links = {
            "business_line": stored.business_line,
            "organization": stored.organization,
            "responsible": stored.responsible,
        }
        _check_line({**stored_links, **changes})
    if "attributes" in changes:
        changes["attributes"] = _deal_attributes(
            actor, changes["attributes"], current=stored.attributes
        )
    return record_update(deal, actor=actor, expected_version=expected_version, **changes)


def _check_persons(organization, persons: list, kept: Iterable[int] = ()) -> None:
    """Contact persons of a deal work at its organisation now (those it already had may
    have left since: they stay)."""
    kept = set(kept)
    added = [person for person in persons if person.pk not in kept]
    if not added or organization is None:
        return
    working = set(
        Employment.objects.current()
        .filter(organization=organization, person__in=added)
        .values_list("person_id", flat=True)
    )
    strangers = [str(person) for person in added if person.pk not in working]
    if strangers:
        raise ValidationError(
            {
                "persons": _("Not employees of “%(organization)s”: %(names)s.")
                % {"organization": organization, "names": ", ".join(strangers)}
            }
        )


def _deal_attributes(actor, values: Any, current: dict | None = None) -> dict:
    """A deal's custom attributes, all of them, checked against their definitions."""
    return clean_attributes(
        AttributeTarget.DEAL, values or {}, current=current, merge=False, user=actor
    )


@transaction.atomic
def deal_move(
    *,
    actor,
    deal: Deal,
    stage: Stage,
    expected_version: int | None = None,
    reason: str = "",
    loss_reason: LossReason | None = None,
) -> Deal:
    """Move a deal to another stage of its pipeline, if it has what the stage requires
    (a lost deal, its loss reason); the move is recorded."""
    current = Deal.objects.select_for_update().select_related("pipeline", "stage").get(pk=deal.pk)
    if expected_version is not None and current.version != expected_version:
        raise StaleEdit(current)
    deal = current
    _check_stage(deal.pipeline, stage)
    if stage == deal.stage:
        return deal
    _check_required(deal, stage, list(deal.persons.all()))
    if stage.outcome == StageOutcome.LOST and loss_reason is None:
        raise ValidationError({"loss_reason": _("Say why the deal was lost.")})
    previous, now = deal.stage, timezone.now()
    deal = record_update(
        deal,
        actor=actor,
        expected_version=expected_version,
        stage=stage,
        stage_entered_at=now,
        closed_at=(deal.closed_at or now) if stage.is_closed else None,
        loss_reason=loss_reason if stage.outcome == StageOutcome.LOST else None,
    )
    StageChange.objects.create(
        deal=deal, from_stage=previous, to_stage=stage, at=now, by=actor, reason=reason[:300]
    )
    return deal


@transaction.atomic
def deal_delete(*, actor, deal: Deal) -> None:
    """Delete a deal entered by mistake (with its stage history)."""
    deal.delete()


def _check_stage(pipeline: Pipeline, stage: Stage) -> None:
    if stage.pipeline_id != pipeline.pk:
        raise ValidationError({"stage": _("The stage belongs to another pipeline.")})


def _check_required(deal: Deal, stage: Stage, persons: list) -> None:
    """The stage's required fields, each named if it is empty."""
    missing = []
    for name in stage.required_fields or []:
        value = persons if name == "persons" else getattr(deal, name, None)
        if value in (None, "", []):
            missing.append(str(Deal._meta.get_field(name).verbose_name))
    if missing:
        raise ValidationError(
            {
                "stage": _("To enter “%(stage)s” the deal needs: %(fields)s.")
                % {"stage": stage, "fields": ", ".join(missing)}
            }
        )


# Interactions --------------------------------------------------------------------------


@dataclass
class NextContact:
    """The contact a result proposes next (SAL-4): accepted with one click, or dismissed."""

    kind: str
    due_at: datetime.datetime
    organization: Any
    deal: Deal | None
    persons: list
    subject: str = ""


@transaction.atomic
def interaction_plan(*, actor, persons: Iterable = (), **values: Any) -> Interaction:
    """Plan a contact: it needs its due time."""
    if not values.get("due_at"):
        raise ValidationError({"due_at": _("A planned contact needs its due time.")})
    values.setdefault("responsible", actor)
    _check_deal(values)
    interaction = record_create(
        Interaction,
        actor=actor,
        status=InteractionStatus.PLANNED,
        persons=list(persons),
        **values,
    )
    reminders.schedule(interaction)
    return interaction


@transaction.atomic
def interaction_log(
    *, actor, persons: Iterable = (), result: InteractionResult | None = None, **values: Any
) -> tuple[Interaction, NextContact | None]:
    """Record a contact that happened (now, unless told when), with its result: a rule
    for the result may move its deal, and the result may propose the next contact."""
    values.setdefault("responsible", actor)
    values.setdefault("happened_at", timezone.now())
    _check_deal(values)
    _check_result(result, values.get("kind"))
    interaction = record_create(
        Interaction,
        actor=actor,
        status=InteractionStatus.DONE,
        persons=list(persons),
        result=result,
        **values,
    )
    return interaction, _after_result(actor, interaction)


@transaction.atomic
def interaction_complete(
    *,
    actor,
    interaction: Interaction,
    expected_version: int | None,
    result: InteractionResult | None = None,
    **changes: Any,
) -> tuple[Interaction, NextContact | None]:
    """A planned contact happened: its result, notes and time are recorded (SAL-3/4 as
    for a logged one)."""
    if interaction.status != InteractionStatus.PLANNED:
        raise ValidationError(_("Only a planned contact can be completed."))
    _check_result(result, interaction.kind)
    changes.setdefault("happened_at", timezone.now())
    interaction = record_update(
        interaction,
        actor=actor,
        expected_version=expected_version,
        status=InteractionStatus.DONE,
        result=result,
        **changes,
    )
    return interaction, _after_result(actor, interaction)


@transaction.atomic
def interaction_cancel(*, actor, interaction: Interaction, expected_version: int | None):
    if interaction.status != InteractionStatus.PLANNED:
        raise ValidationError(_("Only a planned contact can be cancelled."))
    return record_update(
        interaction,
        actor=actor,
        expected_version=expected_version,
        status=InteractionStatus.CANCELLED,
    )


@transaction.atomic
def interaction_update(
    *, actor, interaction: Interaction, expected_version: int | None, **changes: Any
) -> Interaction:
    """Change a contact's details (moving a planned one's due time re-plans it)."""
    if "status" in changes or "result" in changes:
        raise ValidationError(_("Complete or cancel the contact to change its status."))
    if {"deal", "organization", "business_line", "responsible"} & set(changes):
        stored = {
            "organization": interaction.organization,
            "deal": interaction.deal,
            "business_line": interaction.business_line,
            "responsible": interaction.responsible,
        }
        _check_deal({**stored, **changes})
    replanned = any(
        name in changes and changes[name] != getattr(interaction, name)
        for name in ("due_at", "responsible")
    )
    if replanned:
        changes["reminded_at"] = None  # moved or handed on: remind of it again
    interaction = record_update(
        interaction, actor=actor, expected_version=expected_version, **changes
    )
    if replanned:
        reminders.schedule(interaction)
    return interaction


def _check_deal(values: dict) -> None:
    """A contact's deal is its organisation's, and both are in the contact's line."""
    deal, organization = values.get("deal"), values.get("organization")
    if deal is not None and organization is not None and deal.organization_id != organization.pk:
        raise ValidationError({"deal": _("The deal is another organisation's.")})
    _check_line(values)


def _check_line(values: dict) -> None:
    """A deal or a contact belongs to one of its organisation's business lines: filed
    elsewhere it would show the organisation to a line that does not work with it."""
    line, organization = values.get("business_line"), values.get("organization")
    if line is None or organization is None:
        return
    if not organization.business_lines.filter(pk=line.pk).exists():
        raise ValidationError(
            {"business_line": _("The organisation is not in this business line.")}
        )
    _check_responsible(values.get("responsible"), line)


def _check_responsible(responsible, line) -> None:
    """The responsible employee works in the record's line: otherwise they could not see
    their own deal or contact, nor be reminded of it."""
    if responsible is None or line is None:
        return
    lines = line_access(responsible).line_ids(LineRole.WRITE)
    if not responsible.is_active or (lines is not None and line.pk not in lines):
        raise ValidationError(
            {"responsible": _("This employee does not work in the business line.")}
        )


def _check_result(result: InteractionResult | None, kind: str | None) -> None:
    if result is not None and result.kind and result.kind != kind:
        raise ValidationError({"result": _("This result is not one of this kind of contact.")})


def _after_result(actor, interaction: Interaction) -> NextContact | None:
    """Move the deal by the first rule for the result, and propose the next contact."""
    result, deal = interaction.result, interaction.deal
    if result is None:
        return None
    if deal is not None and deal.is_open:
        rule = (
            TransitionRule.objects.filter(result=result, to_stage__pipeline=deal.pipeline)
            .filter(Q(from_stage=deal.stage) | Q(from_stage__isnull=True))
            .order_by(F("from_stage").asc(nulls_last=True))
            .select_related("to_stage")
            .first()
        )
        if rule is not None and rule.to_stage != deal.stage and _may_change(actor, deal):
            # A stage the deal cannot enter yet (required fields, a loss reason) leaves
            # it where it is: the contact is recorded all the same.
            with contextlib.suppress(ValidationError), transaction.atomic():
                deal_move(
                    actor=actor,
                    deal=deal,
                    stage=rule.to_stage,
                    reason=_("Result “%(result)s” of a contact") % {"result": result},
                )

    if not result.next_kind:
        return None
    return NextContact(
        kind=result.next_kind,
        due_at=add_working_days(
            interaction.happened_at or timezone.now(), result.next_in_days or 0
        ),
        organization=interaction.organization,
        deal=interaction.deal,
        persons=list(interaction.persons.all()),
        subject=interaction.subject,
    )


def _may_change(actor, deal: Deal) -> bool:
    return actor is None or Deal.objects.restrict(actor, "change").filter(pk=deal.pk).exists()


def add_working_days(moment: datetime.datetime, days: int) -> datetime.datetime:
    """`days` working days (Monday to Friday, in local time) after `moment`, at the same
    time of day."""
    moment = timezone.localtime(moment)
    while days > 0:
        moment += datetime.timedelta(days=1)
        if moment.weekday() < 5:
            days -= 1
    return moment
