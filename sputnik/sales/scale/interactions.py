"""Contacts: about 70 % done (with a result), 20 % planned (a few overdue, most within
two weeks) and 10 % cancelled, spread over the organisations by their activity, so a
few organisations have thousands and many none. A contact is filed in one of its
organisation's lines — its deal's when it has one — and belongs to an employee of that
line. `occurred_at` is what `Interaction.moment()` gives: the time it happened for a
done contact, its due time otherwise.

`bench.sales` gets at most `BENCH_PLANNED` planned contacts (beyond that its planned
contacts go to a colleague of the line): some overdue, some today, most this week.
"""

from __future__ import annotations

import datetime
import random
from bisect import bisect

from django.utils import timezone

from sputnik.sales.models import Interaction

from . import words
from .deals import Deals, responsible_in
from .directory import Directory, line_indexes
from .numbers import Picker
from .setup import World

DAY, MINUTE = 86400, 60  # moments are whole seconds since the epoch
BENCH_PLANNED = 200
REMINDER_LEAD = 15 * MINUTE  # the default lead time: overdue contacts count as reminded
DURATIONS = (5, 10, 15, 30, 45, 60, 90)


class InteractionGenerator:
    def __init__(self, writer, world: World, seed: int, now: datetime.datetime):
        self.w, self.world, self.now = writer, world, int(now.timestamp())
        self.rng = random.Random(f"{seed}-interactions")
        self.random = self.rng.random
        business = ["created_at", "updated_at", "created_by_id", "updated_by_id", "version"]
        self.interactions = writer.table(
            Interaction,
            ["id", *business, "business_line_id", "kind", "direction", "organization_id"]
            + ["deal_id", "subject", "notes", "status", "due_at", "happened_at"]
            + ["duration_minutes", "result_id", "responsible_id", "occurred_at", "reminded_at"],
        )
        self.persons = writer.table(Interaction.persons.through, ["interaction_id", "person_id"])
        local = timezone.localtime(now)
        self.today = int(local.replace(hour=0, minute=0, second=0, microsecond=0).timestamp())
        self.bench_planned = 0
        self.bench_others = [s for s in world.sellers[world.bench] if s != world.bench_sales]
        self.bench_others = self.bench_others or [world.bench_head]
        self.cum_kinds = [sum(words.KIND_WEIGHTS[: n + 1]) for n in range(len(words.KINDS))]

    def run(self, count: int, first_id: int, directory: Directory, deals: Deals, progress):
        picker = Picker(directory.activity)
        step = max(1, count // 20)
        for k in range(count):
            index = picker.pick(self.rng) if picker.total else k % len(directory.lines)
            self.interaction(first_id + k, index, directory, deals)
            if (k + 1) % step == 0:
                progress(self.interactions, k + 1, count)

    def interaction(self, pk: int, index: int, directory: Directory, deals: Deals) -> None:
        rng, rnd, w, world, now = self.rng, self.random, self.w, self.world, self.now
        org_id = directory.first_id + index
        first, last = deals.start[index], deals.start[index + 1]
        deal_id = None
        if last > first and rnd() < 0.6:
            k = deals.by_org[first + int(rnd() * (last - first))]
            deal_id, line = deals.first_id + k, deals.line[k]
            responsible = deals.responsible[k]
            if rnd() < 0.1:
                responsible = responsible_in(rng, world, line, 0)
            subject = words.PRODUCTS[deals.product[k]]
        else:
            lines = line_indexes(directory.lines[index])
            line = lines[int(rnd() * len(lines))]
            responsible = responsible_in(rng, world, line, directory.responsible[index])
            subject = None
        kind = words.KINDS[bisect(self.cum_kinds, rnd() * self.cum_kinds[-1])]
        if subject is None or rnd() < 0.5:
            options = words.SUBJECTS[kind]
            subject = options[int(rnd() * len(options))]
        draw = rnd()
        due = happened = result = duration = reminded = None
        notes = ""
        if draw < 0.7:
            status = "done"
            happened = now - int(DAY * 1095 * rnd() ** 1.6) - 30 * MINUTE
            created = updated = min(now, happened + MINUTE * int(1 + rnd() * 180))
            if rnd() < 0.3:
                due = happened - MINUTE * int(rnd() * 660 - 60)
            results = world.results[kind]
            result = results[int(rnd() * len(results))]
            if kind == "call" or kind == "meeting":
                duration = DURATIONS[int(rnd() * len(DURATIONS))]
            if rnd() < 0.3:
                notes = words.NOTES[int(rnd() * len(words.NOTES))]
            occurred = happened
        elif draw < 0.9:
            status = "planned"
            if responsible == world.bench_sales:
                if self.bench_planned < BENCH_PLANNED:
                    self.bench_planned += 1
                    due = self.bench_due()
                else:
                    responsible = self.bench_others[int(rnd() * len(self.bench_others))]
            if due is None:
                if rnd() < 0.15:
                    due = now - int(DAY * 30 * rnd() ** 2) - 5 * MINUTE
                else:
                    due = now + int(DAY * 14 * rnd())
            due -= due % MINUTE
            created = updated = min(now, due) - int(DAY * (0.05 + 20 * rnd()))
            if due - REMINDER_LEAD < now:
                reminded = due - REMINDER_LEAD
            occurred = due
        else:
            status = "cancelled"
            due = now - int(DAY * 600 * rnd()) - 10 * MINUTE
            due -= due % MINUTE
            created = due - int(DAY * (0.1 + 20 * rnd()))
            updated = occurred = due
        moment = w.moment
        self.interactions.add(
            (pk, moment(created), moment(updated), responsible, responsible, 1,
             world.line_ids[line], kind, "in" if rnd() < 0.25 else "out", org_id, deal_id,
             subject, notes, status, moment(due), moment(happened), duration, result,
             responsible, moment(occurred), moment(reminded))
        )  # fmt: skip
        current = directory.person_current[index]
        if current and rnd() < 0.5:
            start = directory.person_start[index]
            person = start + int(rnd() * current)
            self.persons.add((pk, person))
            if current > 1 and rnd() < 0.2:
                other = start + (person - start + 1 + int(rnd() * (current - 1))) % current
                self.persons.add((pk, other))
        w.due()

    def bench_due(self) -> int:
        """Some overdue, some later today, most within the week."""
        rnd, now = self.random, self.now
        draw = rnd()
        if draw < 0.15:
            return now - int(DAY * (0.1 + 9 * rnd()))
        if draw < 0.35:
            day_end = self.today + DAY - MINUTE
            return now + int((day_end - now) * rnd()) if day_end > now else now + MINUTE
        return self.today + DAY * (1 + int(rnd() * 7)) + MINUTE * int(480 + rnd() * 660)
