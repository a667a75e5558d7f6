"""What sales adds to the client dossier (SAL-7): contacts and stage changes on the
timeline, open deals and the next contact on the right — each restricted by business
line, and an organisation with thousands of contacts costing no more queries than one with
ten."""

import datetime
import html
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from playwright.sync_api import expect

from sputnik.core.extensions import timeline
from sputnik.core.testing import assert_constant_queries, clients_for
from sputnik.directory.tests.factories import OrganizationFactory, PersonFactory
from sputnik.sales import services
from sputnik.sales.models import Interaction, InteractionResult, LossReason
from sputnik.sales.tests.helpers import new_deal, stage

pytestmark = pytest.mark.django_db


@pytest.fixture
def consultant(make_user, line_b):
    return make_user(lines={line_b: "write"}, last_name="Консультантов")


@pytest.fixture
def shared(line_a, line_b):
    """An organisation both business lines work with."""
    return OrganizationFactory(business_lines=[line_a, line_b], short_name="Общая")


def dossier(user, org, **params):
    return clients_for(user)[0].get(f"/organizations/{org.pk}/dossier/", params)


def entries_of(html, kind):
    return re.findall(rf'data-testid="{kind}-(\d+)"', html)


def entry_with(html, text):
    """The timeline entry (list item) that contains `text`."""
    timeline_html = html.split('data-testid="timeline"')[1]
    return next(item for item in timeline_html.split("<li ") if text in item)


@pytest.fixture
def story(pipeline, shared, seller, line_a):
    """A deal moved once, a call with a result on it, an overdue meeting, a closed deal."""
    person = PersonFactory(business_lines=[line_a], last_name="Клиентов", first_name="Олег")
    deal = new_deal(
        pipeline, shared, line_a, "Лицензии", actor=seller, amount=150000, responsible=seller
    )
    deal = services.deal_move(actor=seller, deal=deal, stage=stage(pipeline, "Встреча"))
    closed = new_deal(pipeline, shared, line_a, "Старый проект", actor=seller)
    services.deal_move(
        actor=seller,
        deal=closed,
        stage=stage(pipeline, "Отказ"),
        reason="Выбрали другого",
        loss_reason=LossReason.objects.create(name="Дорого"),
    )
    done = InteractionResult.objects.create(name="Договорились о встрече")
    services.interaction_log(
        actor=seller,
        kind="call",
        organization=shared,
        deal=deal,
        business_line=line_a,
        persons=[person],
        result=done,
        subject="Обсудили лицензии",
        notes="Перезвонить после праздников",
        happened_at=timezone.now() - datetime.timedelta(days=2),
    )
    services.interaction_plan(
        actor=seller,
        kind="meeting",
        organization=shared,
        business_line=line_a,
        subject="Презентация",
        due_at=timezone.now() - datetime.timedelta(hours=3),
    )
    return deal


def test_the_dossier_shows_deals_contacts_and_stage_changes(story, shared, seller):
    shown = dossier(seller, shared).text
    deals = shown.split('data-testid="open-deals"')[1].split("</ul>")[0]
    assert "Лицензии" in deals and "Встреча" in deals and "Старый проект" not in deals
    assert re.search(r"150\s000 ₽", deals)  # the amount in Russian format
    assert "Продавцова А." in deals  # the responsible
    nearest = shown.split('data-testid="next-contact"')[1].split("</div></div>")[0]
    assert "Презентация" in nearest and "text-danger" in nearest  # overdue, in red
    assert len(entries_of(shown, "interaction")) == 2
    assert len(entries_of(shown, "stage-change")) == 4  # two deals opened, two moves
    call = entry_with(shown, "Обсудили лицензии")
    assert "Договорились о встрече" in call and "Клиентов О." in call and "Лицензии" in call
    assert "Перезвонить после праздников" in call and "Продавцова А." in call
    meeting = entry_with(shown, "Презентация")
    assert "text-bg-danger" in meeting and "text-danger" in meeting  # overdue, in red
    assert "Выбрали другого" in entry_with(shown, "Старый проект")  # the lost deal's move and why
    assert 'data-kind="history"' in shown


def test_the_timeline_filters_by_kind(story, shared, seller):
    client = clients_for(seller)[0]
    url = f"/organizations/{shared.pk}/dossier/"
    stages = client.get(url, {"filter": "1", "kind": "stage"}, headers={"HX-Request": "true"})
    assert entries_of(stages.text, "stage-change") and not entries_of(stages.text, "interaction")
    assert 'data-kind="history"' not in stages.text
    both = client.get(url, {"filter": "1", "kind": ["stage", "interaction"]}).text
    assert entries_of(both, "stage-change") and entries_of(both, "interaction")
    assert 'value="history" id="kind-history" autocomplete="off">' in both  # left unticked


def test_each_line_sees_only_its_own_contacts_and_deals(
    story, shared, seller, consultant, line_b, pipeline, make_user, line_a
):
    new_deal(pipeline, shared, line_b, "Аудит", actor=consultant)
    services.interaction_log(
        actor=consultant,
        kind="email",
        organization=shared,
        deal=story,  # another line's deal: the contact shows, the deal's name does not
        business_line=line_b,
        subject="Письмо консультанта",
    )
    for_consultant = dossier(consultant, shared).text
    assert "Письмо консультанта" in for_consultant and "Аудит" in for_consultant
    for secret in ("Обсудили лицензии", "Презентация", "Лицензии", "Старый проект"):
        assert secret not in for_consultant
    for_seller = dossier(seller, shared).text
    assert "Письмо консультанта" not in for_seller and "Аудит" not in for_seller
    print_version = clients_for(consultant)[0].get(f"/organizations/{shared.pk}/dossier/print/")
    assert "Презентация" not in print_version.text and "Письмо консультанта" in print_version.text
    other = OrganizationFactory(business_lines=[line_a], short_name="Только А")
    assert dossier(consultant, other).status_code == 404


def contacts(org, user, line, count, *, start):
    """`count` done calls, three to a minute (equal moments are ordered by id)."""
    rows = []
    for n in range(start, start + count):
        moment = timezone.now() - datetime.timedelta(minutes=n // 3 + 1)
        rows.append(
            Interaction(
                kind="call",
                organization=org,
                business_line=line,
                responsible=user,
                subject=f"Звонок {n}",
                happened_at=moment,
                occurred_at=moment,
            )
        )
    rows = Interaction.objects.bulk_create(rows)
    person = PersonFactory(business_lines=[line])
    Interaction.persons.through.objects.bulk_create(
        Interaction.persons.through(interaction_id=row.pk, person_id=person.pk) for row in rows
    )


def test_thousands_of_contacts_cost_no_more_queries_and_page_without_gaps(
    story, shared, seller, line_a
):
    contacts(shared, seller, line_a, 10, start=0)
    url = f"/organizations/{shared.pk}/dossier/"
    client = clients_for(seller)[0]
    assert_constant_queries(client, url, lambda: contacts(shared, seller, line_a, 4990, start=10))
    assert Interaction.objects.filter(organization=shared).count() == 5002
    first = client.get(url, {"filter": "1", "kind": "interaction"}).text
    more = re.search(r'data-testid="timeline-more"', first)
    next_page = re.search(r'hx-get="(\?[^"]+)"[^>]*data-testid="timeline-more"', first)
    assert more and next_page
    second = client.get(url + html.unescape(next_page[1]), headers={"HX-Request": "true"}).text
    shown = entries_of(first, "interaction") + entries_of(second, "interaction")
    newest = Interaction.objects.filter(organization=shared).order_by("-occurred_at", "-id")
    assert [int(pk) for pk in shown] == list(newest.values_list("pk", flat=True)[:50])


def test_a_deep_page_costs_the_same_queries_as_the_first(story, shared, seller, line_a):
    contacts(shared, seller, line_a, 2000, start=0)
    pages, cursor = [], None
    for _ in range(60):
        with CaptureQueriesContext(connection) as queries:
            page = timeline(shared, seller, before=cursor)
        pages.append(len(queries))
        cursor = page.next
    assert len(page.entries) == 25 and page.next  # 1,500 entries deep, more remain
    assert pages[1:] == [pages[1]] * 59  # (the first one also reads the line roles)


def test_anonymous_is_refused(shared):
    response = clients_for(None)[0].get(f"/organizations/{shared.pk}/dossier/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_in_the_browser_earlier_entries_append_and_kinds_toggle(
    signed_in, live_server, story, shared, seller, line_a
):
    contacts(shared, seller, line_a, 60, start=0)
    page = signed_in(seller)
    page.goto(f"{live_server.url}/organizations/{shared.pk}/dossier/")
    entries = page.locator("[data-testid=timeline] > li[data-kind]")
    expect(entries).to_have_count(25)
    page.get_by_test_id("timeline-more").click()
    expect(entries).to_have_count(50)
    expect(page.get_by_test_id("open-deals")).to_contain_text("Лицензии")
    page.locator("label[for=kind-interaction]").click()  # hide the contacts
    expect(page.locator("[data-testid=timeline] > li[data-kind=interaction]")).to_have_count(0)
    expect(page.locator("[data-testid=timeline] > li[data-kind=stage]")).to_have_count(4)
    assert "kind=stage" in page.url  # the filter is in the address, a reload keeps it
    page.reload()
    expect(page.locator("#kind-interaction")).not_to_be_checked()


def test_the_organisation_card_and_dossier_offer_the_quick_contact_form(
    story, shared, seller, consultant, make_user, line_a
):
    page = clients_for(seller)[0].get(f"/organizations/{shared.pk}/").content.decode()
    assert 'data-testid="composer-panel"' in page
    assert f"/interactions/quick/?organization={shared.pk}" in page
    assert 'data-testid="next-contact"' in page and "Лицензии" in page  # open deal on the card
    assert 'data-testid="composer-panel"' in dossier(seller, shared).content.decode()

    # Someone who may only read sales sees the deals but gets no form.
    reader = make_user("director", lines={line_a: "read"})
    page = clients_for(reader)[0].get(f"/organizations/{shared.pk}/").content.decode()
    assert 'data-testid="composer-panel"' not in page and "Лицензии" in page
    # Another line's salesperson sees neither this line's deals nor its next contact.
    page = clients_for(consultant)[0].get(f"/organizations/{shared.pk}/").content.decode()
    assert "Лицензии" not in page


def test_the_right_column_reloads_alone_and_follows_new_contacts(
    story, shared, seller, consultant, line_a
):
    page = clients_for(seller)[0]
    card_html = page.get(f"/organizations/{shared.pk}/").text
    assert f"/organizations/{shared.pk}/panels/card/" in card_html  # reloads after a contact
    assert f"/organizations/{shared.pk}/panels/related/" in dossier(seller, shared).text

    services.interaction_plan(
        actor=seller,
        kind="call",
        organization=shared,
        business_line=line_a,
        subject="Срочный звонок",
        due_at=timezone.now() - datetime.timedelta(days=1),
    )
    for slot in ("card", "related"):
        panels = page.get(f"/organizations/{shared.pk}/panels/{slot}/")
        assert panels.status_code == 200
        nearest = panels.text.split('data-testid="next-contact"')[1]
        assert "Срочный звонок" in nearest and "Лицензии" in panels.text
        assert "<nav" not in panels.text  # the panels alone
    lists = f'hx-get="/organizations/{shared.pk}/lists/?stacked=1"'
    assert lists in page.get(f"/organizations/{shared.pk}/panels/related/").text
    assert page.get(f"/organizations/{shared.pk}/panels/composer/").status_code == 404
    other = clients_for(consultant)[0].get(f"/organizations/{shared.pk}/panels/card/")
    assert "Срочный звонок" not in other.text and "Лицензии" not in other.text
    hidden = OrganizationFactory(business_lines=[consultant.line_memberships.get().line])
    assert page.get(f"/organizations/{hidden.pk}/panels/card/").status_code == 404


def test_the_open_deals_panel_lists_ten_and_links_the_rest(pipeline, shared, seller, line_a):
    for number in range(12):
        new_deal(pipeline, shared, line_a, f"Сделка {number:02}", actor=seller)
    panel = clients_for(seller)[0].get(f"/organizations/{shared.pk}/panels/card/").text
    deals = panel.split('data-testid="open-deals"')[1]
    assert deals.count("/deals/") - deals.count("/deals/?") == 10
    assert f"/deals/?organization={shared.pk}&amp;open=true" in deals
    listed = clients_for(seller)[0].get(f"/deals/?organization={shared.pk}&open=true").text
    assert all(f"Сделка {number:02}" in listed for number in range(12))
    assert '<select name="organization"' not in listed  # never a select of every organisation
