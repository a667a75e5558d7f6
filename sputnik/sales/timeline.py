"""What sales puts on an organisation's dossier through the extension point: its contacts
(past and planned) and its deals' stage changes on the timeline; its open deals and the
next planned contact on the right. Every query is restricted for the viewer and costs the
same however many rows the organisation has."""

from __future__ import annotations

from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from sputnik.access.models import employee_name_fields, employee_short_name_in
from sputnik.core.extensions import (
    Entry,
    Panel,
    QuerySetSource,
    register_panel,
    register_source,
)
from sputnik.core.links import record_url
from sputnik.core.models import brief
from sputnik.core.roles import line_access

from .models import (
    Deal,
    Direction,
    Interaction,
    InteractionStatus,
    StageChange,
    overdue,
)
from .rows import contact_persons, kind_names
from .templatetags.sales import kind_icon

ORGANIZATION = "directory.Organization"
PERSON = "directory:person_detail"
# What a contact's entry reads (`contact_entry`).
ENTRY_FIELDS = (
    *("pk", "kind", "direction", "status", "occurred_at", "due_at", "subject", "notes"),
    *("duration_minutes", "result__name", "deal_id", "deal__name", "deal_visible"),
    *employee_name_fields("responsible"),
)

PANEL_DEALS = 10  # open deals listed beside an organisation; the rest on the deals page
CURRENCY_SIGNS = {"RUB": "₽", "USD": "$", "EUR": "€", "CNY": "¥"}


class InteractionSource(QuerySetSource):
    """Calls, e-mails, meetings … with the organisation, done, planned or cancelled; a
    planned one stands at its due time (newest first puts the future on top)."""

    kind = "interaction"
    label = _("Contacts")
    template = "sales/timeline_interaction.html"
    at_field = "occurred_at"  # indexed with the organisation: interaction_timeline

    def rows(self, record, user):
        return Interaction.objects.restrict(user).filter(organization=record)

    def entries(self, record, user, keys: list[int]) -> list[Entry]:
        """The page's contacts as dicts of their finished text (`contact_entry`), read as
        values with the persons and the deal the viewer may see: a page holds 25, and the
        template engine reads a dict an order of magnitude faster than it reaches into a
        model."""
        # A contact's deal is named only to those who may see the deal.
        deal_visible = Exists(Deal.objects.restrict(user).filter(pk=OuterRef("deal_id")))
        rows = self.rows(record, user).filter(pk__in=keys).annotate(deal_visible=deal_visible)
        persons = contact_persons(user, keys)
        now, kinds = timezone.now(), kind_names()
        return [
            Entry(
                row["occurred_at"],
                self.kind,
                row["pk"],
                self.template,
                contact_entry(row, persons[row["pk"]], now, kinds),
            )
            for row in rows.values(*ENTRY_FIELDS)
        ]


def contact_entry(row: dict, persons: list[tuple[int, str]], now, kinds: dict) -> dict:
    """What a contact's entry shows (a row of `ENTRY_FIELDS`; its persons as (id, short
    name), `rows.contact_persons`; the kinds' names, `rows.kind_names`)."""
    kind, status = row["kind"], row["status"]
    return {
        "pk": row["pk"],
        "icon": kind_icon(kind),
        "overdue": overdue(status, row["due_at"], now),
        "kind": kinds.get(kind, kind),
        "incoming": str(Direction.INBOUND.label).lower()
        if row["direction"] == Direction.INBOUND
        else "",
        "at": formats.date_format(timezone.localtime(row["occurred_at"]), "SHORT_DATETIME_FORMAT"),
        "status": status,
        "result": row["result__name"] or "",
        "subject": row["subject"],
        "responsible": employee_short_name_in(row, "responsible"),
        "persons": [{"name": name, "url": record_url(PERSON, pk)} for pk, name in persons],
        "deal": {"name": row["deal__name"], "url": record_url("sales:deal", row["deal_id"])}
        if row["deal_visible"]
        else None,
        "minutes": row["duration_minutes"],
        "notes": row["notes"],
    }


class StageChangeSource(QuerySetSource):
    """Moves of the organisation's deals between stages, for the deals the viewer sees."""

    kind = "stage"
    label = _("Stage changes")
    template = "sales/timeline_stage.html"
    at_field = "at"

    def rows(self, record, user):
        deals = Deal.objects.restrict(user).filter(organization=record)
        changes = StageChange.objects.filter(deal__in=deals.values("pk"))
        return brief(changes, "deal", "by").select_related("from_stage", "to_stage")


def open_deals_panel(request, organization) -> dict | None:
    """The organisation's open deals with their stage, amount and responsible."""
    user = request.user
    if not user.has_perm("sales.view_deal"):
        return None
    deals = list(
        brief(Deal.objects.restrict(user), "responsible")
        .filter(organization=organization, closed_at__isnull=True)
        .select_related("stage", "pipeline")
        .order_by("pipeline__order", "stage__order", "-created_at", "-pk")[: PANEL_DEALS + 1]
    )
    for deal in deals:
        deal.currency_sign = CURRENCY_SIGNS.get(deal.currency, deal.currency)
    more = len(deals) > PANEL_DEALS
    all_url = reverse("sales:deal_list") + f"?organization={organization.pk}&open=true"
    return {"deals": deals[:PANEL_DEALS], "more": more, "all_url": all_url}


def next_contact_panel(request, organization) -> dict | None:
    """The earliest planned contact with the organisation (overdue ones first)."""
    user = request.user
    if not user.has_perm("sales.view_interaction"):
        return None
    planned = (
        brief(Interaction.objects.restrict(user), "responsible")
        .filter(organization=organization, status=InteractionStatus.PLANNED)
        .order_by("due_at", "pk")
    )
    return {"contact": planned.first(), "today": timezone.localdate()}


def composer_panel(request, organization) -> dict | None:
    """Buttons (and keys c, m, n) that open the quick contact form for the organisation."""
    user = request.user
    if not user.has_perm("sales.add_interaction") or line_access(user).line_ids("write") == set():
        return None
    url = reverse("sales:interaction_quick") + f"?organization={organization.pk}"
    return {
        "url": url,
        "kinds": [
            ("call", _("Call"), "telephone", "c"),
            ("meeting", _("Meeting"), "people", "m"),
            ("other", pgettext_lazy("a kind of contact", "Note"), "pencil", "n"),
        ],
    }


def register() -> None:
    register_panel(ORGANIZATION, "composer", Panel("sales/panel_composer.html", composer_panel))
    register_source(ORGANIZATION, InteractionSource())
    register_source(ORGANIZATION, StageChangeSource())
    register_panel(
        ORGANIZATION, "related", Panel("sales/panel_next_contact.html", next_contact_panel, 10)
    )
    register_panel(ORGANIZATION, "related", Panel("sales/panel_deals.html", open_deals_panel, 20))
    # The organisation's card shows the same two, above its history.
    register_panel(
        ORGANIZATION, "card", Panel("sales/panel_next_contact.html", next_contact_panel, 10)
    )
    register_panel(ORGANIZATION, "card", Panel("sales/panel_deals.html", open_deals_panel, 20))
