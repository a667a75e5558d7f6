"""The place where apps add things to another app's record page without that app
importing them: *timeline sources* (interactions, stage changes, field changes, later
events, mailings, documents …) and *panels* (the related column, the composer on top of
the timeline). Apps register them in their `AppConfig.ready()`; the page asks this
registry by the record's model label ("directory.Organization").

The timeline is paged by a keyset cursor (the last entry's moment, kind and key), never by
OFFSET: every source reads the moments and keys of at most one page more than asked from
an index, and only the entries that make the page are then read whole, so a page costs
the same few queries however deep it is and however many rows the record has.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Protocol

from django.db.models import Model, Q, QuerySet

EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)


@dataclass(frozen=True)
class Cursor:
    """A place in a timeline: entries after it are older (by moment, kind, key)."""

    at: datetime.datetime
    kind: str
    key: int

    PATTERN = re.compile(r"^(-?\d{1,20})\.([a-z][a-z0-9_]{0,40})\.(\d{1,20})$")

    def __str__(self) -> str:
        """The cursor as URL-safe text: microseconds since 1970 (UTC), kind, key."""
        micro = (self.at - EPOCH) // datetime.timedelta(microseconds=1)
        return f"{micro}.{self.kind}.{self.key}"

    @classmethod
    def parse(cls, text: str) -> Cursor:
        """The cursor written by `str()`; ValueError for anything else."""
        match = cls.PATTERN.match(text or "")
        if match is None:
            raise ValueError(f"Not a timeline cursor: {text!r}")
        at = EPOCH + datetime.timedelta(microseconds=int(match[1]))
        return cls(at=at, kind=match[2], key=int(match[3]))

    def older(self, kind: str, *, at: str = "at", key: str = "pk") -> Q:
        """The rows of a source of `kind` that come after this cursor (newest first)."""
        if kind < self.kind:
            return Q(**{f"{at}__lte": self.at})
        if kind > self.kind:
            return Q(**{f"{at}__lt": self.at})
        return Q(**{f"{at}__lt": self.at}) | Q(**{at: self.at, f"{key}__lt": self.key})


@dataclass(frozen=True)
class Entry:
    """One thing on a record's timeline, shown by `template` with `object` in context."""

    at: datetime.datetime
    kind: str
    key: int
    template: str
    object: Any

    @property
    def cursor(self) -> Cursor:
        return Cursor(at=self.at, kind=self.kind, key=self.key)

    @property
    def order(self) -> tuple:
        return (self.at, self.kind, self.key)


class TimelineSource(Protocol):
    """What a source gives: its kind (code), a translated label for the kind filter, the
    moments and keys of at most `limit` of its entries older than `before` (None: the
    newest), newest first, only those `user` may see; and then the entries of the keys
    that made the page (any deleted meanwhile left out)."""

    kind: str
    label: Any

    def keys(
        self, record: Model, user, *, before: Cursor | None, limit: int
    ) -> list[tuple[datetime.datetime, int]]: ...

    def entries(self, record: Model, user, keys: list[int]) -> list[Entry]: ...


class QuerySetSource:
    """A source whose entries are rows of one queryset, paged on (`at_field`, pk) —
    which should be indexed together with the record's foreign key."""

    kind = ""
    label: Any = ""
    template = ""
    at_field = "at"

    def rows(self, record: Model, user) -> QuerySet:
        """The record's rows `user` may see (restricted), with what the template needs."""
        raise NotImplementedError

    def prepare(self, rows: list, user) -> list:
        """A hook to annotate the page's rows in bulk (a fixed number of queries)."""
        return rows

    def keys(self, record, user, *, before: Cursor | None, limit: int) -> list[tuple]:
        # Read along the index alone. In one query with the joins, a planner that expects
        # a handful of rows for the record joins and sorts all of them: 1M, a client with
        # 1,700 contacts, 31 → 4 ms.
        rows = self.rows(record, user)
        if before is not None:
            rows = rows.filter(before.older(self.kind, at=self.at_field))
        ordered = rows.order_by(f"-{self.at_field}", "-pk")
        return list(ordered.values_list(self.at_field, "pk")[:limit])

    def entries(self, record, user, keys: list[int]) -> list[Entry]:
        rows = self.prepare(list(self.rows(record, user).filter(pk__in=keys)), user)
        return [
            Entry(getattr(row, self.at_field), self.kind, row.pk, self.template, row)
            for row in rows
        ]


@dataclass(frozen=True)
class Page:
    """A page of a timeline and the cursor of the next one (None: it was the last)."""

    entries: list[Entry]
    next: str | None


@dataclass(frozen=True)
class Panel:
    """A block on a record's page: `template`, shown with `panel` = what `context`
    returns for (request, record); None hides it."""

    template: str
    context: Callable[[Any, Model], dict | None]
    order: int = 100


@dataclass(frozen=True)
class ShownPanel:
    template: str
    context: dict


SOURCES: dict[str, dict[str, TimelineSource]] = {}
PANELS: dict[tuple[str, str], list[Panel]] = {}


def model_key(model_or_record) -> str:
    """The label ("app_label.ModelName") of a model, of an instance, or the label itself."""
    if isinstance(model_or_record, str):
        return model_or_record
    return model_or_record._meta.label


def register_source(model, source: TimelineSource) -> None:
    """Add `source` to the timeline of `model` ("directory.Organization")."""
    if not Cursor.PATTERN.match(f"0.{source.kind}.0"):
        raise ValueError(f"A timeline kind is a lower-case code: {source.kind!r}")
    if not callable(getattr(source, "keys", None)):
        raise TypeError(f"A timeline source gives its keys first: {source!r} has no keys()")
    SOURCES.setdefault(model_key(model), {})[source.kind] = source


def register_panel(model, slot: str, panel: Panel) -> None:
    """Show `panel` in `slot` ("related", "composer") of the pages of `model`."""
    panels = PANELS.setdefault((model_key(model), slot), [])
    panels.append(panel)
    panels.sort(key=lambda item: item.order)


def sources(model) -> list[TimelineSource]:
    """The timeline sources of `model`, in a stable order (for the kind filter)."""
    return sorted(SOURCES.get(model_key(model), {}).values(), key=lambda source: source.kind)


def timeline(
    record: Model,
    user,
    *,
    kinds: Iterable[str] | None = None,
    before: str | None = None,
    limit: int = 25,
) -> Page:
    """The newest `limit` entries of the record's timeline older than the cursor `before`
    (text from a previous page; ValueError if it is not one), of the given kinds (None:
    all), merged from every source; each source runs its own restricted query."""
    cursor = Cursor.parse(before) if before else None
    wanted = set(kinds) if kinds else None
    chosen = [s for s in sources(record) if wanted is None or s.kind in wanted]
    # The page is picked from every source's keys; only its entries are then read whole
    # (a source none of whose entries made the page reads nothing more).
    candidates = [
        Cursor(at=at, kind=source.kind, key=key)
        for source in chosen
        for at, key in source.keys(record, user, before=cursor, limit=limit + 1)
    ]
    candidates.sort(key=lambda c: (c.at, c.kind, c.key), reverse=True)
    page = candidates[:limit]
    found: dict[tuple[str, int], Entry] = {}
    for source in chosen:
        keys = [c.key for c in page if c.kind == source.kind]
        if keys:
            found.update(((e.kind, e.key), e) for e in source.entries(record, user, keys))
    entries = [found[c.kind, c.key] for c in page if (c.kind, c.key) in found]
    more = len(candidates) > limit and bool(page)
    return Page(entries=entries, next=str(page[-1]) if more else None)


def panels(request, record: Model, slot: str) -> list[ShownPanel]:
    """The panels of `slot` for the record that have something to show."""
    shown = []
    for panel in PANELS.get((model_key(record), slot), []):
        context = panel.context(request, record)
        if context is not None:
            shown.append(ShownPanel(panel.template, context))
    return shown
