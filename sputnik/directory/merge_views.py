"""The merge wizard: pick the duplicate, choose field by field, confirm (DIR-5).

The record whose page it is stays; the other is merged into it and deleted. Staying needs
the right to change it, going the right to delete the other."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views import View

from sputnik.core.audit import acting_as
from sputnik.core.exceptions import StaleEdit
from sputnik.core.merge import count_links
from sputnik.core.views import RestrictedMixin, redirect_response

from . import services
from .duplicates import similar_organizations, similar_persons
from .merge import differences, may_merge
from .models import ContactKind, Organization, Person
from .search import search

LIMIT = 10  # candidates offered


class MergeView(RestrictedMixin, View):
    action = "change"
    template_name = "directory/merge.html"

    merge_service = None

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not may_merge(request.user, self.model):
            raise PermissionDenied(_("Your role does not allow merging records."))
        return super().dispatch(request, *args, **kwargs)

    def deletable(self):
        return self.model._default_manager.restrict(self.request.user, "delete")

    def get(self, request, pk):
        kept = get_object_or_404(self.restricted_queryset(), pk=pk)
        if "with" not in request.GET:
            return render(request, self.template_name, self.pick_context(kept))
        other = get_object_or_404(
            self.deletable().exclude(pk=kept.pk), pk=_int(request.GET["with"])
        )
        return render(request, self.template_name, self.compare_context(kept, other))

    def post(self, request, pk):
        kept = get_object_or_404(self.restricted_queryset(), pk=pk)
        other = get_object_or_404(
            self.deletable().exclude(pk=kept.pk), pk=_int(request.POST.get("with"))
        )
        choices = {
            name.removeprefix("choice_"): value
            for name, value in request.POST.items()
            if name.startswith("choice_")
        }
        versions = (_int(request.POST.get("kept_version")), _int(request.POST.get("other_version")))
        name = str(other)
        try:
            with acting_as(request.user, request):
                kept = self.merge_service(
                    actor=request.user,
                    kept=kept,
                    other=other,
                    take=[field for field, value in choices.items() if value == "other"],
                    decided=list(choices),
                    versions=versions,
                )
        except StaleEdit as error:
            context = self.compare_context(kept, other, error=error.message)
            return render(request, self.template_name, context, status=409)
        except ValidationError as error:
            context = self.compare_context(kept, other, error=" ".join(error.messages))
            return render(request, self.template_name, context, status=400)
        messages.success(request, _("“%(name)s” was merged into this record.") % {"name": name})
        return redirect_response(request, kept.get_absolute_url())

    def pick_context(self, kept) -> dict:
        query = self.request.GET.get("q", "").strip()
        found = self.found(kept, query)
        allowed = set(
            self.deletable().filter(pk__in=[r.pk for r, _ in found]).values_list("pk", flat=True)
        )
        return {
            "kept": kept,
            "query": query,
            "candidates": [(r, why) for r, why in found if r.pk in allowed and r.pk != kept.pk],
        }

    def compare_context(self, kept, other, error: str = "") -> dict:
        rows = differences(kept, other, self.request.user)
        for row in rows:
            row.choice = "other" if not row.kept and row.other else "kept"
            if self.request.method == "POST":
                row.choice = self.request.POST.get(f"choice_{row.name}", row.choice)
        return {
            "kept": kept,
            "other": other,
            "rows": rows,
            "moving": count_links(other),
            "error": error,
        }


class OrganizationMergeView(MergeView):
    model = Organization
    merge_service = staticmethod(services.organization_merge)

    def found(self, kept, query):
        user = self.request.user
        if query:
            return [(org, _("found")) for org in search(user, query, limit=LIMIT).organizations]
        found = similar_organizations(user, kept.short_name, kept.inn, exclude=kept.pk)
        return [(org, ", ".join(reasons)) for org, reasons in found]


class PersonMergeView(MergeView):
    model = Person
    merge_service = staticmethod(services.person_merge)

    def found(self, kept, query):
        user = self.request.user
        if query:
            return [(person, _("found")) for person in search(user, query, limit=LIMIT).persons]
        contacts = list(kept.contacts.values_list("kind", "value"))
        found = similar_persons(
            user,
            last_name=kept.last_name,
            first_name=kept.first_name,
            patronymic=kept.patronymic,
            emails=[v for k, v in contacts if k == ContactKind.EMAIL],
            phones=[v for k, v in contacts if k == ContactKind.PHONE],
            exclude=kept.pk,
            limit=LIMIT,
        )
        return [(person, ", ".join(reasons)) for person, reasons in found]


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
