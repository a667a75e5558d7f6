"""What sales puts on an organisation's dossier through the extension point: its contacts
(past and planned) and its deals' stage changes on the timeline; its open deals and the
next planned contact on the right. Every query is restricted for the viewer and costs the
same however many rows the organisation has."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Prefetch
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from sputnik.core.extensions import Panel, QuerySetSource, register_panel, register_source
from sputnik.core.links import record_url
from sputnik.core.models import brief
from sputnik.core.roles import line_access
from sputnik.directory.models import Person

from .models import Deal, Interaction, InteractionStatus, StageChange
from .templatetags.sales import kind_icon

ORGANIZATION = "directory.Organization"

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
        persons = (
            Person.objects.restrict(user)
            .only(*Person.BRIEF_FIELDS)
            .order_by("last_name", "first_name", "pk")
        )
        # A contact's deal is named only to those who may see the deal.
        deal_visible = Exists(Deal.objects.restrict(user).filter(pk=OuterRef("deal_id")))
        return (
            brief(Interaction.objects.restrict(user), "responsible", "deal")
            .filter(organization=record)
            .annotate(deal_visible=deal_visible)
            .select_related("result")
            .prefetch_related(Prefetch("persons", queryset=persons, to_attr="shown_persons"))
        )

    def shown(self, row: Interaction) -> dict:
        return {
            "pk": row.pk,
            "icon": kind_icon(row.kind),
            "overdue": row.is_overdue,
            "kind": row.get_kind_display(),
            "incoming": row.get_direction_display().lower() if row.direction == "in" else "",
            "at": formats.date_format(timezone.localtime(row.occurred_at), "SHORT_DATETIME_FORMAT"),
            "status": row.status,
            "result": str(row.result) if row.result else "",
            "subject": row.subject,
            "responsible": row.responsible.short_name,
            "persons": [
                {"name": person.short_name, "url": record_url("directory:person_detail", person.pk)}
                for person in row.shown_persons
            ],
            "deal": {"name": row.deal.name, "url": record_url("sales:deal", row.deal_id)}
            if row.deal_visible
            else None,
            "minutes": row.duration_minutes,
            "notes": row.notes,
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
