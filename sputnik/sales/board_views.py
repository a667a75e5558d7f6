"""The deals board (kanban): a pipeline's open deals in one column per stage, moved by
dragging a card to another column or onto a won/lost zone. The same view serves its page
and, for htmx, the board alone, which other pages embed."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from urllib.parse import urlencode, urlsplit

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Exists, F, OuterRef, Sum
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import dateformat, formats, timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views import View

from sputnik.access.models import (
    BusinessLine,
    colleagues,
    employee_name_fields,
    employee_short_name_in,
)
from sputnik.core import links
from sputnik.core.exceptions import StaleEdit
from sputnik.core.roles import line_access
from sputnik.core.services import ensure_visible
from sputnik.core.views import RestrictedMixin

from . import services
from .filters import DealFilter
from .forms import MoveForm, StageRequirementsForm
from .models import Deal, Interaction, InteractionStatus, Pipeline, Stage, StageOutcome

CARDS_PER_COLUMN = 25  # the rest of a column opens as a list (its link says how many)
CURRENCY_SIGNS = {"RUB": "₽", "USD": "$", "EUR": "€", "CNY": "¥"}
TEMPLATE = "sales/deal_board.html"
MOVE = "sales:deal_board_move"
FILTERS = ("responsible", "business_line", "q")
# What a card reads of its deal (`card()`), and of its responsible: the fields of their name.
CARD_FIELDS = (
    *("pk", "version", "name", "stage", "amount", "currency", "expected_close"),
    *("organization__short_name", "contact_overdue", "movable"),
)
# Within a column: the nearest expected close first, undated ones last.
CARD_ORDER = [F("expected_close").asc(nulls_last=True), F("id").desc()]


def money(amount: Decimal, currency: str) -> str:
    """«1 234 567 ₽» in the active language's number format."""
    places = 0 if amount == amount.to_integral_value() else 2
    number = formats.number_format(amount, places, use_l10n=True, force_grouping=True)
    return f"{number}\u00a0{CURRENCY_SIGNS.get(currency, currency)}"


@lru_cache(maxsize=4096)
def short_date(date: datetime.date, pattern: str, language: str) -> str:
    """`date` in `pattern` (the active language's short date format, which the caller
    reads) — cached under all it depends on: many cards share a few dates."""
    return dateformat.format(date, pattern)


def card(row: dict, today: datetime.date, urls: dict[str, Callable[[int], str]]) -> dict:
    """What a card shows of a deal (a row of `BoardMixin.cards`), as text. The template
    engine resolves `deal.x` on a model by trying `deal["x"]` first and catching the
    error, then through descriptors and related records; a board of 125 cards spent two
    thirds of its time in such lookups and in filters, and a third of the rest making
    models of the rows. Finished values in a dict draw the same cards three times faster."""
    pk, close, amount = row["pk"], row["expected_close"], row["amount"]
    return {
        "pk": pk,
        "version": row["version"],
        "name": row["name"],
        "url": urls["deal"](pk),
        "move_url": urls["move"](pk),
        "movable": row["movable"],
        "organization": row["organization__short_name"],
        "responsible": employee_short_name_in(row, "responsible"),
        "amount": money(amount, row["currency"]) if amount is not None else "",
        "close": short_date(close, formats.get_format("SHORT_DATE_FORMAT"), get_language())
        if close
        else "",
        "close_passed": close is not None and close < today,
        "contact_overdue": row["contact_overdue"],
    }


def lacks(deal: Deal, name: str) -> bool:
    if name == "persons":
        return not deal.persons.exists()
    return getattr(deal, name) in (None, "")


@dataclass
class Column:
    """A stage on the board: its first cards, how many there are and what they sum to."""

    stage: Stage
    cards: list[dict] = field(default_factory=list)
    count: int = 0
    totals: list[str] = field(default_factory=list)
    list_url: str = ""

    @property
    def more(self) -> int:
        return self.count - len(self.cards)


def count_and_sum(columns: dict[int, Column], deals) -> None:
    """Each column's number of deals and their amounts by currency, in one query."""
    totals = deals.order_by("currency").values("stage", "currency")
    for row in totals.annotate(count=Count("*"), total=Sum("amount")):
        column = columns[row["stage"]]
        column.count += row["count"]
        if row["total"] is not None:
            column.totals.append(money(row["total"], row["currency"]))


class BoardMixin(RestrictedMixin):
    """Builds the board of the request's pipeline and filter from the deals the user sees."""

    model = Deal

    def board_filter(self) -> dict[str, str]:
        """The filter as given (`responsible=me` included), empty values left out."""
        values = {name: self.request.GET.get(name, "").strip() for name in FILTERS}
        return {name: value for name, value in values.items() if value}

    def list_filter(self, given: dict[str, str]) -> dict[str, str]:
        """The same filter as the deals list understands it."""
        if given.get("responsible") == "me":
            return {**given, "responsible": str(self.request.user.pk)}
        return given

    def pipeline(self, pipelines: list[Pipeline]) -> Pipeline | None:
        chosen = self.request.GET.get("pipeline", "")
        if not chosen:
            return pipelines[0] if pipelines else None
        if not chosen.isdigit():
            raise Http404
        found = next((p for p in pipelines if p.pk == int(chosen)), None)
        if found is None:
            found = Pipeline.objects.restrict(self.request.user).filter(pk=chosen).first()
            if found is None:
                raise Http404
            pipelines.append(found)
        return found

    def board_context(self, **extra) -> dict:
        user = self.request.user
        pipelines = list(Pipeline.objects.restrict(user).filter(is_active=True))
        pipeline = self.pipeline(pipelines)
        given = self.board_filter()
        query = {"pipeline": pipeline.pk, **given} if pipeline else given
        context = {
            "pipeline": pipeline,
            "pipelines": pipelines,
            "given": given,
            "query": urlencode(query),
            "list_url": self.list_url(pipeline, given),
            "push_url": self.on_board_page(),
            "lines": self.lines(),
            **extra,
        }
        if pipeline is not None:
            context.update(self.columns(pipeline, given))
        return context

    def columns(self, pipeline: Pipeline, given: dict[str, str]) -> dict:
        user = self.request.user
        stages = list(pipeline.stages.all())
        visible = Deal.objects.restrict(user, "view")
        in_pipeline = visible.filter(pipeline=pipeline, closed_at__isnull=True)
        # The filter set only for a filter: building one costs a few ms (django-filter
        # copies every filter), and an empty one leaves the deals as they are.
        deals = (
            DealFilter(self.list_filter(given), queryset=in_pipeline).qs if given else in_pipeline
        )
        columns = {s.pk: Column(s, list_url=self.list_url(pipeline, given, s)) for s in stages}
        count_and_sum(columns, deals)
        today = timezone.localdate()
        urls = {"deal": links.record_urls("sales:deal"), "move": links.record_urls(MOVE)}
        for deal in self.cards(deals, [s for s in stages if not s.is_closed]):
            columns[deal["stage"]].cards.append(card(deal, today, urls))
        return {
            "columns": [columns[s.pk] for s in stages if not s.is_closed],
            "zones": [s for s in stages if s.is_closed],
            "responsibles": self.responsibles(),
        }

    def responsibles(self):
        """Whom the board can be filtered by: the employees of the lines the user sees.
        (Reading the responsible of every open deal instead took 0.5 s at 500,000 deals.)"""
        return colleagues(self.request.user)

    def cards(self, deals, stages: list[Stage]):
        """At most CARDS_PER_COLUMN deals of each open stage, each knowing whether it has
        an overdue planned contact and whether the user may move it. Each column's ids
        come from its own short index scan (`deal_board_column`); only those cards are
        then read — ranking every open deal of the pipeline in one query would join and
        annotate them all first. Rows, not models: see `card()`."""
        ids = []
        for stage in stages:
            column = deals.filter(stage=stage).order_by(*CARD_ORDER)
            ids += column.values_list("pk", flat=True)[:CARDS_PER_COLUMN]
        user = self.request.user
        overdue = Interaction.objects.restrict(user).filter(
            deal=OuterRef("pk"), status=InteractionStatus.PLANNED, due_at__lt=timezone.now()
        )
        movable = Deal.objects.restrict(user, "change").filter(pk=OuterRef("pk"))
        return (
            Deal.objects.filter(pk__in=ids)
            .annotate(contact_overdue=Exists(overdue), movable=Exists(movable))
            .order_by("stage_id", *CARD_ORDER)
            .values(*CARD_FIELDS, *employee_name_fields("responsible"))
        )

    def list_url(self, pipeline, given: dict[str, str], stage: Stage | None = None) -> str:
        """The deals list with the board's filter (and one column's stage)."""
        query = {"open": "true", **self.list_filter(given)}
        if pipeline is not None:
            query["pipeline"] = pipeline.pk
        if stage is not None:
            query["stage"] = stage.pk
        return f"{reverse('sales:deal_list')}?{urlencode(query)}"

    def lines(self):
        """The business lines to filter by: those the user sees, if more than one."""
        ids = line_access(self.request.user).line_ids("read")
        lines = BusinessLine.objects.filter(is_active=True)
        if ids is not None:
            lines = lines.filter(pk__in=ids)
        lines = list(lines)
        return lines if len(lines) > 1 else []

    def on_board_page(self) -> bool:
        """Whether the board is its own page (filters go to the address bar) rather than a
        part of another page."""
        htmx = self.request.htmx
        if not htmx:
            return True
        return urlsplit(htmx.current_url or "").path == reverse("sales:deal_board")

    def render_board(self, status: int = 200, **extra):
        response = render(
            self.request, f"{TEMPLATE}#board", self.board_context(**extra), status=status
        )
        response["X-Sputnik-Board"] = "1"
        return response


class DealBoardView(BoardMixin, View):
    """The board page; for htmx, the board alone."""

    def get(self, request):
        if not request.user.has_perm("sales.view_deal"):
            raise PermissionDenied(_("Your role does not give access to this list."))
        if request.htmx and not request.htmx.boosted:
            return self.render_board()
        return render(request, TEMPLATE, self.board_context())


class DealBoardMoveView(BoardMixin, View):
    """A card dropped on another column: the deal moves and the board comes back, or a
    dialog asks for what the stage requires (answered with 422); a refusal comes back as
    the board with the reason."""

    action = "change"

    def post(self, request, pk):
        deal = self.restricted_queryset().select_related("stage").filter(pk=pk).first()
        if deal is None:
            if self._visible(pk):
                return self.refuse(403, _("You may only read this record."))
            raise Http404
        move = MoveForm(request.POST, deal=deal)
        if not move.is_valid():
            return self.refuse(400, _("Choose a stage of the deal's pipeline."))
        stage, version = move.cleaned_data["stage"], move.cleaned_data["version"]
        dialog = self.dialog(deal, stage, move.cleaned_data["loss_reason"])
        if dialog is not None and not dialog.is_valid():
            return self.ask(deal, stage, version, dialog)
        filled = dialog.cleaned_data if dialog is not None else {}
        loss_reason = move.cleaned_data["loss_reason"] or filled.get("loss_reason")
        try:
            with transaction.atomic():
                self.perform(deal, stage, version, dialog.changes() if dialog else {}, loss_reason)
        except StaleEdit:
            return self.refuse(409, _("Someone changed the deal meanwhile; look again."))
        except ValidationError as error:
            if dialog is None:
                return self.refuse(400, " ".join(error.messages))
            dialog.add_error(None, error.messages)
            return self.ask(deal, stage, version, dialog)
        except PermissionDenied as error:
            return self.refuse(403, str(error) or _("You may not do this."))
        done = _("“%(deal)s” moved to “%(stage)s”.") % {"deal": deal, "stage": stage}
        return self.render_board(message=done, message_level="success")

    def perform(self, deal, stage, version, changes, loss_reason) -> None:
        """Fill what the stage requires, then move: one transaction, re-checked."""
        user = self.request.user
        if changes:
            deal = services.deal_update(actor=user, deal=deal, expected_version=version, **changes)
            version = deal.version
        deal = services.deal_move(
            actor=user, deal=deal, stage=stage, expected_version=version, loss_reason=loss_reason
        )
        ensure_visible(deal, user)

    def dialog(self, deal: Deal, stage: Stage, loss_reason) -> StageRequirementsForm | None:
        """The form asking for what the deal lacks to enter `stage`; None if nothing.
        Bound once the dialog is submitted."""
        if stage == deal.stage:
            return None
        needs = [name for name in stage.required_fields or [] if lacks(deal, name)]
        if stage.outcome == StageOutcome.LOST and loss_reason is None:
            needs.append("loss_reason")
        if not needs:
            return None
        data = self.request.POST if "requirements" in self.request.POST else None
        return StageRequirementsForm(data, deal=deal, user=self.request.user, needs=needs)

    def ask(self, deal, stage, version, dialog):
        context = {
            "deal": deal,
            "stage": stage,
            "version": version,
            "form": dialog,
            "query": self.request.GET.urlencode(),
            "lost": stage.outcome == StageOutcome.LOST,
        }
        return render(self.request, f"{TEMPLATE}#move_dialog", context, status=422)

    def refuse(self, status: int, message: str):
        return self.render_board(status=status, message=message, message_level="danger")
