"""The small part of the data set, written through the ORM: business lines, departments,
employees with their roles and line memberships, reference data, custom attribute
definitions, pipelines, loss reasons and contact results. The bulk generators read
everything they need from the `World` this returns."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from django.contrib.auth.models import Group

from sputnik.access.models import BusinessLine, Department, LineMembership, RoleCode, User
from sputnik.access.snapshot import renew as renew_access
from sputnik.core.roles import LineRole
from sputnik.directory import demo as directory_demo
from sputnik.directory.demo import latin
from sputnik.directory.demo.tables import CATEGORIES, INDUSTRIES
from sputnik.directory.models import AttributeTarget, Category, Industry
from sputnik.sales import demo as sales_demo
from sputnik.sales import services as sales_services
from sputnik.sales.models import (
    InteractionResult,
    LossReason,
    Pipeline,
    SalesProfile,
    Stage,
    TransitionRule,
)

from . import words
from .names import NameBook

BENCH_SALES = "bench.sales"
BENCH_HEAD = "bench.head"


@dataclass
class PipelineInfo:
    id: int
    name: str
    open_stages: list[tuple[int, list[str]]]  # (stage id, required fields), in order
    won: int
    lost: int


@dataclass
class World:
    """Ids of the configuration the bulk rows refer to."""

    line_ids: list[int]
    line_weights: list[int]
    bench: int  # index of the bench line in line_ids
    sellers: list[list[int]]  # salespeople (write role) per line index
    heads: list[int]  # head of sales per line index
    members: list[set[int]]  # everyone who may be responsible, per line index
    bench_sales: int
    bench_head: int
    security: int
    marketers: list[int]
    categories: dict[str, int]
    industries: dict[str, int]
    pipelines: list[PipelineInfo]
    loss_reasons: list[int]
    results: dict[str, list[int]]  # kind → results offered for it
    users: list[int] = field(default_factory=list)


def build(rng: random.Random, organizations: int, book: NameBook) -> World:
    lines = [
        BusinessLine.objects.create(name=name, code=code, description=text)
        for code, name, text, _weight in words.LINES
    ]
    bench = next(i for i, (code, *_rest) in enumerate(words.LINES) if code == words.BENCH_LINE)
    departments = _departments(lines)
    groups = {g.name: g for g in Group.objects.filter(name__in=RoleCode.values)}
    people = _People(rng, book, groups)
    heads = []
    for index, line in enumerate(lines):
        login = BENCH_HEAD if index == bench else f"head.{line.code}"
        head = people.add(
            login, RoleCode.HEAD_OF_SALES, "Руководитель отдела продаж", departments[index]
        )
        people.member(head, line, LineRole.MANAGE)
        Department.objects.filter(pk=departments[index].pk).update(head=head)
        heads.append(head.pk)
    sellers: list[list[int]] = [[] for _ in lines]
    bench_sales = people.add(
        BENCH_SALES, RoleCode.SALESPERSON, "Менеджер по продажам", departments[bench]
    )
    people.member(bench_sales, lines[bench], LineRole.WRITE)
    sellers[bench].append(bench_sales.pk)
    weights = [weight for *_rest, weight in words.LINES]
    count = max(20, round(organizations / 2000))
    for number in range(count - 1):
        index = number % len(lines) if number < 2 * len(lines) else _weighted(rng, weights)
        seller = people.add(None, RoleCode.SALESPERSON, "Менеджер по продажам", departments[index])
        people.member(seller, lines[index], LineRole.WRITE)
        sellers[index].append(seller.pk)
        if rng.random() < 0.1:
            other = rng.choice([i for i in range(len(lines)) if i not in (index, bench)])
            people.member(seller, lines[other], LineRole.WRITE)
            sellers[other].append(seller.pk)
    others = _others(people, departments, lines)
    LineMembership.objects.bulk_create(people.memberships)
    renew_access(m.user_id for m in people.memberships)  # bulk_create sends no signals
    SalesProfile.objects.bulk_create(
        [SalesProfile(user_id=pk) for pk in [*heads, *(s for line in sellers for s in line)]],
        ignore_conflicts=True,
    )
    members = [{heads[i], *sellers[i]} for i in range(len(lines))]
    return World(
        line_ids=[line.pk for line in lines],
        line_weights=weights,
        bench=bench,
        sellers=sellers,
        heads=heads,
        members=members,
        bench_sales=bench_sales.pk,
        bench_head=heads[bench],
        security=others["security"],
        marketers=others["marketers"],
        categories=_reference(Category, CATEGORIES),
        industries=_reference(Industry, INDUSTRIES),
        pipelines=_pipelines(),
        loss_reasons=_loss_reasons(),
        results=_results(),
        users=people.ids,
    )


def _weighted(rng: random.Random, weights: list[int]) -> int:
    return rng.choices(range(len(weights)), weights)[0]


def _departments(lines: list[BusinessLine]) -> list[Department]:
    root = Department.objects.create(name=words.DEPARTMENT_ROOT)
    for name in words.OTHER_DEPARTMENTS:
        Department.objects.create(name=name, parent=root if "маркет" in name else None)
    return [
        Department.objects.create(name=f"Отдел продаж: {line.name}", parent=root) for line in lines
    ]


class _People:
    """Employees created directly (no security events, unusable passwords)."""

    def __init__(self, rng: random.Random, book: NameBook, groups: dict[str, Group]):
        self.rng, self.book, self.groups = rng, book, groups
        self.logins: set[str] = set(User.objects.values_list("username", flat=True))
        self.memberships: list[LineMembership] = []
        self.ids: list[int] = []

    def add(self, login, role: str, position: str, department, **extra) -> User:
        name = self.book.person(self.rng)
        if login is None:
            base = f"{name.last_latin}.{name.first_latin[0]}"
            login, number = base, 1
            while login in self.logins:
                number += 1
                login = f"{base}{number}"
        self.logins.add(login)
        user = User(
            username=login,
            last_name=name.last,
            first_name=name.first,
            patronymic=name.patronymic,
            position=position,
            department=department,
            email=f"{latin(login).replace('-', '.')}@company.example",
            phone=f"+7495{self.rng.randrange(2_000_000, 9_999_999)}",
            **extra,
        )
        user.set_unusable_password()
        user.save()
        user.groups.add(self.groups[role])
        self.ids.append(user.pk)
        return user

    def member(self, user: User, line: BusinessLine, role: str) -> None:
        self.memberships.append(LineMembership(user=user, line=line, role=role))


def _others(people: _People, departments, lines) -> dict:
    """A director, an administrator, a security officer, a head of marketing and two
    marketers: the roles that see the data set from other angles."""
    by_name = {d.name: d for d in Department.objects.all()}
    root, marketing = by_name[words.DEPARTMENT_ROOT], by_name["Отдел маркетинга"]
    people.add(
        "seed.director", RoleCode.DIRECTOR, "Коммерческий директор", root, all_lines_role="read"
    )
    people.add(
        "seed.admin",
        RoleCode.ADMINISTRATOR,
        "Системный администратор",
        by_name["Информационные технологии"],
        all_lines_role="manage",
    )
    security = people.add(
        "seed.security",
        RoleCode.SECURITY_OFFICER,
        "Специалист по безопасности",
        by_name["Служба безопасности"],
        all_lines_role="read",
    )
    head = people.add(
        "seed.marketing", RoleCode.HEAD_OF_MARKETING, "Руководитель маркетинга", marketing
    )
    marketers = [people.add(None, RoleCode.MARKETER, "Маркетолог", marketing) for _ in range(2)]
    for line in lines:
        people.member(head, line, LineRole.MANAGE)
        for marketer in marketers:
            people.member(marketer, line, LineRole.WRITE)
    return {"security": security.pk, "marketers": [head.pk, *(m.pk for m in marketers)]}


def _reference(model, names: list[str]) -> dict[str, int]:
    existing = dict(model.objects.values_list("name", "pk"))
    for order, name in enumerate(names):
        if name not in existing:
            existing[name] = model.objects.create(name=name, order=order).pk
    return existing


def define_attributes() -> None:
    directory_demo.define_attributes(
        (
            (AttributeTarget.ORGANIZATION, words.ORGANIZATION_ATTRIBUTES),
            (AttributeTarget.PERSON, words.PERSON_ATTRIBUTES),
            (AttributeTarget.DEAL, words.DEAL_ATTRIBUTES),
        )
    )


def _pipelines() -> list[PipelineInfo]:
    """The sales demo's pipelines and automatic transitions, and a project pipeline."""
    tables = [*sales_demo.PIPELINES.items(), words.PROJECT_PIPELINE]
    infos = []
    for order, (name, stages) in enumerate(tables):
        pipeline = sales_services.reference_save(actor=None, item=Pipeline(order=order), name=name)
        created = []
        for number, (stage, outcome, probability, required) in enumerate(stages):
            created.append(
                sales_services.reference_save(
                    actor=None,
                    item=Stage(pipeline=pipeline),
                    name=stage,
                    order=number,
                    outcome=outcome,
                    probability=probability,
                    required_fields=required,
                )
            )
        infos.append(
            PipelineInfo(
                id=pipeline.pk,
                name=name,
                open_stages=[(s.pk, list(s.required_fields)) for s in created if not s.is_closed],
                won=next(s.pk for s in created if s.outcome == "won"),
                lost=next(s.pk for s in created if s.outcome == "lost"),
            )
        )
    return infos


def _loss_reasons() -> list[int]:
    names = [*sales_demo.LOSS_REASONS, *words.EXTRA_LOSS_REASONS]
    return [
        sales_services.reference_save(actor=None, item=LossReason(), name=name).pk for name in names
    ]


def _results() -> dict[str, list[int]]:
    """The demo's results with their transitions (on the licences pipeline), and more."""
    licences = Pipeline.objects.get(name=next(iter(sales_demo.PIPELINES)))
    rows = [(*row[:4], row[4]) for row in sales_demo.RESULTS]
    rows += [(*row, None) for row in words.EXTRA_RESULTS]
    offered: dict[str, list[int]] = {kind: [] for kind in words.KINDS}
    for order, (name, kind, next_kind, days, move) in enumerate(rows):
        result = sales_services.reference_save(
            actor=None,
            item=InteractionResult(),
            name=name,
            kind=kind,
            order=order,
            next_kind=next_kind,
            next_in_days=days,
        )
        for each in [kind] if kind else words.KINDS:
            offered[each].append(result.pk)
        if move:
            source, target = move
            sales_services.reference_save(
                actor=None,
                item=TransitionRule(),
                result=result,
                from_stage=licences.stages.get(name=source) if source else None,
                to_stage=licences.stages.get(name=target),
            )
    return offered
