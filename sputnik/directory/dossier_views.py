"""The client dossier (SAL-7): one page per organisation — its card, its people, and what
other apps add through the extension point (timeline sources and panels) — with a print
version and a PDF of that print version."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

from django.core.exceptions import BadRequest
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import formats, timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from sputnik.core import links
from sputnik.core.extensions import Page, panels, sources, timeline
from sputnik.core.models import brief
from sputnik.core.views import ObjectDetailView

from .attributes import attach
from .blacklist import is_undesirable
from .forms import AddressForm, ContactForm
from .models import AttributeTarget, Employment, Organization
from .templatetags.directory import phone
from .views import PEOPLE_SHOWN, OrganizationCardMixin, first_people

PAGE = 25  # timeline entries per page on screen
PRINTED = 200  # the latest entries the print version and the PDF carry
# Debian's fonts-dejavu-core: Cyrillic glyphs for the PDF, whatever the server's locale.
FONTS = Path("/usr/share/fonts/truetype/dejavu")


class PdfUnavailable(Exception):
    """WeasyPrint or its system libraries (Pango) cannot be loaded on this server."""


class DossierMixin(OrganizationCardMixin):
    """The organisation (restricted for the viewer: others get 404) and its dossier."""

    def chosen_kinds(self) -> list[str] | None:
        """The kinds the filter asks for; None when the timeline is not filtered."""
        if "filter" not in self.request.GET:
            return None
        known = {source.kind for source in sources(Organization)}
        return [kind for kind in self.request.GET.getlist("kind") if kind in known]

    def timeline_page(self, limit: int) -> Page:
        kinds = self.chosen_kinds()
        if kinds == []:
            return Page(entries=[], next=None)
        try:
            return timeline(
                self.object,
                self.request.user,
                kinds=kinds,
                before=self.request.GET.get("before"),
                limit=limit,
            )
        except ValueError as error:
            raise BadRequest(_("This page of the timeline does not exist.")) from error

    def dossier_context(self, people_shown: int | None = None) -> dict:
        """The card's extras, the people (the first `people_shown` current and former
        ones, with a link to the rest; None: all of them) and the related panels."""
        organization, user = self.object, self.request.user
        attach([organization], AttributeTarget.ORGANIZATION, user)
        jobs = brief(Employment.objects.restrict(user).filter(organization=organization), "person")
        if people_shown is None:
            (current, former), shown = jobs.by_tenure(), {}
        else:
            shown = first_people(jobs, organization, people_shown)
            current, former = shown["current"], shown["former"]
        return {
            **shown,
            "current": job_rows(current),
            "former": job_rows(former),
            "undesirable": is_undesirable(organization=organization),
            "related_panels": panels(self.request, organization, "related"),
        }


def job_rows(jobs: list[Employment]) -> list[dict]:
    """What the dossier shows of each contact person's job, as text (a big client has
    hundreds: the template engine reaches into a model an order of magnitude slower than
    into a dict, see the board's `card()`)."""
    url = links.record_urls("directory:person_detail")
    return [
        {
            "url": url(job.person_id),
            "name": job.person.full_name,
            "is_primary": job.is_primary,
            "position": job.position,
            "department": job.department,
            "role": job.get_decision_role_display() if job.decision_role else "",
            "work_phone": job.work_phone,
            "phone": phone(job.work_phone),
            "work_email": job.work_email,
            "ended_on": formats.date_format(job.ended_on, "SHORT_DATE_FORMAT")
            if job.ended_on
            else "",
        }
        for job in jobs
    ]


class OrganizationDossierView(DossierMixin, ObjectDetailView):
    """Three columns: the card, the timeline (composer on top), related things. htmx
    requests (the kind filter, "show earlier") get the timeline's entries only."""

    template_name = "directory/dossier.html"

    def get_template_names(self):
        if self.request.htmx and not self.request.htmx.boosted:
            return [f"{self.template_name}#timeline"]
        return [self.template_name]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["page"] = self.timeline_page(PAGE)
        context["chosen"] = self.chosen_kinds()
        if self.request.htmx and not self.request.htmx.boosted:
            return context
        organization, user = self.object, self.request.user
        context.update(self.dossier_context(people_shown=PEOPLE_SHOWN))
        context["kinds"] = [(source.kind, source.label) for source in sources(Organization)]
        context["composer_panels"] = panels(self.request, organization, "composer")
        context["can_edit"] = (
            Organization.objects.restrict(user, "change").filter(pk=organization.pk).exists()
        )
        if context["can_edit"]:
            context["contact_form"] = ContactForm()
            context["address_form"] = AddressForm()
        return context


class OrganizationDossierPrintView(DossierMixin, ObjectDetailView):
    """The dossier as a document: a header, sections, the latest entries of the timeline."""

    template_name = "directory/dossier_print.html"
    pdf = False

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(self.dossier_context())
        context["page"] = self.timeline_page(PRINTED)
        context["printed_at"] = timezone.now()
        context["pdf"] = self.pdf
        context["font_url"] = FONTS.as_uri()
        return context


class OrganizationDossierPdfView(OrganizationDossierPrintView):
    """The print version rendered to PDF by WeasyPrint, as a download."""

    pdf = True

    def render_to_response(self, context, **kwargs):
        html = render_to_string(self.template_name, context, request=self.request)
        try:
            document = pdf_from_html(html)
        except PdfUnavailable:
            return render(
                self.request,
                "directory/dossier_pdf_unavailable.html",
                {"object": self.object},
                status=503,
            )
        response = HttpResponse(document, content_type="application/pdf")
        response["Content-Disposition"] = attachment(self.object)
        return response


def attachment(organization: Organization) -> str:
    """A Content-Disposition naming the file after the organisation: an ASCII name for
    old clients, the readable one (Cyrillic kept) in `filename*`."""
    readable = slugify(organization.short_name, allow_unicode=True) or str(organization.pk)
    name = f"{slugify(_('dossier'), allow_unicode=True)}-{readable}.pdf"
    return f"attachment; filename=\"dossier-{organization.pk}.pdf\"; filename*=UTF-8''{quote(name)}"


def pdf_from_html(html: str) -> bytes:
    """The PDF of `html`; nothing but the DejaVu fonts is fetched while rendering."""
    try:
        import weasyprint
    except (ImportError, OSError) as error:  # OSError: Pango's libraries are missing
        raise PdfUnavailable from error

    class FontsOnly(weasyprint.URLFetcher):
        def fetch(self, url, headers=None):
            if not url.startswith(f"{FONTS.as_uri()}/"):
                raise ValueError(f"Not fetched while printing a dossier: {url}")
            return super().fetch(url, headers)

    return weasyprint.HTML(string=html, url_fetcher=FontsOnly()).write_pdf()


class OrganizationPanelsView(OrganizationCardMixin, ObjectDetailView):
    """One slot of panels of the organisation, alone: the card and the dossier reload
    their right column with it after a contact is logged."""

    template_name = "core/panels.html"
    SLOTS = {"card", "related"}

    def get(self, request, *args, **kwargs):
        if kwargs["slot"] not in self.SLOTS:
            raise Http404
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        shown = panels(self.request, self.object, self.kwargs["slot"])
        return {"object": self.object, "shown_panels": shown}
