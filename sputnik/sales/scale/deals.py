"""Deals over the pipelines, each with its stage history from the first stage to the
current one; won and lost deals closed (lost ones with a reason). Deals go to busy
organisations more often, in one of the organisation's lines, to an employee of that
line (the organisation's responsible when they work in it)."""

from __future__ import annotations

import datetime
import random
from array import array
from bisect import bisect
from dataclasses import dataclass

from sputnik.sales.models import Deal, DealSource, StageChange

from . import words
from .directory import Directory, line_indexes
from .numbers import Picker
from .setup import World

DAY = 86400
SOURCES = list(DealSource.values)


@dataclass
class Deals:
    """What the contacts need about the deals: per organisation the range of its deals in
    `by_org`, and per deal its line, responsible, product and whether it is open."""

    first_id: int
    start: array  # per organisation: offset into by_org (one more entry at the end)
    by_org: array  # deal indexes, grouped by organisation
    line: bytearray
    responsible: array
    product: bytearray
    open: bytearray


def responsible_in(rng: random.Random, world: World, line: int, preferred: int) -> int:
    """The preferred employee if they work in the line, else one of its salespeople."""
    if preferred and preferred in world.members[line]:
        return preferred
    sellers = world.sellers[line] or [world.heads[line]]
    return sellers[int(rng.random() * len(sellers))]


class DealGenerator:
    def __init__(self, writer, world: World, seed: int, now: datetime.datetime):
        self.w, self.world, self.now = writer, world, int(now.timestamp())
        self.rng = random.Random(f"{seed}-deals")
        self.random = self.rng.random
        self.cum_pipelines = [sum(words.PIPELINE_WEIGHTS[: n + 1]) for n in range(3)]
        business = ["created_at", "updated_at", "created_by_id", "updated_by_id", "version"]
        self.deals = writer.table(
            Deal,
            ["id", *business, "business_line_id", "name", "organization_id", "pipeline_id"]
            + ["stage_id", "amount", "currency", "expected_close", "responsible_id", "source"]
            + ["loss_reason_id", "stage_entered_at", "closed_at", "notes", "attributes"],
        )
        self.deal_persons = writer.table(Deal.persons.through, ["deal_id", "person_id"])
        self.changes = writer.table(
            StageChange, ["deal_id", "from_stage_id", "to_stage_id", "at", "by_id", "reason"]
        )

    def run(self, count: int, first_id: int, directory: Directory, progress) -> Deals:
        rng = self.rng
        picker = Picker(directory.activity)
        organizations = len(directory.lines)
        owner = array("l", (picker.pick(rng) for _ in range(count)) if picker.total else [])
        if len(owner) < count:  # no activity at all: spread evenly
            owner = array("l", (k % organizations for k in range(count)))
        deals = Deals(
            first_id=first_id,
            start=_offsets(owner, organizations),
            by_org=array("l", bytes(8 * count)),
            line=bytearray(count),
            responsible=array("l", bytes(8 * count)),
            product=bytearray(count),
            open=bytearray(count),
        )
        placed = array("l", deals.start)
        for k, index in enumerate(owner):
            deals.by_org[placed[index]] = k
            placed[index] += 1
        step = max(1, count // 10)
        for k in range(count):
            self.deal(k, owner[k], directory, deals)
            if (k + 1) % step == 0:
                progress(self.deals, k + 1, count)
        return deals

    def deal(self, k: int, index: int, directory: Directory, deals: Deals) -> None:
        rng, rnd, w, world, now = self.rng, self.random, self.w, self.world, self.now
        deal_id = deals.first_id + k
        org_id = directory.first_id + index
        lines = line_indexes(directory.lines[index])
        line = lines[int(rnd() * len(lines))]
        responsible = responsible_in(rng, world, line, directory.responsible[index])
        pipeline = world.pipelines[bisect(self.cum_pipelines, rnd() * self.cum_pipelines[-1])]
        stages = pipeline.open_stages
        draw = rnd()
        if draw < 0.45:  # open: the later the stage, the fewer deals in it
            reached = int(len(stages) * rnd() ** 1.7)
            path, outcome = [s for s, _r in stages[: reached + 1]], "open"
            created = now - int(DAY * (2 + 300 * rnd() ** 1.5))
        elif draw < 0.75:
            path, outcome = [s for s, _r in stages] + [pipeline.won], "won"
            created = now - int(DAY * (20 + 900 * rnd()))
        else:
            reached = int(rnd() * len(stages))
            path, outcome = [s for s, _r in stages[: reached + 1]] + [pipeline.lost], "lost"
            created = now - int(DAY * (10 + 900 * rnd()))
        moments = self.moments(created, len(path))
        required = {name for _s, names in stages[: len(path)] for name in names}
        amount = None
        if "amount" in required or outcome == "won" or rnd() < 0.7:
            amount = int(rng.lognormvariate(6.5, 1.2)) * 1000 + 1000
        expected = None
        if "expected_close" in required or rnd() < 0.8:
            expected = w.day(moments[-1] // DAY - 20 + int(rnd() * 140))
        product = int(rnd() * len(words.PRODUCTS))
        year = 1970 + (created // DAY + int(rnd() * 120)) * 4 // 1461
        name = f"{words.PRODUCTS[product]} {year}"
        last = w.moment(moments[-1])
        reason = world.loss_reasons[int(rnd() * len(world.loss_reasons))]
        attributes = self.w.json({"contract": f"Д-{year}/{deal_id}"}) if outcome == "won" else "{}"
        self.deals.add(
            (deal_id, w.moment(moments[0]), last, responsible, responsible, len(path),
             world.line_ids[line], name, org_id, pipeline.id, path[-1], amount, "RUB", expected,
             responsible, SOURCES[int(rnd() * len(SOURCES))],
             reason if outcome == "lost" else None, last, None if outcome == "open" else last,
             "", attributes)
        )  # fmt: skip
        previous, add = None, self.changes.add
        for stage, moment in zip(path, moments, strict=True):
            add((deal_id, previous, stage, w.moment(moment), responsible, ""))
            previous = stage
        current = directory.person_current[index]
        if current and rnd() < 0.4:
            first = directory.person_start[index]
            person = first + int(rnd() * current)
            self.deal_persons.add((deal_id, person))
            if current > 1 and rnd() < 0.3:
                other = first + (person - first + 1 + int(rnd() * (current - 1))) % current
                self.deal_persons.add((deal_id, other))
        deals.line[k], deals.responsible[k], deals.product[k] = line, responsible, product
        deals.open[k] = outcome == "open"
        w.due()

    def moments(self, created: int, steps: int) -> list[int]:
        """When the deal entered each stage of its path: increasing, none in the future."""
        rnd, now = self.random, self.now
        gaps = [DAY * (1 + 40 * rnd()) for _ in range(steps - 1)]
        used = sum(gaps)
        if used > now - created:
            gaps = [gap * (now - created) / used * 0.95 for gap in gaps]
        result, moment = [created], created
        for gap in gaps:
            moment += int(gap)
            result.append(moment)
        return result


def _offsets(owner: array, organizations: int) -> array:
    counts = array("l", bytes(8 * (organizations + 1)))
    for index in owner:
        counts[index + 1] += 1
    for i in range(organizations):
        counts[i + 1] += counts[i]
    return counts
