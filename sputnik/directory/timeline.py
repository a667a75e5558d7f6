"""What the directory puts on an organisation's dossier through the extension point: the
changes of its fields on the timeline, and the lists it is in on the right."""

from __future__ import annotations

from functools import partial

from django.utils.translation import gettext_lazy as _

from sputnik.access.audit import describe, history_of
from sputnik.core.extensions import Panel, QuerySetSource, register_panel, register_source

from .forms import SegmentAddForm
from .models import SegmentKind
from .segments import segments_of


class ChangeHistorySource(QuerySetSource):
    """The organisation's recorded changes (and those of records merged into it), each
    with its fields in the reader's words — the same entries its card's history shows."""

    kind = "history"
    label = _("Changes")
    template = "directory/dossier_entry_history.html"
    at_field = "timestamp"

    def rows(self, record, user):
        # Seen by whoever sees the organisation, as on its card.
        return history_of(record)

    def prepare(self, rows, user):
        return describe(rows)


def lists_panel(request, organization) -> dict:
    # The lists are read only where the template shows them in place (the printed
    # dossier); on screen the panel loads them after the page.
    return {
        "lists": partial(segments_of, request.user, organization),
        "segment_form": SegmentAddForm(user=request.user, kind=SegmentKind.ORGANIZATIONS),
    }


def register() -> None:
    register_source("directory.Organization", ChangeHistorySource())
    register_panel(
        "directory.Organization",
        "related",
        Panel("directory/dossier_panel_lists.html", lists_panel, order=90),
    )
