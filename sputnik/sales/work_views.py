"""My work (SAL-8) and quick contact logging (SAL-1, SAL-4).

The quick form logs a contact that happened or plans one; after a result it proposes the
next contact, accepted with one click. "My work" lists the planned contacts of the user
(and of the employees they stand in for): overdue, today and the coming week, each done
or cancelled in place; a head of sales sees the same for an employee or the whole team.
Every list starts from `Interaction.objects.restrict(user)`."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import OuterRef, Q
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils import formats, timezone
from django.utils.functional import cached_property
from django.utils.http import urlencode
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView
from django_htmx.http import reswap, retarget, trigger_client_event

from sputnik.access.models import (
    LineMembership,
    Substitution,
    User,
    employee_name_fields,
    employee_short_name_in,
)
from sputnik.core import links
from sputnik.core.exceptions import StaleEdit
from sputnik.core.pagination import Capped, CountOf, capped_count, merged_firsts
from sputnik.core.roles import LineRole, line_access
from sputnik.core.services import ensure_visible
from sputnik.directory.models import Organization

from . import services
from .models import Deal, Interaction, InteractionStatus
from .rows import contact_persons, kind_names
from .templatetags.sales import kind_icon
from .work_forms import CompleteForm, QuickLogForm

# Sent with every answer that changed contacts: lists of contacts reload themselves.
CHANGED = "sp-interactions-changed"
TIMELINE_CHANGED = "sp-timeline-changed"  # the dossier's timeline listens to it
ROW = "row"  # the quick form answers inside a row of "my work", not as a card
SECTION_LIMIT = 20  # rows per section at first; "show more" fetches as many again
# What a row reads of its contact (`ContactRows`), and of its deal: its name and stage.
ROW_FIELDS = (
    *("pk", "version", "kind", "due_at", "subject", "notes", "business_line_id", "deal_id"),
    *("organization_id", "organization__short_name", *employee_name_fields("responsible")),
)
DEAL_SHOWN = ("pk", "name", "stage__name", "stage__outcome")
# Counts stop here ("999+"): a backlog beyond it needs no exact figure, and counting it
# would read every planned contact of a team.
COUNT_CAP = 999
# How each section looks: its frame, header and badge, the colour of its rows' time, and
# whether they show a date or only the time. The page and "show more" both read it.
SECTION_LOOK = {
    "overdue": {
        "tone": "text-danger",
        "border": "border-danger",
        "header": "bg-danger-subtle text-danger-emphasis",
        "badge": "text-bg-danger",
        "icon": "bi-exclamation-triangle",
        "when": "date",
    },
    "today": {
        "tone": "text-warning-emphasis",
        "border": "border-warning",
        "header": "bg-warning-subtle text-warning-emphasis",
        "badge": "text-bg-warning",
        "icon": "bi-sun",
        "when": "time",
    },
    "upcoming": {
        "tone": "",
        "border": "",
        "header": "",
        "badge": "text-bg-secondary",
        "icon": "bi-calendar-week",
        "when": "date",
    },
}


def row_labels() -> dict[str, str]:
    """The words of every row's buttons, translated once for the page."""
    return {
        "actions": _("Actions"),
        "done": _("Done"),
        "confirm": _("Cancel this contact?"),
        "cancel": _("Cancel the contact"),
    }


class ContactRows:
    """What the rows of "my work" show of each contact (a row of `WorkView.read`), as
    text: the template engine reaches into a model an order of magnitude slower than into
    a dict (see the board's `card()`). The links of a kind differ only in the id: they
    are made once per page, as are the kinds' names."""

    def __init__(self):
        self.organization = links.record_urls("directory:organization_detail")
        self.person = links.record_urls("directory:person_detail")
        self.deal = links.record_urls("sales:deal")
        self.done = links.record_urls("sales:work_done")
        self.cancel = links.record_urls("sales:work_cancel")
        self.kinds = kind_names()

    def __call__(self, items: list[dict], when: str) -> list[dict]:
        """`when`: what a row says of its time, "time" (today's rows) or "date"."""
        return [self.row(item, when) for item in items]

    def row(self, item: dict, when: str) -> dict:
        pk, kind, deal = item["pk"], item["kind"], item["deal"]
        due = timezone.localtime(item["due_at"])
        if when == "time":
            moment = {"time": formats.time_format(due, "TIME_FORMAT")}
        else:
            moment = {"weekday": formats.date_format(due, "D"), "moment": _moment(due)}
        return {
            "pk": pk,
            "version": item["version"],
            **moment,
            "kind": self.kinds.get(kind, kind),
            "icon": kind_icon(kind),
            "organization": item["organization__short_name"],
            "organization_url": self.organization(item["organization_id"]),
            "persons": [{"name": name, "url": self.person(pk)} for pk, name in item["persons"]],
            "deal": deal
            and {
                "name": deal["name"],
                "url": self.deal(deal["pk"]),
                "stage": {"name": deal["stage__name"], "outcome": deal["stage__outcome"]},
            },
            "text": Truncator(item["subject"] or item["notes"]).chars(140),
            "responsible": employee_short_name_in(item, "responsible"),
            "can_change": item["can_change"],
            "done_url": self.done(pk),
            "cancel_url": self.cancel(pk),
        }


def _moment(value: datetime.datetime) -> str:
    return formats.date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT")


def _changed(response: HttpResponse) -> HttpResponse:
    """Lists of contacts and a record's timeline on the page reload themselves."""
    trigger_client_event(response, CHANGED)
    return trigger_client_event(response, TIMELINE_CHANGED)


def _add_errors(form, error: ValidationError) -> None:
    """A service's refusal, next to the fields it names."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)


# Quick logging --------------------------------------------------------------------------


class QuickLogView(LoginRequiredMixin, View):
    """GET: the quick form (a fragment for htmx, a page without). POST: log or plan the
    contact; the answer says what happened and, after a result, proposes the next one.
    `?organization=` fixes the organisation, `kind`, `deal`, `person`, `plan` preset it."""

    def dispatch(self, request, *args, **kwargs):
        user = request.user
        if user.is_authenticated and not user.has_perm("sales.add_interaction"):
            raise PermissionDenied(_("Your role does not let you record contacts."))
        return super().dispatch(request, *args, **kwargs)

    def get(self, request):
        if self._place() == ROW:  # a proposal in a row was dismissed
            return _changed(HttpResponse(""))
        form = QuickLogForm(
            user=request.user, organization=self._fixed(request.GET), initial=self._initial()
        )
        return self._render(form=form)

    def post(self, request):
        proposal = request.POST.get("proposal") == "1"
        fixed = self._fixed(request.POST if proposal else request.GET)
        form = QuickLogForm(
            request.POST,
            user=request.user,
            organization=fixed,
            auto_id="next_%s" if proposal else "quick_%s",
        )
        if request.POST.get("refresh"):
            return self._render(form=form, proposal=proposal, quiet=True)
        if form.is_valid():
            try:
                with transaction.atomic():
                    return self._save(form)
            except ValidationError as error:
                _add_errors(form, error)
        return self._render(form=form, proposal=proposal)

    def _save(self, form: QuickLogForm) -> HttpResponse:
        user, values = self.request.user, form.values()
        if form.planning:
            interaction = services.interaction_plan(actor=user, **values)
            ensure_visible(interaction, user)
            notice = planned_notice(interaction)
            response = self._render(form=self._fresh_form(), notices=[notice], oob=notice)
            return _changed(response)
        deal = values["deal"]
        interaction, proposal = services.interaction_log(actor=user, **values)
        ensure_visible(interaction, user)
        notices = [logged_notice(interaction), *moved_notice(deal)]
        if proposal is not None:
            next_form = proposal_form(user, proposal)
            return _changed(self._render(form=next_form, notices=notices, proposal=True))
        return _changed(self._render(form=self._fresh_form(), notices=notices))

    def _fresh_form(self) -> QuickLogForm | None:
        if self._place() == ROW:
            return None
        return QuickLogForm(user=self.request.user, organization=self._fixed(self.request.GET))

    def _place(self) -> str:
        return self.request.GET.get("place", "")

    def _fixed(self, params) -> Organization | None:
        value = params.get("organization", "")
        if not value:
            return None
        visible = Organization.objects.restrict(self.request.user)
        organization = visible.filter(pk=value).first() if value.isdigit() else None
        if organization is None:
            raise Http404
        return organization

    def _initial(self) -> dict:
        params, initial = self.request.GET, {}
        if params.get("kind"):
            initial["kind"] = params["kind"]
        if params.get("plan"):
            initial["plan"] = True
        if params.get("deal", "").isdigit():
            initial["deal"] = params["deal"]
        persons = [p for p in params.getlist("person") if p.isdigit()]
        if persons:
            initial["persons"] = persons
        return initial

    def _render(self, *, form, notices=(), proposal=False, quiet=False, oob=None):
        context = {
            "form": form,
            "notices": notices,
            "proposal": proposal,
            "quiet": quiet,
            "place": self._place(),
            "panel_url": panel_url(self.request.GET),
            "oob_notice": oob if self._place() == ROW else None,
        }
        htmx = self.request.htmx
        template = "sales/quick_log_panel.html" if htmx else "sales/quick_log.html"
        return render(self.request, template, context)


def panel_url(params, **extra) -> str:
    """The quick form's address: its fixed organisation and where it is shown."""
    query = {k: params[k] for k in ("organization", "place") if params.get(k)}
    query.update({k: v for k, v in extra.items() if v})
    url = reverse("sales:interaction_quick")
    return f"{url}?{urlencode(query)}" if query else url


def proposal_form(user, proposal: services.NextContact) -> QuickLogForm:
    """The next contact a result proposes, ready to be planned as it is or changed."""
    initial = {
        "plan": True,
        "kind": proposal.kind,
        "due_at": proposal.due_at,
        "deal": proposal.deal.pk if proposal.deal else None,
        "persons": [person.pk for person in proposal.persons],
        "subject": proposal.subject,
    }
    return QuickLogForm(
        user=user, organization=proposal.organization, initial=initial, auto_id="next_%s"
    )


def logged_notice(interaction: Interaction) -> dict:
    parts = [interaction.get_kind_display(), str(interaction.organization)]
    if interaction.result:
        parts.append(str(interaction.result))
    return {"level": "success", "text": _("Recorded: %(what)s") % {"what": " · ".join(parts)}}


def moved_notice(deal: Deal | None) -> list[dict]:
    """Say so when a result moved the contact's deal to another stage."""
    if deal is None:
        return []
    now = Deal.objects.select_related("stage").get(pk=deal.pk)
    if now.stage_id == deal.stage_id:
        return []
    text = _("Deal “%(deal)s” moved to stage “%(stage)s”.") % {"deal": now, "stage": now.stage}
    return [{"level": "info", "text": text, "testid": "deal-moved"}]


def planned_notice(interaction: Interaction) -> dict:
    text = _("Planned for %(when)s: %(what)s · %(organization)s") % {
        "when": _moment(interaction.due_at),
        "what": interaction.get_kind_display(),
        "organization": interaction.organization,
    }
    return {"level": "success", "text": text, "testid": "planned"}


# Completing and cancelling planned contacts -----------------------------------------------


class PlannedContactMixin(LoginRequiredMixin):
    """A planned contact the user may change (404 if they cannot see it, 403 if they may
    only read it)."""

    def contact(self, pk) -> Interaction:
        user = self.request.user
        found = Interaction.objects.restrict(user, "change").filter(pk=pk).first()
        if found is None:
            if Interaction.objects.restrict(user).filter(pk=pk).exists():
                raise PermissionDenied(_("You may only read this record."))
            raise Http404
        return found


class ContactDoneView(PlannedContactMixin, View):
    """The result form of a planned contact, opened in its row; saved, the row shows what
    happened and the proposed next contact."""

    template_name = "sales/quick_log_complete.html"

    def get(self, request, pk):
        contact = self.contact(pk)
        if "close" in request.GET:
            return HttpResponse("")
        return self._form(CompleteForm(interaction=contact))

    def post(self, request, pk):
        contact = self.contact(pk)
        form = CompleteForm(request.POST, interaction=contact)
        if form.is_valid():
            try:
                with transaction.atomic():
                    return self._save(form, contact)
            except StaleEdit as error:
                form.add_error(None, error.message)
            except ValidationError as error:
                _add_errors(form, error)
        return self._form(form)

    def _form(self, form: CompleteForm) -> HttpResponse:
        return render(self.request, self.template_name, {"form": form, "item": form.interaction})

    def _save(self, form: CompleteForm, contact: Interaction) -> HttpResponse:
        user, deal = self.request.user, contact.deal  # the deal as it was, to tell a move
        done, proposal = services.interaction_complete(
            actor=user,
            interaction=contact,
            expected_version=form.cleaned_data["version"],
            **form.values(),
        )
        ensure_visible(done, user)
        context = {
            "item": done,
            "notices": [logged_notice(done), *moved_notice(deal)],
            "form": proposal_form(user, proposal) if proposal else None,
            "proposal": proposal is not None,
            "place": ROW,
            "panel_url": panel_url({"place": ROW}),
        }
        response = render(self.request, "sales/my_work_row_done.html", context)
        return reswap(retarget(response, f"#contact-{contact.pk}"), "outerHTML")


class ContactCancelView(PlannedContactMixin, View):
    """Cancel a planned contact from its row."""

    def post(self, request, pk):
        contact = self.contact(pk)
        error = ""
        try:
            with transaction.atomic():
                services.interaction_cancel(
                    actor=request.user,
                    interaction=contact,
                    expected_version=_version(request.POST.get("version", "")),
                )
        except StaleEdit as stale:
            error = stale.message
        except ValidationError as refused:
            error = " ".join(refused.messages)
        context = {"item": contact, "error": error}
        return render(request, "sales/my_work_row_cancelled.html", context)


def _version(value: str) -> int | None:
    return int(value) if value.isdigit() else None


# My work ------------------------------------------------------------------------------


@dataclass
class Scope:
    """Whose planned contacts the page shows: `choice` is "" (the user, with whoever they
    stand in for), "team" or an employee's id."""

    choice: str
    responsible: list[int]
    team: list = field(default_factory=list)  # employees a head may pick; [] otherwise
    is_head: bool = False
    absences: list = field(default_factory=list)

    @property
    def choices(self) -> list:
        """The employees offered in the selector besides "me" and "whole team"."""
        absent = [s.absent for s in self.absences]
        return [*absent, *(u for u in self.team if u not in absent)]


def team_of(user) -> list | None:
    """The employees holding a role on the lines the user manages (a head of sales: on the
    lines they see); None for someone who heads nobody."""
    access = line_access(user)
    lines = access.line_ids(LineRole.MANAGE)
    if lines is not None and not lines and user.has_perm("sales.hand_over"):
        lines = access.line_ids(LineRole.READ)
    if lines is not None and not lines:
        return None
    memberships = LineMembership.objects.all()
    if lines is not None:
        memberships = memberships.filter(line_id__in=lines)
    members = User.objects.filter(is_active=True, pk__in=memberships.values("user"))
    return list(members.exclude(pk=user.pk).order_by("last_name", "first_name", "username"))


def work_scope(user, requested: str) -> Scope:
    absences = list(Substitution.objects.active().filter(deputy=user).select_related("absent"))
    mine = [user.pk, *(s.absent_id for s in absences)]
    team = team_of(user)
    scope = Scope("", mine, team or [], team is not None, absences)
    if team is not None and requested == "team":
        scope.choice, scope.responsible = "team", [user.pk, *(u.pk for u in team)]
    elif requested.isdigit() and int(requested) in {u.pk for u in scope.choices}:
        scope.choice, scope.responsible = requested, [int(requested)]
    return scope


def day_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


class MyWorkView(LoginRequiredMixin, TemplateView):
    """The salesperson's home: overdue, today's and the coming week's contacts, quick
    logging, their open deals; a head of sales picks an employee or the whole team."""

    template_name = "sales/my_work.html"

    def dispatch(self, request, *args, **kwargs):
        user = request.user
        if user.is_authenticated and not user.has_perm("sales.view_interaction"):
            raise PermissionDenied(_("Your role does not give access to contacts."))
        return super().dispatch(request, *args, **kwargs)

    def get_template_names(self):
        part = self.request.GET.get("part")
        if self.request.htmx and part in ("sections", "more"):
            return [f"{self.template_name}#{part}"]
        return [self.template_name]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        scope = work_scope(user, self.request.GET.get("employee", ""))
        if self.request.htmx and self.request.GET.get("part") == "more":
            context.update(self.more(user, scope))
            return context
        context.update(self.sections(user, scope))
        context["scope"] = scope
        context["team_overdue"] = self.team_overdue(user, scope) if scope.is_head else None
        context["quick_form"] = (
            QuickLogForm(user=user) if user.has_perm("sales.add_interaction") else None
        )
        context["quick_url"] = panel_url({})
        context["board_url"] = self.board_url(user, scope)
        context["deals_url"] = self.deals_url(user, scope)
        context["sections_url"] = self.part_url(scope, "sections")
        context["more_url"] = self.part_url(scope, "more")
        return context

    def sections(self, user, scope: Scope) -> dict:
        planned, bounds = self.planned(user, scope)
        counts = {
            key: self.count(planned, scope, condition) for key, (condition, _) in bounds.items()
        }
        overdue_when, overdue_order = bounds["overdue"]
        overdue = self.ids(planned, scope, overdue_when, overdue_order, 0, SECTION_LIMIT)
        # Today and the week as one range: an OR of the two would not be read by index.
        now, tomorrow, week_end = self.moments
        coming_when = Q(due_at__gte=now, due_at__lt=week_end)
        coming = self.ids(planned, scope, coming_when, ("due_at", "pk"), 0, SECTION_LIMIT * 2)
        overdue, coming = self.read(user, planned, overdue, coming)
        today = [i for i in coming if i["due_at"] < tomorrow][:SECTION_LIMIT]
        upcoming = [i for i in coming if i["due_at"] >= tomorrow][:SECTION_LIMIT]
        rows_of = ContactRows()
        return {
            "counts": counts,
            "overdue": rows_of(overdue, SECTION_LOOK["overdue"]["when"]),
            "today": rows_of(today, SECTION_LOOK["today"]["when"]),
            "upcoming": rows_of(upcoming, SECTION_LOOK["upcoming"]["when"]),
            "show_responsible": self.show_responsible(scope),
            "looks": SECTION_LOOK,
            "labels": row_labels(),
        }

    def more(self, user, scope: Scope) -> dict:
        """The next rows of one section, after the `offset` already on the page."""
        key = self.request.GET.get("section", "")
        try:
            offset = max(int(self.request.GET.get("offset", "")), 0)
        except ValueError:
            offset = -1
        planned, bounds = self.planned(user, scope)
        if key not in bounds or offset < 0:
            raise Http404(_("No such part of the page."))
        condition, order = bounds[key]
        total = self.count(planned, scope, condition)
        [items] = self.read(
            user,
            planned,
            self.ids(planned, scope, condition, order, offset, offset + SECTION_LIMIT),
        )
        return {
            "look": SECTION_LOOK[key],
            "key": key,
            "items": ContactRows()(items, SECTION_LOOK[key]["when"]),
            "labels": row_labels(),
            "shown": offset + len(items),
            "total": total,
            "show_responsible": self.show_responsible(scope),
            "more_url": self.part_url(scope, "more"),
        }

    def planned(self, user, scope: Scope):
        """The planned contacts the user may see (the scope's employees are picked by the
        caller), and per section its condition and order."""
        now, tomorrow, week_end = self.moments
        planned = Interaction.objects.restrict(user).filter(status=InteractionStatus.PLANNED)
        bounds = {
            "overdue": (Q(due_at__lt=now), ("-due_at", "-pk")),
            "today": (Q(due_at__gte=now, due_at__lt=tomorrow), ("due_at", "pk")),
            "upcoming": (Q(due_at__gte=tomorrow, due_at__lt=week_end), ("due_at", "pk")),
        }
        return planned, bounds

    @staticmethod
    def count(planned, scope: Scope, condition: Q) -> Capped:
        """The scope's contacts meeting `condition`, counted up to the cap."""
        return capped_count(planned.filter(condition, responsible__in=scope.responsible), COUNT_CAP)

    @cached_property
    def moments(self) -> tuple[datetime.datetime, datetime.datetime, datetime.datetime]:
        """Now, the start of tomorrow and the end of the coming week, fixed per request."""
        today = timezone.localdate()
        return (
            timezone.now(),
            day_start(today + datetime.timedelta(days=1)),
            day_start(today + datetime.timedelta(days=8)),
        )

    @staticmethod
    def ids(rows, scope: Scope, condition: Q, order: tuple, start: int, stop: int) -> list[int]:
        """The ids of rows `start:stop` in `order`, sorted from the planned-contacts index
        alone. A team may have a hundred thousand contacts planned in a week, in one index
        range per employee: `merged_firsts` reads each employee's first rows only."""
        return merged_firsts(
            rows.filter(condition), "responsible", scope.responsible, order, start, stop
        )

    @staticmethod
    def read(user, planned, *sections: list[int]) -> list[list[dict]]:
        """The rows of each section's ids, in its order, as values (`ROW_FIELDS`) with
        their persons, deal and whether the user may change them; every section's in one
        read of each. A contact may name a person or deal of another line: only visible
        ones are shown."""
        wanted = [pk for ids in sections for pk in ids]
        if not wanted:
            return [[] for _ in sections]
        found = {
            row["pk"]: row for row in planned.order_by().filter(pk__in=wanted).values(*ROW_FIELDS)
        }
        persons = contact_persons(user, wanted)
        dealt = {row["deal_id"] for row in found.values()} - {None}
        shown = Deal.objects.restrict(user).filter(pk__in=dealt).values(*DEAL_SHOWN)
        deals = {deal["pk"]: deal for deal in shown} if dealt else {}
        writable = line_access(user).line_ids(LineRole.WRITE)
        can_change = user.has_perm("sales.change_interaction")
        for pk, row in found.items():
            row["persons"] = persons[pk]
            row["deal"] = deals.get(row["deal_id"])
            line = row["business_line_id"]
            row["can_change"] = can_change and (writable is None or line in writable)
        return [[found[pk] for pk in ids if pk in found] for ids in sections]

    @staticmethod
    def show_responsible(scope: Scope) -> bool:
        return len(scope.responsible) > 1 or scope.choice != ""

    def team_overdue(self, user, scope: Scope) -> list[dict]:
        """Overdue contacts per employee of the team, most first (each counted up to the
        cap, in one query). Those with none are left out here: filtering on the count in
        the query would count every employee twice."""
        people = {u.pk: u for u in [user, *scope.team]}
        overdue = (
            Interaction.objects.restrict(user)
            .filter(
                status=InteractionStatus.PLANNED,
                due_at__lt=timezone.now(),
                responsible=OuterRef("pk"),
            )
            .order_by()
            .values("pk")[: COUNT_CAP + 1]
        )
        counted = (
            User.objects.filter(pk__in=list(people))
            .annotate(overdue=CountOf(overdue))
            .order_by("-overdue", "pk")
            .values_list("pk", "overdue")
        )
        return [
            {"employee": people[pk], "overdue": Capped(min(number, COUNT_CAP), number > COUNT_CAP)}
            for pk, number in counted
            if number
        ]

    def board_url(self, user, scope: Scope) -> str | None:
        """The kanban of the shown employee's open deals, once the board exists."""
        try:
            url = reverse("sales:deal_board")
        except NoReverseMatch:
            return None
        if scope.choice == "team":
            return url
        return f"{url}?{urlencode({'responsible': scope.choice or user.pk})}"

    def deals_url(self, user, scope: Scope) -> str:
        query = {"open": "true"}
        if scope.choice != "team":
            query["responsible"] = scope.choice or user.pk
        return f"{reverse('sales:deal_list')}?{urlencode(query)}"

    def part_url(self, scope: Scope, part: str) -> str:
        query = {"part": part, **({"employee": scope.choice} if scope.choice else {})}
        return f"{reverse('sales:my_work')}?{urlencode(query)}"
