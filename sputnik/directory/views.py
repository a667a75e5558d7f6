"""Pages of the directory: organisation and person lists, cards and forms."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from sputnik.core import links
from sputnik.core.extensions import panels
from sputnik.core.models import brief, listed
from sputnik.core.views import (
    ObjectCreateView,
    ObjectDetailView,
    ObjectListView,
    ObjectUpdateView,
    RestrictedMixin,
)

from . import services
from .attributes import attach
from .blacklist import is_undesirable, undesirable_entries
from .duplicates import similar_organizations, similar_persons
from .filters import OrganizationFilter, PersonFilter
from .forms import (
    AddressForm,
    ContactForm,
    EmploymentForm,
    NewContactPersonForm,
    OrganizationForm,
    PersonForm,
    SegmentAddForm,
)
from .models import (
    AttributeTarget,
    ContactKind,
    ContactPoint,
    Employment,
    Organization,
    Person,
    SegmentKind,
)
from .segments import segments_of
from .templatetags.directory import custom_cells, phone, status_badge, undesirable_badge


class UserFormMixin:
    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}


# Organisations ----------------------------------------------------------------------


class OrganizationListFlagsMixin:
    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["undesirable"] = undesirable_entries(context["object_list"])
        return context


class SelectionMixin:
    """Rows can be ticked and added to one of the user's static lists of this kind."""

    segment_kind = ""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = SegmentAddForm(user=self.request.user, kind=self.segment_kind)
        context["selection_form"] = form
        segments = form.fields["segment"].queryset
        # The page draws the select (read its rows once); the table alone only asks.
        table_only = self.request.htmx and not self.request.htmx.boosted
        context["selectable"] = segments.exists() if table_only else bool(segments)
        return context


class CustomColumnsMixin:
    """Columns for the custom attributes administrators chose to show in the list."""

    attribute_target = ""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        filterset = self.built_filterset()  # if the list is filtered (else not needed)
        if getattr(filterset, "attribute_target", None) != self.attribute_target:
            filterset = None  # its definitions are another kind's
        context["custom_columns"] = attach(
            context["object_list"],
            self.attribute_target,
            self.request.user,
            only_in_list=True,
            known=getattr(filterset, "attribute_definitions", None),
        )
        return context


class OrganizationListView(
    OrganizationListFlagsMixin, SelectionMixin, CustomColumnsMixin, ObjectListView
):
    model = Organization
    segment_kind = SegmentKind.ORGANIZATIONS
    attribute_target = AttributeTarget.ORGANIZATION
    filterset_class = OrganizationFilter
    template_name = "directory/organization_list.html"

    def restricted_queryset(self):
        rows = super().restricted_queryset().select_related("industry")
        return brief(rows, "responsible").prefetch_related(listed("categories"))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["rows"] = organization_list_rows(context["object_list"], context["undesirable"])
        return context


def organization_list_rows(organizations, undesirable: dict) -> list[dict]:
    """What the list shows of each organisation, as text and finished cells: the
    template engine reaches into a model an order of magnitude slower than into a dict
    (see the board's `card()`), and a page has fifty rows of ten cells."""
    url = links.record_urls("directory:organization_detail")
    return [
        {
            "pk": org.pk,
            "name": org.short_name,
            "url": url(org.pk),
            "undesirable": undesirable_badge(undesirable.get(org.pk)),
            "legal_form": org.get_legal_form_display() if org.legal_form else "",
            "inn": org.inn,
            "status": status_badge(org),
            "categories": [str(category) for category in org.listed_categories],
            "industry": str(org.industry) if org.industry_id else "",
            "responsible": org.responsible.short_name if org.responsible_id else "",
            "custom": custom_cells(org),
        }
        for org in organizations
    ]


class OrganizationCardMixin:
    """The organisation with all its card shows (key fields, contacts, addresses) loaded
    up front: the card and the dossier render it at a fixed number of queries."""

    model = Organization

    def restricted_queryset(self):
        return (
            super()
            .restricted_queryset()
            .select_related("industry", "parent", "responsible")
            .prefetch_related("categories", "business_lines", "contacts", "addresses")
        )


PEOPLE_SHOWN = 25  # contact persons of each tenure a card shows; the rest in the persons list


def first_people(jobs, organization: Organization, limit: int) -> dict:
    """The first `limit` current and former jobs of `jobs`, how many more of each there
    are and the links to all of them: the organisation's current or former contact
    persons in the persons list. A big client has hundreds of contact persons; drawing
    them is what costs (~60 µs a job, its phone formatted), not reading them in the one
    query of `by_tenure` — which per tenure in SQL (a window) cost ~3 ms more to build
    than it saved for a usual client."""
    current, former = jobs.by_tenure()
    people = reverse("directory:person_list")
    return {
        "current": current[:limit],
        "former": former[:limit],
        "current_more": max(len(current) - limit, 0),
        "former_more": max(len(former) - limit, 0),
        "former_total": len(former),
        "current_url": f"{people}?organization={organization.pk}&tenure=current",
        "former_url": f"{people}?organization={organization.pk}&tenure=former",
    }


class OrganizationDetailView(OrganizationCardMixin, ObjectDetailView):
    """The organisation card: details on the left, people in the middle, history right."""

    template_name = "directory/organization_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        organization, user = self.object, self.request.user
        employments = Employment.objects.restrict(user).filter(organization=organization)
        context.update(
            first_people(employments.select_related("person"), organization, PEOPLE_SHOWN)
        )
        context["branches"] = Organization.objects.restrict(user).filter(parent=organization)
        context["undesirable"] = is_undesirable(organization=organization)
        context["composer_panels"] = panels(self.request, organization, "composer")
        context["card_panels"] = panels(self.request, organization, "card")
        attach([organization], AttributeTarget.ORGANIZATION, user)
        context["can_edit"] = (
            Organization.objects.restrict(user, "change").filter(pk=organization.pk).exists()
        )
        if context["can_edit"]:
            context["person_form"] = NewContactPersonForm(user=user)
            context["contact_form"] = ContactForm()
            context["address_form"] = AddressForm()
        return context


def duplicate_message(error: services.DuplicateOrganization, user) -> str:
    """A link to the organisation that holds the INN, if the user may open it."""
    existing = error.existing
    if not Organization.objects.restrict(user).filter(pk=existing.pk).exists():
        return _(
            "An organisation with this INN is already in the base, in a business line you "
            "do not work in. Ask its responsible employee or an administrator to add your line."
        )
    return format_html(
        '{} <a href="{}">{}</a>',
        _("An organisation with this INN already exists:"),
        existing.get_absolute_url(),
        existing.short_name,
    )


class OrganizationWriteMixin(UserFormMixin):
    model = Organization
    form_class = OrganizationForm
    template_name = "directory/organization_form.html"

    def perform(self, form):
        try:
            return self.write(form)
        except services.DuplicateOrganization as error:
            raise ValidationError({"inn": duplicate_message(error, self.request.user)}) from error


class ConfirmSimilarMixin:
    """Before a new record is saved, records that may be the same one are shown and the
    author confirms that this one is different (DIR-5)."""

    def similar(self, form) -> list[tuple[object, str]]:
        """(record, why it looks the same) pairs."""
        raise NotImplementedError

    def cautions(self, form) -> dict:
        """What the author must confirm before saving, for the page to show."""
        if self.request.POST.get("confirm_different"):
            return {}
        similar = self.similar(form)
        return {"similar": similar} if similar else {}

    def form_valid(self, form):
        if cautions := self.cautions(form):
            return self.render_to_response(self.get_context_data(form=form, **cautions))
        return super().form_valid(form)


class OrganizationCreateView(ConfirmSimilarMixin, OrganizationWriteMixin, ObjectCreateView):
    success_message = gettext_lazy("Organisation “%(object)s” created.")

    def similar(self, form):
        data = form.cleaned_data
        found = similar_organizations(
            self.request.user, data["short_name"], data.get("inn", ""), same_inn=False
        )
        return [(org, f"{_('INN')} {org.inn}" if org.inn else "") for org, _why in found]

    def cautions(self, form):
        """An INN in the undesirable registry is warned about (DIR-6), with the reason."""
        cautions = super().cautions(form)
        confirmed = self.request.POST.get("confirm_undesirable")
        if not confirmed and (entry := is_undesirable(inn=form.cleaned_data.get("inn", ""))):
            cautions["registered"] = entry
        return cautions

    def write(self, form):
        data = dict(form.cleaned_data)
        data.pop("version", None)
        return services.organization_create(actor=self.request.user, **data)


class OrganizationUpdateView(OrganizationWriteMixin, ObjectUpdateView):
    success_message = gettext_lazy("Organisation “%(object)s” saved.")

    def write(self, form):
        return services.organization_update(
            actor=self.request.user,
            organization=self.object,
            expected_version=form.cleaned_data["version"],
            **form.changes(),
        )


class ContactsView(RestrictedMixin, View):
    """Add or remove a record's phones, e-mails and messengers — and an organisation's
    addresses — in place (htmx panel of the card)."""

    action = "change"
    with_addresses = False

    def post(self, request, pk):
        record = get_object_or_404(self.restricted_queryset(), pk=pk)
        error = ""
        try:
            with transaction.atomic():
                self._apply(request, record)
        except ValidationError as failure:
            error = " ".join(failure.messages)
        if request.htmx:
            address = request.POST.get("form") == "address"
            keep = request.POST if error else None  # what was typed stays after an error
            context = {
                "object": record,
                "can_edit": True,
                "contacts_url": request.path,
                "with_addresses": self.with_addresses,
                "contacts_error": error,
                "contacts_open": bool(error),
                "contact_form": ContactForm(None if address else keep),
                "address_form": AddressForm(keep if address else None),
            }
            return render(request, "directory/contacts_panel.html", context)
        if error:
            messages.error(request, error)
        return redirect(record.get_absolute_url())

    def _apply(self, request, record) -> None:
        user, owner = request.user, {self.model._meta.model_name: record}
        if remove := request.POST.get("remove"):
            contact = get_object_or_404(ContactPoint, pk=remove, **owner)
            services.contact_remove(actor=user, contact=contact)
        elif self.with_addresses and request.POST.get("form") == "address":
            form = AddressForm(request.POST)
            if not form.is_valid():
                raise ValidationError(form.errors.as_text())
            services.address_save(actor=user, organization=record, **form.cleaned_data)
        else:
            form = ContactForm(request.POST)
            if not form.is_valid():
                raise ValidationError(form.errors.as_text())
            services.contact_add(actor=user, **owner, **form.cleaned_data)


class OrganizationContactsView(ContactsView):
    model = Organization
    with_addresses = True


class PersonContactsView(ContactsView):
    model = Person


class EmploymentCreateView(RestrictedMixin, View):
    """Add a contact person to an organisation from its card."""

    model = Organization
    action = "change"

    def post(self, request, pk):
        organization = get_object_or_404(self.restricted_queryset(), pk=pk)
        form = NewContactPersonForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                with transaction.atomic():
                    self._create(request.user, organization, form.cleaned_data)
            except ValidationError as error:
                form.add_error(None, error)
        if form.errors:
            return render(
                request,
                "directory/organization_detail.html#people",
                {**self._people(organization), "person_form": form, "can_edit": True},
                status=200,
            )
        if request.htmx:
            context = {
                **self._people(organization),
                "can_edit": True,
                "person_form": NewContactPersonForm(user=request.user),
                "people_notice": _("Contact person added."),
            }
            return render(request, "directory/organization_detail.html#people", context)
        return redirect(organization.get_absolute_url())

    def _create(self, user, organization, data) -> Employment:
        person = data.pop("person")
        names = {k: data.pop(k) for k in ("last_name", "first_name", "patronymic")}
        data.pop("version", None)
        if person is None:
            person = services.person_create(
                actor=user, business_lines=organization.business_lines.all(), **names
            )
        return services.employment_create(
            actor=user, person=person, organization=organization, **data
        )

    def _people(self, organization):
        employments = (
            Employment.objects.restrict(self.request.user)
            .filter(organization=organization)
            .select_related("person")
        )
        return {"object": organization, **first_people(employments, organization, PEOPLE_SHOWN)}


# Persons ----------------------------------------------------------------------------


class PersonListView(SelectionMixin, CustomColumnsMixin, ObjectListView):
    model = Person
    segment_kind = SegmentKind.PERSONS
    attribute_target = AttributeTarget.PERSON
    filterset_class = PersonFilter
    template_name = "directory/person_list.html"

    def restricted_queryset(self):
        # Only the jobs in organisations the user may see: the others must not leak.
        current = (
            Employment.objects.restrict(self.request.user).current().select_related("organization")
        )

        return (
            super()
            .restricted_queryset()
            .prefetch_related(
                Prefetch("employments", queryset=current, to_attr="current_jobs"),
                listed("contacts"),
            )
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        jobs = [job for person in context["object_list"] for job in person.current_jobs]
        context["undesirable"] = undesirable_entries(job.organization for job in jobs)
        context["rows"] = person_list_rows(context["object_list"], context["undesirable"])
        return context


PHONE_KINDS = (ContactKind.PHONE, ContactKind.FAX)  # shown as phone numbers


def person_list_rows(persons, undesirable: dict) -> list[dict]:
    """What the list shows of each person (see `organization_list_rows`): their current jobs
    and every phone and e-mail, the jobs' first."""
    url = links.record_urls("directory:person_detail")
    organization_url = links.record_urls("directory:organization_detail")
    rows = []
    for person in persons:
        jobs = person.current_jobs
        contacts = [
            line for job in jobs for line in (phone(job.work_phone), job.work_email) if line
        ]
        contacts += [
            phone(contact.value) if contact.kind in PHONE_KINDS else contact.value
            for contact in person.listed_contacts
        ]
        rows.append(
            {
                "pk": person.pk,
                "name": person.full_name,
                "url": url(person.pk),
                "do_not_contact": person.do_not_contact,
                "jobs": [
                    {
                        "organization": job.organization.short_name,
                        "url": organization_url(job.organization_id),
                        "undesirable": undesirable_badge(undesirable.get(job.organization_id)),
                        "position": job.position,
                    }
                    for job in jobs
                ],
                "contacts": contacts,
                "custom": custom_cells(person),
            }
        )
    return rows


class RecordListsView(ObjectDetailView):
    """The lists a record is in, and adding it to one: the card and the dossier load this
    panel after themselves, as checking the criteria of each dynamic list is the costliest
    part of them (`?stacked=1`: for a column of panels)."""

    template_name = "directory/segment_panel.html"
    kind = ""

    def get_context_data(self, **kwargs):
        user = self.request.user
        return {
            "object": self.object,
            "kind": self.kind,
            "stacked": self.request.GET.get("stacked") == "1",
            "lists": segments_of(user, self.object),
            "segment_form": SegmentAddForm(user=user, kind=self.kind),
        }


class OrganizationListsView(RecordListsView):
    model = Organization
    kind = SegmentKind.ORGANIZATIONS


class PersonListsView(RecordListsView):
    model = Person
    kind = SegmentKind.PERSONS


class PersonDetailView(ObjectDetailView):
    model = Person
    template_name = "directory/person_detail.html"

    def restricted_queryset(self):
        return super().restricted_queryset().prefetch_related("business_lines", "contacts")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        person, user = self.object, self.request.user
        jobs = (
            Employment.objects.restrict(user).filter(person=person).select_related("organization")
        )
        context["current"], context["former"] = jobs.by_tenure()
        everywhere = [*context["current"], *context["former"]]
        context["undesirable"] = undesirable_entries(job.organization for job in everywhere)
        attach([person], AttributeTarget.PERSON, user)
        context["can_edit"] = Person.objects.restrict(user, "change").filter(pk=person.pk).exists()
        if context["can_edit"]:
            context["contact_form"] = ContactForm()
        return context


class PersonCreateView(ConfirmSimilarMixin, UserFormMixin, ObjectCreateView):
    model = Person
    form_class = PersonForm
    template_name = "directory/person_form.html"
    success_message = gettext_lazy("%(object)s added.")

    def similar(self, form):
        data = form.cleaned_data
        found = similar_persons(
            self.request.user,
            last_name=data["last_name"],
            first_name=data["first_name"],
            patronymic=data["patronymic"],
            emails=[data["email"]],
            phones=[data["phone"]],
        )
        return [(person, ", ".join(reasons)) for person, reasons in found]

    def perform(self, form):
        data = dict(form.cleaned_data)
        data.pop("version", None)
        typed = {ContactKind.EMAIL: data.pop("email"), ContactKind.PHONE: data.pop("phone")}
        contacts = [{"kind": kind, "value": value} for kind, value in typed.items() if value]
        return services.person_create(actor=self.request.user, contacts=contacts, **data)


class PersonUpdateView(UserFormMixin, ObjectUpdateView):
    model = Person
    form_class = PersonForm
    template_name = "directory/person_form.html"
    success_message = gettext_lazy("%(object)s saved.")

    def perform(self, form):
        return services.person_update(
            actor=self.request.user,
            person=self.object,
            expected_version=form.cleaned_data["version"],
            **form.changes(),
        )


class EmploymentUpdateView(ObjectUpdateView):
    """Change a job or end it (the person then shows as a former contact)."""

    model = Employment
    form_class = EmploymentForm
    template_name = "directory/employment_form.html"
    success_message = gettext_lazy("Employment saved.")

    def restricted_queryset(self):
        return super().restricted_queryset().select_related("person", "organization")

    def get_success_url(self):
        return self.object.organization.get_absolute_url()

    def perform(self, form):
        return services.employment_update(
            actor=self.request.user,
            employment=self.object,
            expected_version=form.cleaned_data["version"],
            **form.changes(),
        )
