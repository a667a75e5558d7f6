"""My work in a real browser: a call logged by keyboard moves its deal and proposes the
meeting, one click plans it; a planned contact is done in its row; screenshots of the page
with demo-like data."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from sputnik.access.models import RoleCode
from sputnik.directory import services as directory_services
from sputnik.directory.tests.factories import OrganizationFactory, PersonFactory
from sputnik.sales import services
from sputnik.sales.models import Interaction, InteractionResult
from sputnik.sales.tests.helpers import new_deal
from sputnik.sales.work_views import SECTION_LIMIT

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_call_logged_by_keyboard_moves_the_deal_and_the_proposed_meeting_is_planned(
    signed_in, live_server, seller, deal, contact_person, meeting_agreed
):
    page = signed_in(seller)
    page.get_by_test_id("home-my-work").get_by_role("link").click()
    page.wait_for_url("**/work/")
    expect(page.get_by_test_id("section-upcoming")).not_to_contain_text("Альфа")

    page.keyboard.press("c")  # the quick form, set to a call, the notes focused
    quick = page.get_by_test_id("quick-log-form")
    expect(quick.locator("input[name=kind][value=call]")).to_be_checked()
    expect(quick.locator("textarea[name=notes]")).to_be_focused()
    quick.locator("input[name=organization_text]").press_sequentially("Альф")
    expect(quick.locator("[data-lookup-pk]").first).to_contain_text("Альфа")
    quick.locator("input[name=organization_text]").press("Enter")  # the first found
    deal_choice = quick.locator("select[name=deal]")
    expect(deal_choice).to_be_visible()  # the organisation's open deals, once it is chosen
    expect(quick.locator("textarea[name=notes]")).to_be_focused()
    deal_choice.select_option(label="Лицензии · Первый звонок")
    quick.get_by_label("Иванов Пётр").check()
    quick.locator("select[name=result]").select_option(label="Договорились о встрече")
    notes = quick.locator("textarea[name=notes]")
    notes.focus()
    page.keyboard.type("Готовы к встрече во вторник")
    page.keyboard.press("Control+Enter")

    expect(page.get_by_test_id("deal-moved")).to_contain_text("Встреча")
    proposal = page.get_by_test_id("next-contact-form")
    expect(proposal.locator("input[name=kind][value=meeting]")).to_be_checked()
    expect(proposal.get_by_label("Иванов Пётр")).to_be_checked()
    proposal.get_by_test_id("plan-button").click()

    expect(page.get_by_test_id("planned")).to_be_visible()
    expect(page.get_by_test_id("quick-log-form")).to_be_visible()  # ready for the next one
    upcoming = page.get_by_test_id("section-upcoming")
    expect(upcoming).to_contain_text("Альфа")
    expect(upcoming).to_contain_text("Лицензии")
    call = Interaction.objects.get(status="done")
    assert (call.kind, call.result, call.notes) == (
        "call",
        meeting_agreed,
        "Готовы к встрече во вторник",
    )
    meeting = Interaction.objects.get(status="planned")
    assert (meeting.kind, meeting.deal, meeting.responsible) == ("meeting", deal, seller)
    assert meeting.due_at.date() > timezone.now().date()
    deal.refresh_from_db()
    assert deal.stage.name == "Встреча"


def test_keys_open_an_empty_quick_log_place_on_any_page(signed_in, live_server, seller, deal):
    """A record page (the dossier) only marks where the form goes; `m` plans a meeting."""
    page = signed_in(seller)
    url = f"/interactions/quick/?organization={deal.organization.pk}"
    page.evaluate(
        "url => { const box = document.createElement('div');"
        " box.dataset.quickLog = url; document.getElementById('main').prepend(box); }",
        url,
    )
    page.keyboard.press("m")
    quick = page.get_by_test_id("quick-log-form")
    expect(quick.locator("input[name=kind][value=meeting]")).to_be_checked()
    expect(quick.get_by_test_id("plan-switch")).to_be_checked()
    expect(quick.locator("textarea[name=notes]")).to_be_focused()
    expect(quick).to_contain_text("Альфа")  # fixed: no organisation to choose
    page.keyboard.type("Показать новую версию")
    page.keyboard.press("Control+Enter")
    expect(page.get_by_test_id("planned")).to_be_visible()
    meeting = Interaction.objects.get()
    assert (meeting.status, meeting.kind, meeting.notes) == (
        "planned",
        "meeting",
        "Показать новую версию",
    )
    assert meeting.organization == deal.organization


def test_a_planned_call_is_done_in_its_row_and_the_next_meeting_planned(
    signed_in, live_server, seller, deal, meeting_agreed
):
    services.interaction_plan(
        actor=seller,
        kind="call",
        organization=deal.organization,
        deal=deal,
        business_line=deal.business_line,
        due_at=timezone.now() - datetime.timedelta(hours=2),
        subject="Первый звонок Альфе",
    )
    page = signed_in(seller)
    expect(page.get_by_test_id("overdue-badge")).to_contain_text("1")
    page.goto(f"{live_server.url}/work/")
    row = page.get_by_test_id("section-overdue").get_by_test_id("contact")
    expect(row).to_contain_text("Первый звонок Альфе")
    row.get_by_test_id("done-button").click()
    result = row.locator("select[name=result]")
    expect(result).to_be_focused()
    result.select_option(label="Договорились о встрече")
    row.locator("textarea[name=notes]").fill("Встречаемся у них")
    row.locator("textarea[name=notes]").press("Control+Enter")

    done = page.get_by_test_id("contact-done")
    expect(done.get_by_test_id("deal-moved")).to_contain_text("Встреча")
    done.get_by_test_id("plan-button").click()
    expect(page.get_by_test_id("work-notice")).to_be_visible()
    expect(page.get_by_test_id("section-overdue")).not_to_contain_text("Первый звонок Альфе")
    expect(page.get_by_test_id("section-upcoming")).to_contain_text("Альфа")
    assert Interaction.objects.filter(status="planned", kind="meeting", deal=deal).exists()
    assert Interaction.objects.get(kind="call").status == "done"


def demo_work(seller, colleague, line, pipeline):
    """A salesperson's week: overdue, today's and coming contacts with deals and people."""
    InteractionResult.objects.create(name="Не ответил", kind="call", next_kind="call")
    InteractionResult.objects.create(name="Перезвонить позже", kind="call")
    names = ["ООО «Альфа-Софт»", "АО «Северный ветер»", "ИП Кузнецов А. В.", "ООО «Техноград»"]
    names += ["ПАО «Уралмаш-Сервис»", "ООО «Зелёная линия»"]
    people = ["Смирнова Ольга", "Кузнецов Андрей", "Волков Игорь", "Морозова Елена"]
    subjects = ["Уточнить бюджет", "Демонстрация системы", "Согласовать договор", "", "Счёт"]
    now = timezone.localtime()
    for number, name in enumerate(names):
        organization = OrganizationFactory(business_lines=[line], short_name=name)
        last, first = people[number % len(people)].split()
        person = PersonFactory(business_lines=[line], last_name=last, first_name=first)
        directory_services.employment_create(actor=None, person=person, organization=organization)
        deal = new_deal(pipeline, organization, line, f"Лицензии {number + 1}", responsible=seller)
        moments = [now + datetime.timedelta(days=number % 5 + 1, hours=number - 2)]
        if number < 3:
            moments.append(now - datetime.timedelta(days=number, hours=3))  # overdue
        if number % 2:
            moments.append(now + datetime.timedelta(minutes=20 * number))  # later today
        for moment in moments:
            services.interaction_plan(
                actor=seller,
                kind=["call", "meeting", "email"][(number + moment.day) % 3],
                organization=organization,
                persons=[person],
                deal=deal if number % 3 else None,
                business_line=line,
                due_at=moment,
                subject=subjects[(number + moment.day) % len(subjects)],
            )
    services.interaction_plan(
        actor=colleague,
        kind="call",
        organization=organization,
        business_line=line,
        due_at=now - datetime.timedelta(days=1),
        subject="Звонок коллеги",
    )


def test_a_long_section_shows_more_rows_in_place(signed_in, live_server, seller, deal):
    for number in range(SECTION_LIMIT + 3):
        services.interaction_plan(
            actor=seller,
            kind="call",
            organization=deal.organization,
            business_line=deal.business_line,
            due_at=timezone.now() - datetime.timedelta(days=number + 1),
            subject=f"Звонок №{number}",
        )
    page = signed_in(seller)
    page.goto(f"{live_server.url}/work/")
    overdue = page.get_by_test_id("section-overdue")
    expect(overdue.get_by_test_id("contact")).to_have_count(SECTION_LIMIT)
    overdue.get_by_test_id("show-more").click()
    expect(overdue.get_by_test_id("contact")).to_have_count(SECTION_LIMIT + 3)
    expect(overdue.get_by_test_id("contact").last).to_contain_text(f"Звонок №{SECTION_LIMIT + 2}")
    expect(overdue.get_by_test_id("show-more")).to_have_count(0)
    # A row fetched by "show more" works like the others.
    overdue.get_by_test_id("contact").last.get_by_test_id("done-button").click()
    expect(overdue.get_by_test_id("contact").last.locator("form")).to_be_visible()


@pytest.mark.parametrize("language", ["ru", "en"])
def test_screenshots_of_my_work(signed_in, live_server, make_user, line_a, pipeline, language):
    seller = make_user(lines={line_a: "write"}, last_name="Продавцова", first_name="Анна")
    colleague = make_user(lines={line_a: "write"}, last_name="Коллегин", first_name="Олег")
    head = make_user(RoleCode.HEAD_OF_SALES, lines={line_a: "manage"}, last_name="Начальникова")
    demo_work(seller, colleague, line_a, pipeline)
    page = signed_in(seller, language=language)
    page.goto(f"{live_server.url}/work/")
    expect(page.get_by_test_id("section-overdue").get_by_test_id("contact").first).to_be_visible()
    page.get_by_test_id("contact").first.get_by_test_id("done-button").click()
    expect(page.get_by_test_id("complete-form")).to_be_visible()
    page.screenshot(path=f"/tmp/work-{language}.png", full_page=True)

    team = signed_in(head, language=language)
    team.goto(f"{live_server.url}/work/?employee=team")
    expect(team.get_by_test_id("team-overdue")).to_contain_text("Продавцова")
    team.screenshot(path=f"/tmp/work-team-{language}.png", full_page=True)
