"""Who is in a list (DIR-7): a static list's members, or whoever matches a dynamic list's
criteria now — always among the records the asking user may see."""

from __future__ import annotations

from types import SimpleNamespace

from django.db.models import Q, QuerySet
from django.http import QueryDict
from django.utils.translation import gettext as _

from sputnik.core import pagination

from .models import Organization, Person, Segment, SegmentKind

MAX_DEPTH = 3  # "belongs to list X" inside list X's criteria stops here


def filterset_of(kind: str):
    from .filters import OrganizationFilter, PersonFilter

    return OrganizationFilter if kind == SegmentKind.ORGANIZATIONS else PersonFilter


def model_of(kind: str):
    return Organization if kind == SegmentKind.ORGANIZATIONS else Person


ANY = "any"  # criteria {"any": [group, group, …]}: a record matching any group


def groups_of(criteria: dict) -> list[dict]:
    """The criteria as groups of list-filter parameters: a record is in when it matches
    every parameter of at least one group (plain parameters are a single group)."""
    criteria = criteria or {}
    if ANY in criteria:
        return [group for group in criteria[ANY] if isinstance(group, dict)]
    return [criteria]


def as_data(group: dict) -> QueryDict:
    """A group's parameters as a query string's data (several values of one parameter in
    a list), as the FilterSet reads a list page's query."""
    data = QueryDict(mutable=True)
    for key, value in group.items():
        data.setlist(key, [str(v) for v in value] if isinstance(value, list) else [str(value)])
    return data


def visible_records(user, kind: str, only: int | None = None) -> QuerySet:
    """What `user` sees of `kind`; with `only`, just that record (if seen): asking whether
    one record matches then never lists the matching ones first."""
    records = model_of(kind).objects.restrict(user)
    return records if only is None else records.filter(pk=only)


def matching(
    user,
    kind: str,
    criteria: dict,
    *,
    depth: int = 0,
    only: int | None = None,
    built: dict | None = None,
):
    """The FilterSet of `kind` bound to one group of parameters over what `user` sees.
    `built`: the filter sets one request has built already, by what they were built from
    (never kept beyond the request) — a list's page both filters by its criteria and
    describes them, and a filter set costs ~10 ms to build."""
    key = (user.pk, kind, repr(sorted(criteria.items())) if criteria else "", depth, only)
    if built is not None and key in built:
        return built[key]
    request = SimpleNamespace(user=user, segment_depth=depth)
    queryset = visible_records(user, kind, only)
    filterset = filterset_of(kind)(
        as_data(criteria) if criteria else None, queryset=queryset, request=request
    )
    if built is not None:
        built[key] = filterset
    return filterset


def criteria_errors(user, kind: str, criteria: dict) -> list[str]:
    """What is wrong with the criteria, each problem named with its group and parameter."""
    groups, problems = groups_of(criteria), []
    if ANY in (criteria or {}) and (
        not isinstance(criteria[ANY], list) or len(groups) != len(criteria[ANY])
    ):
        problems.append(_("“any” holds a list of groups of parameters."))
    for number, group in enumerate(groups, start=1):
        filterset = matching(user, kind, group)
        if group and not filterset.is_valid():
            for name, errors in filterset.errors.items():
                where = f"{number}: {name}" if len(groups) > 1 else name
                problems.append(f"{where}: {' '.join(errors)}")
    return problems


def matching_records(
    user,
    kind: str,
    criteria: dict,
    *,
    depth: int = 0,
    only: int | None = None,
    built: dict | None = None,
) -> QuerySet:
    """Records `user` sees that match the criteria (none when they are not valid)."""
    visible = visible_records(user, kind, only)
    groups = groups_of(criteria)
    if not groups:
        return visible.none()
    if not all(groups):
        return visible  # a group without conditions: every record
    filtersets = [
        matching(user, kind, group, depth=depth, only=only, built=built) for group in groups
    ]
    if not all(f.is_valid() for f in filtersets):
        return visible.none()
    if len(filtersets) == 1:
        return filtersets[0].qs
    condition = Q()
    for filterset in filtersets:
        condition |= Q(pk__in=filterset.qs.order_by().values("pk"))
    return visible.filter(condition)


def segment_members(
    user, segment: Segment, *, depth: int = 0, only: int | None = None, built: dict | None = None
) -> QuerySet:
    """The list's members that `user` may see (with `only`: that record, if a member);
    `built` as for `matching`."""
    visible = visible_records(user, segment.kind, only)
    if depth > MAX_DEPTH:
        return visible.none()
    if not segment.dynamic:
        return visible.filter(segments=segment)
    return matching_records(
        user, segment.kind, segment.criteria, depth=depth, only=only, built=built
    )


def describe(
    user, kind: str, criteria: dict, *, built: dict | None = None
) -> list[list[tuple[str, str]]]:
    """The criteria as a reader sees them: per group, (filter label, values shown as the
    filter offers them — names, not ids); `built` as for `matching`."""
    described = []
    for group in groups_of(criteria):
        form = matching(user, kind, group, built=built).form
        rows = []
        for key, value in group.items():
            field = form.fields.get(key)
            values = [str(v) for v in (value if isinstance(value, list) else [value])]
            if field is not None and hasattr(field, "choices"):
                names = {str(code): str(label) for code, label in field.choices}
                values = [names.get(v, v) for v in values]
            rows.append((str(field.label) if field is not None else key, ", ".join(values)))
        described.append(rows)
    return described


COUNT_CAP = 10_000  # counting further costs more than the answer is worth


def capped_count(records: QuerySet) -> tuple[int, bool]:
    """How many records there are, up to the cap, and whether there are more."""
    counted = pagination.capped_count(records, COUNT_CAP)
    return counted.number, counted.more


DYNAMIC_ON_CARD = 20


def segments_of(user, record) -> list[Segment]:
    """The lists `record` is in, as `user` sees them: static memberships, and the user's
    dynamic lists of its kind whose criteria it matches now (the first few of them)."""
    kind = SegmentKind.ORGANIZATIONS if isinstance(record, Organization) else SegmentKind.PERSONS
    visible = Segment.objects.restrict(user).filter(kind=kind)
    static = list(visible.filter(dynamic=False, **{kind: record}))
    dynamic = [
        segment
        for segment in visible.filter(dynamic=True)[:DYNAMIC_ON_CARD]
        if segment_members(user, segment, only=record.pk).exists()
    ]
    return sorted(static + dynamic, key=lambda segment: segment.name)
