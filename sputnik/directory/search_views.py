"""The global search page and the header box's live dropdown (DIR-4)."""

from __future__ import annotations

from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import render
from django.views import View

from .blacklist import undesirable_entries
from .search import search
from .validation import display_phone

PAGE_LIMIT = 25
DROPDOWN_LIMIT = 5
DROPDOWN = "search-dropdown"  # id of the header box's dropdown, the htmx target


class SearchView(LoginRequiredMixin, View):
    """`/search/?q=`: organisations and persons, grouped. An htmx request gets only the
    `#results` partial — compact when it fills the header dropdown."""

    template_name = "directory/search.html"

    def get(self, request):
        compact = bool(request.htmx) and request.htmx.target == DROPDOWN
        limit = DROPDOWN_LIMIT if compact else PAGE_LIMIT
        results = search(request.user, request.GET.get("q", ""), limit=limit)
        template = self.template_name
        if request.htmx and not request.htmx.boosted:
            template += "#results"
        context = {
            "results": results,
            "undesirable": undesirable_entries(results.organizations),
            "compact": compact,
            "limit": limit,
            "shown_value": display_phone(results.value)
            if results.kind == "phone" and results.value.startswith("+")
            else results.value,
        }
        return render(request, template, context)
