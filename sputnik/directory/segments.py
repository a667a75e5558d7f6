"""Who is in a list (DIR-7): a static list's members, or whoever matches a dynamic list's
criteria now — always among the records the asking user may see."""

from __future__ import annotations

from types import SimpleNamespace

from django.db.models import QuerySet

from .models import Organization, Person, Segment, SegmentKind

MAX_DEPTH = 3  # "belongs to list X" inside list X's criteria stops here


def filterset_of(kind: str):
    from .filters import OrganizationFilter, PersonFilter

    return OrganizationFilter if kind == SegmentKind.ORGANIZATIONS else PersonFilter


def model_of(kind: str):
    return Organization if kind == SegmentKind.ORGANIZATIONS else Person


def matching(user, kind: str, criteria: dict, *, depth: int = 0):
    """The FilterSet of `kind` bound to `criteria` over what `user` may see."""
    request = SimpleNamespace(user=user, segment_depth=depth)
    queryset = model_of(kind).objects.restrict(user)
    return filterset_of(kind)(criteria or None, queryset=queryset, request=request)


def segment_members(user, segment: Segment, *, depth: int = 0) -> QuerySet:
    """The list's members that `user` may see."""
    visible = model_of(segment.kind).objects.restrict(user)
    if depth > MAX_DEPTH:
        return visible.none()
    if not segment.dynamic:
        return visible.filter(segments=segment)
    filterset = matching(user, segment.kind, segment.criteria, depth=depth)
    return filterset.qs if filterset.is_valid() else visible.none()


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
        if segment_members(user, segment).filter(pk=record.pk).exists()
    ]
    return sorted(static + dynamic, key=lambda segment: segment.name)
