"""Lists (segments): per business line a static list of organisations and one of persons
(members drawn from the line), and dynamic lists whose criteria are the list pages'
filter parameters, in the form `sputnik.directory.segments` evaluates."""

from __future__ import annotations

import random

from sputnik.directory.models import Segment

from . import words
from .directory import Directory
from .setup import World


class ListGenerator:
    def __init__(self, writer, world: World, seed: int, now):
        self.w, self.world, self.now = writer, world, int(now.timestamp())
        self.rng = random.Random(f"{seed}-lists")
        business = ["created_at", "updated_at", "created_by_id", "updated_by_id", "version"]
        self.segments = writer.table(
            Segment,
            ["id", *business, "name", "kind", "owner_id", "shared", "dynamic", "criteria"]
            + ["description"],
        )
        self.lines = writer.table(Segment.business_lines.through, ["segment_id", "businessline_id"])
        self.organizations = writer.table(
            Segment.organizations.through, ["segment_id", "organization_id"]
        )
        self.persons = writer.table(Segment.persons.through, ["segment_id", "person_id"])
        self.next_id = 1

    def run(self, first_id: int, directory: Directory) -> None:
        world, rng = self.world, self.rng
        self.next_id = first_id
        for index, line_id in enumerate(world.line_ids):
            sellers = world.sellers[index] or [world.heads[index]]
            owner = world.bench_sales if index == world.bench else rng.choice(sellers)
            head = world.heads[index]
            orgs, persons = directory.org_sample[index], directory.person_sample[index]
            self.static(owner, index, "Ключевые клиенты", "organizations", orgs, shared=False)
            self.static(head, index, "Участники конференции", "persons", persons, shared=True)
            self.dynamic(
                head,
                index,
                "Клиенты направления",
                "organizations",
                {"status": "client", "business_line": str(line_id)},
            )
            self.dynamic(
                head,
                index,
                "Крупные и категория A",
                "organizations",
                {"any": [{"attr_staff_min": "1000"}, {"attr_tier": "A"}]},
            )
            self.dynamic(
                owner,
                index,
                "Согласны на рассылку",
                "persons",
                {"consent_mailing": "true", "business_line": str(line_id)},
            )

    def segment(self, owner, index, name, kind, *, shared, dynamic, criteria) -> int:
        w, pk = self.w, self.next_id
        self.next_id += 1
        stamp = w.moment(self.now)
        name = f"{name}: {words.LINES[index][1]}"
        self.segments.add(
            (pk, stamp, stamp, owner, owner, 1, name, kind, owner, shared, dynamic)
            + (w.json(criteria), "")
        )
        self.lines.add((pk, self.world.line_ids[index]))
        return pk

    def static(self, owner, index, name, kind, sample, *, shared) -> None:
        pk = self.segment(owner, index, name, kind, shared=shared, dynamic=False, criteria={})
        members = self.rng.sample(sample, min(len(sample), self.rng.randint(50, 2000)))
        table = self.organizations if kind == "organizations" else self.persons
        for member in sorted(members):
            table.add((pk, member))

    def dynamic(self, owner, index, name, kind, criteria) -> None:
        self.segment(owner, index, name, kind, shared=True, dynamic=True, criteria=criteria)
