"""Demo sales: two pipelines, results and automatic transitions, deals in every stage of
the demo organisations with a few months of contacts, some of them overdue."""

from __future__ import annotations

import datetime
import random

from django.db import transaction
from django.utils import timezone

from sputnik.core.roles import LineRole, line_access
from sputnik.directory.models import Organization

from . import services
from .models import InteractionResult, LossReason, Pipeline, Stage, TransitionRule

PIPELINES = {
    "Продажа лицензий": [
        ("Мониторинг", "open", 5, []),
        ("Первый звонок", "open", 10, []),
        ("Встреча", "open", 30, []),
        ("Предложение", "open", 50, ["amount"]),
        ("Договор", "open", 80, ["amount", "expected_close"]),
        ("Оплачено", "won", 100, ["amount"]),
        ("Отказ", "lost", 0, []),
    ],
    "Сервисный контракт": [
        ("Заявка", "open", 20, []),
        ("Оценка", "open", 40, []),
        ("Договор", "open", 70, ["amount"]),
        ("Подписан", "won", 100, ["amount"]),
        ("Отказ", "lost", 0, []),
    ],
}
LOSS_REASONS = ["Дорого", "Выбрали конкурента", "Нет бюджета", "Проект отложен"]
# name, kind, next kind, in working days, moves (from stage or None, to stage)
RESULTS = [
    ("Договорились о встрече", "call", "meeting", 2, ("Первый звонок", "Встреча")),
    ("Не ответил", "call", "call", 2, None),
    ("Перезвонить позже", "call", "call", 5, None),
    ("Попросили предложение", "meeting", "email", 1, (None, "Предложение")),
    ("Предложение отправлено", "email", "call", 3, None),
    ("Согласовали договор", "call", "", None, ("Предложение", "Договор")),
]
DEALS = 60


@transaction.atomic
def load() -> list:
    """Create the demo sales once: nothing happens if any pipeline exists."""
    if Pipeline.objects.exists():
        return []
    for order, (name, stages) in enumerate(PIPELINES.items()):
        pipeline = services.reference_save(actor=None, item=Pipeline(order=order), name=name)
        for number, (stage, outcome, probability, required) in enumerate(stages):
            services.reference_save(
                actor=None,
                item=Stage(pipeline=pipeline),
                name=stage,
                order=number,
                outcome=outcome,
                probability=probability,
                required_fields=required,
            )
    for name in LOSS_REASONS:
        services.reference_save(actor=None, item=LossReason(), name=name)
    licences = Pipeline.objects.get(name="Продажа лицензий")
    results = {}
    for order, (name, kind, next_kind, days, move) in enumerate(RESULTS):
        result = services.reference_save(
            actor=None,
            item=InteractionResult(),
            name=name,
            kind=kind,
            order=order,
            next_kind=next_kind,
            next_in_days=days,
        )
        results[name] = result
        if move:
            source, target = move
            services.reference_save(
                actor=None,
                item=TransitionRule(),
                result=result,
                from_stage=licences.stages.get(name=source) if source else None,
                to_stage=licences.stages.get(name=target),
            )
    _deals(random.Random(7), licences, results)
    return []


def _deals(rng: random.Random, pipeline: Pipeline, results: dict) -> None:
    organizations = (
        Organization.objects.filter(responsible__isnull=False)
        .select_related("responsible")
        .prefetch_related("business_lines")
        .order_by("pk")[:DEALS]
    )
    stages = list(pipeline.stages.all())
    lost = list(LossReason.objects.all())
    now = timezone.now()
    for number, organization in enumerate(organizations):
        seller = organization.responsible
        writable = line_access(seller).line_ids(LineRole.WRITE)
        lines = [
            line
            for line in organization.business_lines.all()
            if writable is None or line.pk in writable
        ]
        if not lines:
            continue  # the responsible works in none of its lines: no deal for them
        line = lines[0]
        deal = services.deal_create(
            actor=seller,
            pipeline=pipeline,
            organization=organization,
            business_line=line,
            name=rng.choice(["Лицензии", "Продление", "Внедрение", "Расширение"])
            + f" {2026 + number % 2}",
            amount=rng.randrange(100, 5000) * 1000,
            responsible=seller,
            expected_close=(now + datetime.timedelta(days=rng.randint(10, 120))).date(),
            source=rng.choice(["inbound", "outbound", "event", "mailing", "referral"]),
        )
        target = stages[number % len(stages)]
        path = [s for s in stages[1:] if not s.is_closed and s.order < target.order]
        for stage in [*path, target] if target != stages[0] else []:
            deal = services.deal_move(
                actor=seller,
                deal=deal,
                stage=stage,
                loss_reason=rng.choice(lost) if stage.outcome == "lost" else None,
            )
        for _contact in range(rng.randint(1, 3)):
            result = rng.choice(list(results.values()))
            services.interaction_log(
                actor=seller,
                kind=result.kind,
                organization=organization,
                deal=deal,
                business_line=line,
                result=result,
                subject=deal.name,
                happened_at=now
                - datetime.timedelta(days=rng.randint(1, 90), hours=rng.randint(0, 8)),
                duration_minutes=rng.choice([5, 10, 15, 30, 60]),
            )
        if deal.is_open and rng.random() < 0.6:
            services.interaction_plan(
                actor=seller,
                kind=rng.choice(["call", "meeting", "email"]),
                organization=organization,
                deal=deal,
                business_line=line,
                subject=deal.name,
                due_at=now + datetime.timedelta(days=rng.randint(-5, 10), hours=rng.randint(1, 6)),
            )
