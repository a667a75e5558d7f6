"""Choosing an organisation or a person on a form by typing part of the name, INN, phone or
e-mail: a text box that asks `/lookup/<kind>/` as you type and a hidden field that keeps the
chosen id. A select listing every record would not fit a page at a million records."""

from __future__ import annotations

from django import forms
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views import View

from .models import Organization, Person
from .search import search

LIMIT = 8
KINDS = {"organizations": Organization, "persons": Person}


class RecordLookup(forms.Widget):
    """The widget of a ModelChoiceField over organisations or persons."""

    template_name = "directory/lookup_widget.html"

    def __init__(self, kind: str, attrs=None):
        super().__init__(attrs)
        self.kind = kind

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        record = None
        if value not in (None, ""):
            record = KINDS[self.kind]._default_manager.filter(pk=value).first()
        context["widget"].update(
            {
                "url": reverse("directory:lookup", args=[self.kind]) + f"?name={name}",
                "label": str(record) if record else "",
                "placeholder": _("Type a name, INN, phone or e-mail"),
            }
        )
        return context


def lookup_field(field: forms.ModelChoiceField, kind: str) -> forms.ModelChoiceField:
    """Give a model choice field the type-to-find widget (its choices are never listed)."""
    field.widget = RecordLookup(kind)
    return field


class LookupView(LoginRequiredMixin, View):
    """The records matching what is typed, among those the user may see."""

    def get(self, request, kind):
        if kind not in KINDS:
            raise Http404
        name = request.GET.get("name", "")
        query = request.GET.get(f"{name}_text", "").strip()
        found = search(request.user, query, limit=LIMIT) if len(query) >= 2 else None
        records = getattr(found, kind, []) if found else []
        context = {"records": records, "query": query, "kind": kind}
        return render(request, "directory/lookup_results.html", context)
