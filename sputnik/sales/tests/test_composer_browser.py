"""The "Log a contact" composer on the organisation card and the dossier, in a real
browser: a key opens the quick form in place, a result moves the deal and proposes the next
contact, one click plans it, the dossier's timeline shows the new entry on top — all
without reloading the page; someone who may only read sales gets no composer. Screenshots
of a well-filled organisation's card and dossier."""

import datetime

import pytest
from auditlog.models import LogEntry
from django.utils import timezone
from playwright.sync_api import expect

from sputnik.directory import services as directory_services
from sputnik.directory.models import Category, Industry
from sputnik.directory.tests.factories import OrganizationFactory, PersonFactory
from sputnik.sales import services
from sputnik.sales.models import Interaction, InteractionResult, LossReason, StageChange
from sputnik.sales.tests.helpers import new_deal, stage

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Set on `window` before acting: still there afterwards means the page was not reloaded.
MARK = "window.spStillHere = true"
STILL_HERE = "window.spStillHere === true"


def test_on_the_card_c_logs_a_call_that_moves_the_deal_and_plans_the_meeting(
    signed_in, live_server, seller, deal, contact_person, meeting_agreed
):
    page = signed_in(seller)
    page.goto(f"{live_server.url}/organizations/{deal.organization.pk}/")
    expect(page.get_by_test_id("composer-panel")).to_be_visible()
    page.evaluate(MARK)

    page.keyboard.press("c")
    quick = page.get_by_test_id("quick-log-form")
    expect(quick.locator("input[name=kind][value=call]")).to_be_checked()
    expect(quick.locator("textarea[name=notes]")).to_be_focused()
    expect(quick).to_contain_text("Альфа")  # the card's organisation, nothing to choose
    page.keyboard.type("Готовы к встрече во вторник")
    quick.locator("select[name=deal]").select_option(label="Лицензии · Первый звонок")
    quick.get_by_label("Иванов Пётр").check()
    quick.locator("select[name=result]").select_option(label="Договорились о встрече")
    quick.locator("textarea[name=notes]").press("Control+Enter")

    box = page.locator("#quick-log-box")
    expect(box.locator(".alert-success")).to_contain_text("Договорились о встрече")
    expect(box.get_by_test_id("deal-moved")).to_contain_text("Встреча")
    proposal = box.get_by_test_id("next-contact-form")
    expect(proposal.locator("input[name=kind][value=meeting]")).to_be_checked()
    expect(proposal.get_by_label("Иванов Пётр")).to_be_checked()
    proposal.get_by_test_id("plan-button").click()

    expect(box.get_by_test_id("planned")).to_be_visible()
    expect(box.get_by_test_id("quick-log-form")).to_be_visible()  # ready for the next one
    assert page.evaluate(STILL_HERE)
    call = Interaction.objects.get(status="done")
    assert (call.kind, call.result, call.deal, call.notes) == (
        "call",
        meeting_agreed,
        deal,
        "Готовы к встрече во вторник",
    )
    meeting = Interaction.objects.get(status="planned")
    assert (meeting.kind, meeting.deal, meeting.responsible) == ("meeting", deal, seller)
    assert [p.last_name for p in meeting.persons.all()] == ["Иванов"]
    deal.refresh_from_db()
    assert deal.stage.name == "Встреча"


def test_on_the_dossier_n_adds_a_note_on_top_of_the_timeline(
    signed_in, live_server, seller, deal, meeting_agreed
):
    services.interaction_log(
        actor=seller,
        kind="call",
        organization=deal.organization,
        deal=deal,
        business_line=deal.business_line,
        subject="Знакомство",
        happened_at=timezone.now() - datetime.timedelta(days=3),
    )
    # The card was made and the deal opened days ago too: the quick form's "when" counts
    # in whole minutes, so the note must not share its minute with them.
    long_ago = timezone.now() - datetime.timedelta(days=4)
    StageChange.objects.update(at=long_ago)
    LogEntry.objects.update(timestamp=long_ago)
    page = signed_in(seller)
    page.goto(f"{live_server.url}/organizations/{deal.organization.pk}/dossier/")
    entries = page.locator("[data-testid=timeline] > li[data-kind]")
    expect(page.get_by_test_id("timeline")).to_contain_text("Знакомство")
    lists = page.get_by_test_id("related-panels").get_by_test_id("segments")
    expect(lists).to_contain_text("Списки")  # loaded after the page
    before = entries.count()
    page.evaluate(MARK)

    page.keyboard.press("n")
    quick = page.get_by_test_id("quick-log-form")
    expect(quick.locator("input[name=kind][value=other]")).to_be_checked()
    expect(quick.locator("textarea[name=notes]")).to_be_focused()
    page.keyboard.type("Директор уходит в отпуск до конца месяца")
    page.keyboard.press("Control+Enter")

    expect(page.locator("#quick-log-box .alert-success")).to_be_visible()
    expect(entries.first).to_contain_text("Директор уходит в отпуск до конца месяца")
    expect(entries).to_have_count(before + 1)  # the rest stays below
    assert page.evaluate(STILL_HERE)
    note = Interaction.objects.get(kind="other")
    assert (note.status, note.organization, note.responsible) == (
        "done",
        deal.organization,
        seller,
    )
    assert entries.first.get_by_test_id(f"interaction-{note.pk}").is_visible()
    expect(lists).to_be_visible()  # the right column reloaded, lists panel again


def test_who_may_only_read_sales_gets_no_composer_and_c_does_nothing(
    signed_in, live_server, make_user, line_a, deal
):
    reader = make_user("director", lines={line_a: "read"})
    page = signed_in(reader)
    for address in ("", "dossier/"):
        url = f"{live_server.url}/organizations/{deal.organization.pk}/{address}"
        page.goto(url)
        expect(page.get_by_test_id("open-deals")).to_contain_text("Лицензии")
        expect(page.get_by_test_id("composer-panel")).to_have_count(0)
        page.keyboard.press("c")
        page.wait_for_load_state("networkidle")
        expect(page.get_by_test_id("quick-log")).to_have_count(0)
        assert page.url == url
    assert not Interaction.objects.exists()


def well_filled(seller, line, pipeline):
    """An organisation as it looks after a year of work: a full card, contact persons,
    deals in several stages, contacts done and planned (one overdue)."""
    industry = directory_services.reference_save(
        actor=None, item=Industry(), name="Банки и финансы"
    )
    client = directory_services.reference_save(actor=None, item=Category(), name="Клиент")
    organization = OrganizationFactory(
        business_lines=[line],
        short_name="Сбербанк",
        full_name="ПАО «Сбербанк России»",
        legal_form="pao",
        inn="7707083893",
        kpp="773601001",
        ogrn="1027700132195",
        website="https://www.sberbank.ru",
        status="client",
        industry=industry,
        categories=[client],
        responsible=seller,
        notes="Ключевой клиент. Закупки через тендерную площадку.",
        contacts=[{"kind": "phone", "value": "+7 495 500-55-50"}],
    )
    directory_services.address_save(
        actor=None, organization=organization, kind="legal", city="Москва", street="Вавилова, 19"
    )
    people = []
    for last, first, middle, position in [
        ("Смирнова", "Ольга", "Викторовна", "Директор по ИТ"),
        ("Кузнецов", "Андрей", "Павлович", "Руководитель отдела закупок"),
        ("Волков", "Игорь", "Сергеевич", "Ведущий инженер"),
    ]:
        person = PersonFactory(
            business_lines=[line], last_name=last, first_name=first, patronymic=middle
        )
        directory_services.employment_create(
            actor=None,
            person=person,
            organization=organization,
            position=position,
            work_phone="+7 495 500-55-51",
            work_email=f"{len(people)}@sberbank.ru",
            is_primary=not people,
        )
        people.append(person)
    done = InteractionResult.objects.create(name="Договорились о встрече", kind="call")
    now = timezone.now()
    deals = []
    for name, target, amount in [
        ("Лицензии 2026", "Встреча", 1_250_000),
        ("Внедрение CRM в филиалах", "Предложение", 4_800_000),
        ("Техподдержка", "Первый звонок", None),
    ]:
        item = new_deal(
            pipeline,
            organization,
            line,
            name,
            actor=seller,
            responsible=seller,
            amount=amount,
            expected_close=(now + datetime.timedelta(days=45)).date(),
        )
        if target != "Первый звонок":
            item = services.deal_move(actor=seller, deal=item, stage=stage(pipeline, target))
        deals.append(item)
    lost = new_deal(pipeline, organization, line, "Обучение персонала", actor=seller)
    services.deal_move(
        actor=seller,
        deal=lost,
        stage=stage(pipeline, "Отказ"),
        loss_reason=LossReason.objects.create(name="Нет бюджета"),
    )
    for days, kind, subject, person, notes in [
        (2, "call", "Обсудили лицензии", 0, "Ждут предложение до пятницы"),
        (9, "meeting", "Демонстрация системы", 1, "Понравился модуль отчётов"),
        (20, "email", "Коммерческое предложение", 1, ""),
    ]:
        services.interaction_log(
            actor=seller,
            kind=kind,
            organization=organization,
            deal=deals[days % 2],
            business_line=line,
            persons=[people[person]],
            result=done if kind == "call" else None,
            subject=subject,
            notes=notes,
            happened_at=now - datetime.timedelta(days=days),
            duration_minutes=30,
        )
    for hours, kind, subject in [(-5, "call", "Уточнить бюджет"), (50, "meeting", "Договор")]:
        services.interaction_plan(
            actor=seller,
            kind=kind,
            organization=organization,
            deal=deals[0],
            business_line=line,
            persons=[people[0]],
            subject=subject,
            due_at=now + datetime.timedelta(hours=hours),
        )
    return organization


def test_screenshots_of_the_card_and_the_dossier(signed_in, live_server, seller, line_a, pipeline):
    organization = well_filled(seller, line_a, pipeline)
    page = signed_in(seller)
    page.goto(f"{live_server.url}/organizations/{organization.pk}/")
    expect(page.get_by_test_id("open-deals")).to_contain_text("Лицензии 2026")
    page.screenshot(path="/tmp/composer-card-ru.png")
    page.screenshot(path="/tmp/composer-card-ru-full.png", full_page=True)
    page.keyboard.press("c")
    expect(page.get_by_test_id("quick-log-form")).to_be_visible()
    page.screenshot(path="/tmp/composer-card-form-ru.png", full_page=True)

    page.goto(f"{live_server.url}/organizations/{organization.pk}/dossier/")
    expect(page.get_by_test_id("timeline")).to_contain_text("Обсудили лицензии")
    page.screenshot(path="/tmp/composer-dossier-ru.png")
    page.screenshot(path="/tmp/composer-dossier-ru-full.png", full_page=True)
    page.keyboard.press("n")
    expect(page.get_by_test_id("quick-log-form")).to_be_visible()
    page.screenshot(path="/tmp/composer-dossier-form-ru.png", full_page=True)
