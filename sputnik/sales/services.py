"""Every write of sales: pipelines and their stages, deals and their moves between
stages (each recorded with when, who and why)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sputnik.core.services import record_create, record_update

from .models import Deal, LossReason, Pipeline, Stage, StageChange, StageOutcome


@transaction.atomic
def reference_save(*, actor, item, **values: Any):
    """Create or change a pipeline, a stage or a loss reason."""
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
    item.full_clean()
    item.save()
    return item


@transaction.atomic
def deal_create(
    *,
    actor,
    pipeline: Pipeline,
    stage: Stage | None = None,
    persons: Iterable = (),
    **values: Any,
) -> Deal:
    """Open a deal in a pipeline's first stage (or the given one)."""
    stage = stage or pipeline.first_stage()
    if stage is None:
        raise ValidationError({"pipeline": _("The pipeline has no stages yet.")})
    _check_stage(pipeline, stage)
    deal = Deal(pipeline=pipeline, stage=stage, **values)
    persons = list(persons)
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
    """Change a deal's details; its stage changes only through `deal_move`."""
    for name in ("stage", "pipeline", "closed_at", "stage_entered_at"):
        if name in changes:
            raise ValidationError({name: _("Move the deal to change its stage.")})
    return record_update(deal, actor=actor, expected_version=expected_version, **changes)


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
