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

    def __init__(self, kind: str, visible=None, attrs=None):
        super().__init__(attrs)
        self.kind, self.visible = kind, visible

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        label = ""
        if value not in (None, ""):
            # Named only if the user may see it (a stored reference may point elsewhere).
            visible = self.visible if self.visible is not None else self.choices.queryset
            record = visible.filter(pk=value).first() if str(value).isdigit() else None
            label = str(record) if record else _("#%(id)s (not visible to you)") % {"id": value}
        context["widget"].update(
            {
                "url": reverse("directory:lookup", args=[self.kind]) + f"?name={name}",
                "label": label,
                "placeholder": _("Type a name, INN, phone or e-mail"),
            }
        )
        return context


def lookup_field(field: forms.ModelChoiceField, kind: str, visible=None):
    """Give a model choice field the type-to-find widget (its choices are never listed);
    `visible` are the records the widget may name, by default the field's queryset."""
    field.widget = RecordLookup(kind, visible)
    field.widget.choices = field.choices
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
