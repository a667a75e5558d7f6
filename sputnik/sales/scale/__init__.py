"""A large, realistic, skewed and deterministic data set for measuring speed at scale
(`manage.py seed_scale`).

Configuration (lines, employees, reference data, pipelines) is written through the ORM
with the audit log off; the bulk tables are streamed through `writer` in chunks, with ids
assigned here. Every random choice comes from generators seeded with the seed; the only
thing that varies between runs is "now", the real current time, which all dates are
relative to (so planned contacts are due in the coming days and some are overdue,
whenever the data set is built).
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass

from auditlog.context import disable_auditlog
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from sputnik.access.models import BusinessLine
from sputnik.core import stamps
from sputnik.directory import search_words
from sputnik.directory.models import Organization, Person, Segment
from sputnik.sales.models import Deal, Interaction, Pipeline

from . import setup
from .deals import DealGenerator
from .directory import DirectoryGenerator
from .interactions import InteractionGenerator
from .lists import ListGenerator
from .names import NameBook
from .writer import writer_for_connection


@dataclass(frozen=True)
class Sizes:
    organizations: int
    persons: int
    employments: int
    deals: int
    interactions: int

    @classmethod
    def proportional(cls, organizations: int, **given: int | None) -> Sizes:
        """The 1m ratios (2 persons, 2.5 jobs, 0.5 deals, 10 contacts per organisation)
        for every count not given."""
        ratios = {"persons": 2, "employments": 2.5, "deals": 0.5, "interactions": 10}
        counts = {
            name: given.get(name) if given.get(name) is not None else round(organizations * r)
            for name, r in ratios.items()
        }
        return cls(organizations=organizations, **counts)


SCALES = {"100k": 100_000, "1m": 1_000_000}


class NotEmpty(Exception):
    """The database already holds data the generator would mix with."""


def refuse_unless_empty() -> None:
    for model in (Organization, BusinessLine, Pipeline):
        if model.objects.exists():
            raise NotEmpty(model._meta.verbose_name_plural)


def next_id(model) -> int:
    return (model.objects.aggregate(top=Max("pk"))["top"] or 0) + 1


def load(sizes: Sizes, seed: int, say=print) -> dict:
    """Fill the (empty) database; returns the benchmark users' ids and the row counts."""
    refuse_unless_empty()
    started = time.monotonic()
    now = timezone.now().replace(microsecond=0)
    book = NameBook()
    with disable_auditlog(), transaction.atomic():
        world = setup.build(random.Random(f"{seed}-setup"), sizes.organizations, book)
        setup.define_attributes()
    say(f"configuration: {len(world.users)} employees, {len(world.line_ids)} lines")
    writer = writer_for_connection()
    directory = DirectoryGenerator(writer, world, book, seed, now, sizes)
    deals = DealGenerator(writer, world, seed, now)
    interactions = InteractionGenerator(writer, world, seed, now)
    lists = ListGenerator(writer, world, seed, now)
    names = [table.name for table in writer.tables]
    progress = Progress(say)
    writer.start(names)
    try:
        with progress.phase("directory"):
            known = directory.run(next_id(Organization), next_id(Person), progress.tick)
        with progress.phase("deals"):
            sold = deals.run(sizes.deals, next_id(Deal), known, progress.tick)
        with progress.phase("contacts"):
            interactions.run(sizes.interactions, next_id(Interaction), known, sold, progress.tick)
        with progress.phase("lists"):
            lists.run(next_id(Segment), known)
        writer.flush()
    finally:
        writer.finish(names, say)
    if writer.skips_triggers:  # the words of the names, for search's typo step
        words_started = time.monotonic()
        search_words.rebuild(connection)
        say(f"words of the names: {time.monotonic() - words_started:.1f} s")
    stamps.renew_all()  # lines, employees and lists were written without signals
    for table in writer.tables:
        say(f"  {table.name:<45} {table.count:>12,}")
    total = sum(table.count for table in writer.tables)
    elapsed = time.monotonic() - started
    say(f"{total:,} rows in {elapsed:.0f} s ({total / max(elapsed, 1e-9):,.0f} rows/s)")
    return {
        "bench_sales": world.bench_sales,
        "bench_head": world.bench_head,
        "counts": {table.name: table.count for table in writer.tables},
        "seconds": elapsed,
    }


class Progress:
    """Progress lines per phase: rows written so far in each table and the rate."""

    def __init__(self, say):
        self.say = say
        self.started = time.monotonic()

    def phase(self, name: str):
        progress = self

        class Phase:
            def __enter__(self):
                progress.started = time.monotonic()
                progress.say(f"{name}…")

            def __exit__(self, *exc):
                if exc[0] is None:
                    seconds = time.monotonic() - progress.started
                    progress.say(f"{name}: {seconds:.1f} s")

        return Phase()

    def tick(self, table, done: int, total: int) -> None:
        seconds = time.monotonic() - self.started
        rate = done / seconds if seconds else 0
        self.say(f"  {table.name}: {done:,} / {total:,} ({rate:,.0f} rows/s)")
