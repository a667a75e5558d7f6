"""The client dossier (SAL-7) as the directory builds it: the card, the people, the change
history on a keyset-paged timeline merged from every registered source, the print version
and the PDF — and nothing of it for those who may not see the organisation."""

import datetime
import re
import sys
import zlib

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from sputnik.core import extensions
from sputnik.core.extensions import Cursor, Entry, register_panel, register_source, timeline
from sputnik.core.testing import clients_for
from sputnik.directory import services
from sputnik.directory.models import Organization
from sputnik.directory.tests.factories import OrganizationFactory, PersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def seller(make_user, line_a):
    return make_user(lines={line_a: "write"})


@pytest.fixture
def organization(line_a, seller):
    org = OrganizationFactory(
        business_lines=[line_a], short_name="Ромашка", full_name="ООО «Ромашка»", inn="7707083893"
    )
    services.organization_update(
        actor=seller, organization=org, expected_version=org.version, status="client"
    )
    now = PersonFactory(business_lines=[line_a], last_name="Нынешний", first_name="Иван")
    gone = PersonFactory(business_lines=[line_a], last_name="Бывший", first_name="Пётр")
    services.employment_create(
        actor=seller, person=now, organization=org, position="Главный инженер"
    )
    services.employment_create(
        actor=seller,
        person=gone,
        organization=org,
        position="Снабженец",
        ended_on=timezone.localdate() - datetime.timedelta(days=30),
    )
    return Organization.objects.get(pk=org.pk)


def url(org, suffix=""):
    return f"/organizations/{org.pk}/dossier/{suffix}"


def test_the_dossier_shows_the_card_the_people_and_the_change_history(organization, seller):
    page = clients_for(seller)[0]
    card = page.get(f"/organizations/{organization.pk}/").text
    assert f'href="{url(organization)}"' in card  # the card links to its dossier
    shown = page.get(url(organization)).text
    assert "ООО «Ромашка»" in shown and "7707083893" in shown
    assert "Клиент" in shown  # the status, in Russian
    people = shown.split('data-testid="dossier-people"')[1]
    current, former = people.split('data-testid="dossier-former"')
    assert "Нынешний Иван" in current and "Главный инженер" in current
    assert "Бывший Пётр" in former and "Снабженец" in former
    timeline_html = shown.split('data-testid="timeline"')[1]
    assert 'data-kind="history"' in timeline_html
    assert "статус" in timeline_html and "Клиент" in timeline_html  # field label, new value
    assert 'data-testid="composer"' in shown


def test_a_big_clients_dossier_shows_its_first_people_and_links_to_the_rest(
    monkeypatch, organization, seller, line_a
):
    from sputnik.directory import dossier_views

    monkeypatch.setattr(dossier_views, "PEOPLE_SHOWN", 2)
    ended = timezone.localdate() - datetime.timedelta(days=1)
    for name, primary, end in [
        ("Абрамов", False, None),
        ("Яковлев", True, None),  # primary: first whatever the name
        ("Васильев", False, None),
        ("Гришин", False, ended),
        ("Аксёнов", False, ended),
    ]:
        person = PersonFactory(business_lines=[line_a], last_name=name, first_name="Олег")
        services.employment_create(
            actor=seller,
            person=person,
            organization=organization,
            is_primary=primary,
            ended_on=end,
        )
    page = clients_for(seller)[0]
    people = page.get(url(organization)).text.split('data-testid="dossier-people"')[1]
    current, former = people.split('data-testid="dossier-former"')
    shown = re.findall(r'<a href="/persons/\d+/">(\w+) Олег', current)
    assert shown == ["Яковлев", "Абрамов"]  # 2 of the 4 current, in the jobs' order
    assert "Ещё 2 текущих контактных лица" in current  # Нынешний, Васильев
    assert re.findall(r'<a href="/persons/\d+/">(\w+)', former) == ["Аксёнов", "Бывший"]
    assert "Ещё 1 бывшее контактное лицо" in former  # Гришин
    assert f'href="/persons/?organization={organization.pk}&amp;tenure=current"' in current
    assert f'href="/persons/?organization={organization.pk}&amp;tenure=former"' in former

    printed = page.get(url(organization, "print/")).text  # the document lists everyone
    for name in ("Нынешний", "Васильев", "Абрамов", "Яковлев", "Гришин", "Аксёнов", "Бывший"):
        assert name in printed
    assert "Ещё" not in printed


def test_another_lines_user_gets_404_and_anonymous_is_sent_to_sign_in(
    organization, make_user, line_b
):
    outsider = clients_for(make_user(lines={line_b: "write"}))[0]
    anonymous = clients_for(None)[0]
    for suffix in ("", "print/", "pdf/"):
        assert outsider.get(url(organization, suffix)).status_code == 404
        response = anonymous.get(url(organization, suffix))
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def history_entries(organization, count, at):
    """`count` recorded changes of the organisation, one second apart, newest at `at`."""
    kind = ContentType.objects.get_for_model(Organization)
    LogEntry.objects.bulk_create(
        LogEntry(
            content_type=kind,
            object_pk=str(organization.pk),
            object_id=organization.pk,
            object_repr=str(organization),
            action=LogEntry.Action.UPDATE,
            changes={"notes": ["", f"заметка {n}"]},
            timestamp=at - datetime.timedelta(seconds=n),
        )
        for n in range(count)
    )


def test_show_earlier_continues_where_the_page_ended(organization, seller):
    history_entries(organization, 60, timezone.now() - datetime.timedelta(days=1))
    page = clients_for(seller)[0]
    first = timeline(organization, seller)
    assert len(first.entries) == 25 and first.next
    response = page.get(url(organization), {"before": first.next}, headers={"HX-Request": "true"})
    assert response.status_code == 200 and "<html" not in response.text  # the entries only
    second = timeline(organization, seller, before=first.next)
    keys = [e.key for e in first.entries] + [e.key for e in second.entries]
    every = list(
        LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(Organization),
            object_pk=str(organization.pk),
        )
        .order_by("-timestamp", "-id")
        .values_list("id", flat=True)[:50]
    )
    assert keys == every  # no overlap and no gap
    assert f"before={second.next}" in response.text
    assert page.get(url(organization), {"before": "не курсор"}).status_code == 400


class FixedSource:
    """A source giving `count` entries, all at one moment: only kind and key order them."""

    def __init__(self, kind, count, at):
        self.kind, self.label, self.count, self.at = kind, kind, count, at

    def keys(self, record, user, *, before, limit):
        rows = [(self.at, key) for key in range(self.count, 0, -1)]
        if before is not None:
            rows = [
                (at, k)
                for at, k in rows
                if (at, self.kind, k) < (before.at, before.kind, before.key)
            ]
        return rows[:limit]

    def entries(self, record, user, keys):
        return [Entry(self.at, self.kind, key, "", None) for key in keys]


def test_entries_at_the_same_moment_are_paged_by_kind_and_key(monkeypatch, organization, seller):
    monkeypatch.setattr(extensions, "SOURCES", {})
    at = timezone.now().replace(microsecond=123456)
    register_source(Organization, FixedSource("alpha", 7, at))
    register_source(Organization, FixedSource("beta", 6, at))
    seen, before = [], None
    while True:
        page = timeline(organization, seller, before=before, limit=4)
        seen += [(e.kind, e.key) for e in page.entries]
        if page.next is None:
            break
        assert Cursor.parse(page.next).at == at  # the cursor keeps the microseconds
        before = page.next
    expected = [("beta", k) for k in range(6, 0, -1)] + [("alpha", k) for k in range(7, 0, -1)]
    assert seen == expected
    only = timeline(organization, seller, kinds=["alpha"], limit=50)
    assert {e.kind for e in only.entries} == {"alpha"} and only.next is None


def test_only_the_entries_that_make_the_page_are_read_whole(monkeypatch, organization, seller):
    """Every source gives the keys of one page more; the entries are read only for the
    keys the merged page keeps, and a source with none on the page reads nothing more."""
    monkeypatch.setattr(extensions, "SOURCES", {})
    now = timezone.now()
    read: dict[str, list] = {}

    class Recording(FixedSource):
        def entries(self, record, user, keys):
            read.setdefault(self.kind, []).append(list(keys))
            return super().entries(record, user, keys)

    register_source(Organization, Recording("newer", 30, now))
    register_source(Organization, Recording("older", 30, now - datetime.timedelta(days=1)))
    page = timeline(organization, seller, limit=25)
    assert [e.key for e in page.entries] == list(range(30, 5, -1)) and page.next
    assert read == {"newer": [list(range(30, 5, -1))]}  # "older" read nothing whole


def test_the_lists_panel_loads_after_the_dossier_and_is_printed_in_place(
    organization, seller, line_a
):
    from sputnik.directory.services import segment_add, segment_create

    segment = segment_create(
        actor=seller, name="Обзвон весной", kind="organizations", business_lines=[line_a]
    )
    segment_add(actor=seller, segment=segment, records=[organization])
    page = clients_for(seller)[0]
    shown = page.get(url(organization)).text
    assert "Обзвон весной" not in shown
    lazy = f'hx-get="/organizations/{organization.pk}/lists/?stacked=1"'
    assert lazy in shown and 'data-testid="segments-loading"' in shown
    panel = page.get(f"/organizations/{organization.pk}/lists/?stacked=1").text
    assert "Обзвон весной" in panel and '<div class="card"><div class="card-body"' in panel
    assert '<div class="card mt-3">' in page.get(f"/organizations/{organization.pk}/lists/").text
    printed = page.get(url(organization, "print/")).text
    assert "Обзвон весной" in printed and "segments-loading" not in printed


def test_the_kind_filter_and_registered_panels(monkeypatch, organization, seller):
    monkeypatch.setattr(extensions, "PANELS", {})
    register_panel(
        Organization,
        "composer",
        extensions.Panel("directory/dossier_panel_lists.html", lambda request, record: None),
    )
    register_panel(
        "directory.Organization",
        "related",
        extensions.Panel(
            "directory/dossier_panel_lists.html",
            lambda request, record: {"lists": [], "segment_form": None},
        ),
    )
    page = clients_for(seller)[0]
    shown = page.get(url(organization)).text
    assert 'data-testid="segments-loading"' in shown  # the related panel, loaded after
    composer = shown.split('data-testid="composer"')[1].split("</div>")[0]
    assert "segments" not in composer  # a panel whose context is None is hidden
    assert 'name="kind" value="history"' in shown
    none_chosen = page.get(url(organization), {"filter": "1"}, headers={"HX-Request": "true"})
    assert 'data-kind="history"' not in none_chosen.text
    assert 'data-testid="timeline-empty"' in none_chosen.text
    chosen = page.get(
        url(organization), {"filter": "1", "kind": "history"}, headers={"HX-Request": "true"}
    )
    assert 'data-kind="history"' in chosen.text


def test_the_print_version_is_a_document(organization, seller):
    history_entries(organization, 210, timezone.now() - datetime.timedelta(days=1))
    shown = clients_for(seller)[0].get(url(organization, "print/")).text
    assert "<h1>Ромашка</h1>" in shown and "<title>" in shown
    assert 'class="navbar' not in shown  # no navigation
    assert "Нынешний Иван" in shown and "Бывший Пётр" in shown
    assert shown.count('<li data-kind="history"') == 200
    assert 'data-testid="print-truncated"' in shown


def inflate(pdf: bytes) -> bytes:
    """The PDF with its compressed streams unpacked (WeasyPrint packs even the objects)."""
    streams = re.findall(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S)
    return pdf + b"".join(zlib.decompress(stream) for stream in streams)


def test_the_pdf_is_a_download_with_cyrillic_fonts(organization, seller):
    response = clients_for(seller)[0].get(url(organization, "pdf/"))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    inflated = inflate(response.content)
    assert b"DejaVu" in inflated  # the Cyrillic font is embedded
    assert "Ромашка".encode("utf-16-be").hex().encode() in inflated  # the heading's text
    disposition = response["Content-Disposition"]
    assert disposition.startswith(f'attachment; filename="dossier-{organization.pk}.pdf"')
    assert "filename*=UTF-8''" in disposition and "%D1%80%D0%BE%D0%BC" in disposition


def test_without_weasyprint_the_pdf_answers_a_clear_page(monkeypatch, organization, seller):
    monkeypatch.setitem(sys.modules, "weasyprint", None)  # importing it fails
    response = clients_for(seller)[0].get(url(organization, "pdf/"))
    assert response.status_code == 503
    assert 'data-testid="pdf-unavailable"' in response.text and "Pango" in response.text
