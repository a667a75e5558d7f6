"""My work and quick contact logging (SAL-1, SAL-4, SAL-8): a call is logged in a few
fields, its result moves the deal and proposes the next contact, one click plans it;
"my work" shows the user's overdue, today's and coming contacts (with an absentee's during
a substitution), a head of sales the team's, never another business line's."""

import datetime
import json
import re

import pytest
from django.utils import timezone

from sputnik.access.models import RoleCode, Substitution
from sputnik.core.testing import assert_constant_queries, clients_for
from sputnik.directory import services as directory_services
from sputnik.directory.tests.factories import OrganizationFactory, PersonFactory
from sputnik.sales import context_processors, services, work_views
from sputnik.sales.models import Deal, Interaction, InteractionResult
from sputnik.sales.templatetags.sales import KIND_ICONS
from sputnik.sales.tests.helpers import new_deal
from sputnik.sales.work_views import SECTION_LIMIT

pytestmark = pytest.mark.django_db

QUICK = "/interactions/quick/"
HTMX = {"HX-Request": "true"}
# A Wednesday noon in Moscow: "today" has a morning behind it and an afternoon ahead.
NOON = datetime.datetime(2026, 11, 25, 9, 0, tzinfo=datetime.UTC)


@pytest.fixture
def no_answer():
    return InteractionResult.objects.create(name="Не ответил", kind="call")


@pytest.fixture
def offer_asked():
    return InteractionResult.objects.create(name="Попросили предложение", kind="meeting")


@pytest.fixture
def noon(monkeypatch):
    """Time stands at NOON for the test."""
    monkeypatch.setattr(timezone, "now", lambda: NOON)
    return NOON


def local(days=0, hour=12, minute=0) -> datetime.datetime:
    day = timezone.localtime(NOON).date() + datetime.timedelta(days=days)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def plan(actor, organization, line, due_at, *, responsible=None, subject="", **values):
    return services.interaction_plan(
        actor=actor,
        kind=values.pop("kind", "call"),
        organization=organization,
        business_line=line,
        due_at=due_at,
        responsible=responsible or actor,
        subject=subject,
        **values,
    )


def marked(text: str, name: str) -> str:
    """The text of the element marked data-testid=name (the first one)."""
    match = re.search(rf'data-testid="{name}"[^>]*>(.*?)</(?:div|span|a)>', text, re.S)
    assert match, name
    return re.sub(r"<[^>]+>", "", match.group(1)).strip()


def field_value(text: str, name: str) -> str:
    match = re.search(rf'name="{name}" value="([^"]*)"', text)
    return match.group(1) if match else ""


# Quick logging ----------------------------------------------------------------------------


def test_a_call_is_logged_with_its_result(seller, client_org, contact_person, no_answer, line_a):
    page = clients_for(seller)[0]
    form = page.get(QUICK, {"organization": client_org.pk}, headers=HTMX).text
    assert 'data-testid="quick-log-form"' in form and "Иванов" in form
    assert 'value="call" class="btn-check" id="quick_kind_0" required checked' in form
    answer = page.post(
        f"{QUICK}?organization={client_org.pk}",
        {
            "kind": "call",
            "direction": "out",
            "organization": client_org.pk,
            "persons": [contact_person.pk],
            "result": no_answer.pk,
            "notes": "Секретарь просила перезвонить",
        },
        headers=HTMX,
    )
    assert answer.status_code == 200
    call = Interaction.objects.get()
    assert (call.kind, call.status, call.result, call.responsible) == (
        "call",
        "done",
        no_answer,
        seller,
    )
    assert call.business_line == line_a and list(call.persons.all()) == [contact_person]
    assert call.notes == "Секретарь просила перезвонить" and call.happened_at is not None
    assert "Не ответил" in answer.text  # the success line
    assert 'data-testid="quick-log-form"' in answer.text  # and an empty form again
    assert set(json.loads(answer.headers["HX-Trigger"])) == {
        "sp-interactions-changed",
        "sp-timeline-changed",
    }


def test_a_result_moves_the_deal_and_the_proposed_meeting_is_planned_with_one_click(
    seller, client_org, contact_person, deal, meeting_agreed
):
    page = clients_for(seller)[0]
    friday = datetime.datetime(2026, 11, 27, 11, 0, tzinfo=datetime.UTC)
    answer = page.post(
        QUICK,
        {
            "kind": "call",
            "direction": "out",
            "organization": client_org.pk,
            "persons": [contact_person.pk],
            "deal": deal.pk,
            "result": meeting_agreed.pk,
            "happened_at": timezone.localtime(friday).strftime("%Y-%m-%dT%H:%M"),
            "subject": "Знакомство",
        },
        headers=HTMX,
    ).text
    deal.refresh_from_db()
    assert deal.stage.name == "Встреча"
    assert "Встреча" in marked(answer, "deal-moved")
    # The proposal: a meeting two working days later, same organisation, deal and persons.
    assert 'data-testid="next-contact-form"' in answer
    assert 'value="meeting" class="btn-check" id="next_kind_2" required checked' in answer
    proposed_due = timezone.localtime(datetime.datetime(2026, 12, 1, 11, 0, tzinfo=datetime.UTC))
    assert field_value(answer, "due_at") == proposed_due.strftime("%Y-%m-%dT%H:%M")
    assert f'<option value="{deal.pk}" selected>' in answer
    assert re.search(rf'value="{contact_person.pk}"[^>]*checked', answer)

    accepted = page.post(
        QUICK,
        {
            "proposal": "1",
            "plan": "1",
            "kind": "meeting",
            "direction": "out",
            "organization": client_org.pk,
            "persons": [contact_person.pk],
            "deal": deal.pk,
            "due_at": field_value(answer, "due_at"),
            "subject": field_value(answer, "subject"),
        },
        headers=HTMX,
    ).text
    meeting = Interaction.objects.get(status="planned")
    assert (meeting.kind, meeting.deal, meeting.responsible) == ("meeting", deal, seller)
    assert meeting.due_at == datetime.datetime(2026, 12, 1, 11, 0, tzinfo=datetime.UTC)
    assert list(meeting.persons.all()) == [contact_person] and meeting.subject == "Знакомство"
    assert timezone.localtime(meeting.due_at).strftime("%d.%m.%Y %H:%M") in marked(
        accepted, "planned"
    )


def test_dismissing_the_proposal_creates_nothing(seller, client_org, deal, meeting_agreed):
    page = clients_for(seller)[0]
    answer = page.post(
        QUICK,
        {"kind": "call", "direction": "out", "organization": client_org.pk, "deal": deal.pk}
        | {"result": meeting_agreed.pk},
        headers=HTMX,
    ).text
    dismiss = re.search(r'hx-get="([^"]+)"[^>]*data-testid="dismiss-button"', answer).group(1)
    empty = page.get(dismiss.replace("&amp;", "&"), headers=HTMX).text
    assert 'data-testid="quick-log-form"' in empty and "next-contact-form" not in empty
    assert list(Interaction.objects.values_list("status", flat=True)) == ["done"]


def test_a_contact_planned_for_later(seller, client_org, line_a):
    page = clients_for(seller)[0]
    switched = page.post(
        QUICK,
        {"refresh": "1", "plan": "1", "kind": "meeting", "organization": client_org.pk},
        headers=HTMX,
    ).text
    assert 'name="due_at"' in switched and 'name="result"' not in switched
    assert 'data-testid="plan-button"' in switched and not Interaction.objects.exists()
    page.post(
        QUICK,
        {
            "plan": "1",
            "kind": "meeting",
            "direction": "out",
            "organization": client_org.pk,
            "due_at": "2026-12-03T15:30",
            "subject": "Демонстрация",
        },
        headers=HTMX,
    )
    meeting = Interaction.objects.get()
    assert (meeting.status, meeting.kind, meeting.subject) == ("planned", "meeting", "Демонстрация")
    assert timezone.localtime(meeting.due_at).strftime("%d.%m %H:%M") == "03.12 15:30"
    assert meeting.result is None and meeting.happened_at is None


def test_bad_input_is_refused_next_to_its_field_and_keeps_what_was_typed(
    seller, client_org, offer_asked
):
    page = clients_for(seller)[0]
    typed = "Обсудили сроки поставки"
    nowhere = page.post(
        QUICK,
        {"kind": "call", "direction": "out", "organization_text": "Альф", "notes": typed},
        headers=HTMX,
    ).text
    assert marked(nowhere, "error-organization")
    assert typed in nowhere and 'value="Альф"' in nowhere
    wrong_kind = page.post(
        QUICK,
        {
            "kind": "call",
            "direction": "out",
            "organization": client_org.pk,
            "result": offer_asked.pk,  # a result of meetings
            "notes": typed,
            "subject": "Сроки",
        },
        headers=HTMX,
    ).text
    refusal = marked(wrong_kind, "error-result")
    assert refusal == "Этот результат не относится к такому виду контакта."
    assert typed in wrong_kind and 'value="Сроки"' in wrong_kind
    assert f'<option value="{offer_asked.pk}" selected>' in wrong_kind  # shown, to be changed
    no_due = page.post(
        QUICK,
        {"plan": "1", "kind": "call", "direction": "out", "organization": client_org.pk}
        | {"due_at": "", "notes": typed},
        headers=HTMX,
    ).text
    assert marked(no_due, "error-due_at") and typed in no_due
    assert not Interaction.objects.exists()


def test_the_quick_form_offers_only_the_organisations_people_and_open_deals(
    seller, client_org, contact_person, deal, pipeline, line_a
):
    former = PersonFactory(business_lines=[line_a], last_name="Уволенный")
    directory_services.employment_create(
        actor=None, person=former, organization=client_org, ended_on=datetime.date(2020, 1, 1)
    )
    closed = new_deal(pipeline, client_org, line_a, "Закрытая")
    Deal.objects.filter(pk=closed.pk).update(closed_at=timezone.now())
    form = clients_for(seller)[0].get(QUICK, {"organization": client_org.pk}).text
    assert "Иванов" in form and "Уволенный" not in form
    assert "Лицензии" in form and "Закрытая" not in form
    assert "<html" in form  # without htmx: a page of its own


def test_another_lines_organisation_cannot_be_used(seller, line_b):
    theirs = OrganizationFactory(business_lines=[line_b], short_name="Чужая")
    page = clients_for(seller)[0]
    assert page.get(QUICK, {"organization": theirs.pk}).status_code == 404
    refused = page.post(
        QUICK, {"kind": "call", "direction": "out", "organization": theirs.pk}, headers=HTMX
    )
    assert marked(refused.text, "error-organization") and not Interaction.objects.exists()


# My work ----------------------------------------------------------------------------------


def sections(text: str) -> dict[str, str]:
    """Each section's HTML by its key."""
    parts = re.split(r'data-testid="section-(\w+)"', text)
    return {parts[i]: parts[i + 1] for i in range(1, len(parts), 2)}


def test_my_work_shows_overdue_today_and_upcoming_of_the_user_only(
    noon, seller, make_user, client_org, line_a
):
    colleague = make_user(lines={line_a: "write"})
    plan(seller, client_org, line_a, local(-1, 10), subject="Вчерашний звонок")
    plan(seller, client_org, line_a, local(0, 9), subject="Утренний звонок")
    plan(seller, client_org, line_a, local(0, 15), subject="Дневной звонок")
    plan(seller, client_org, line_a, local(3, 11), subject="Через три дня")
    plan(seller, client_org, line_a, local(10, 11), subject="Через десять дней")
    plan(colleague, client_org, line_a, local(0, 16), subject="Звонок коллеги")
    done = plan(seller, client_org, line_a, local(-2, 10), subject="Уже сделан")
    services.interaction_complete(actor=seller, interaction=done, expected_version=done.version)
    page = clients_for(seller)[0]
    shown = sections(page.get("/work/").text)
    assert "Вчерашний звонок" in shown["overdue"] and "Утренний звонок" in shown["overdue"]
    assert "Дневной звонок" in shown["today"] and "15:00" in shown["today"]
    assert "Через три дня" in shown["upcoming"]
    everything = "".join(shown.values())
    for absent in ("Через десять дней", "Звонок коллеги", "Уже сделан"):
        assert absent not in everything
    assert "Дневной звонок" not in shown["overdue"] + shown["upcoming"]
    reloaded = page.get("/work/", {"part": "sections"}, headers=HTMX).text
    assert "<html" not in reloaded and sections(reloaded).keys() == shown.keys()
    assert "Дневной звонок" in sections(reloaded)["today"]
    badge = page.get("/").text
    assert marked(badge, "overdue-badge").startswith("2")


def test_my_work_names_only_the_persons_and_deal_the_user_may_see(
    noon, seller, make_user, line_a, line_b, pipeline
):
    """A contact on the user's line may name another line's person or deal: not shown."""
    both = OrganizationFactory(business_lines=[line_a, line_b], short_name="Общая")
    hidden = PersonFactory(business_lines=[line_b], last_name="Скрытов")
    seen = PersonFactory(business_lines=[line_a], last_name="Виднов")
    other_deal = new_deal(pipeline, both, line_b, "Чужая сделка")
    plan(seller, both, line_a, local(0, 15), subject="Звонок", persons=[hidden, seen])
    plan(seller, both, line_a, local(0, 16), subject="Письмо", persons=[])
    Interaction.objects.filter(subject="Звонок").update(deal=other_deal)
    text = clients_for(seller)[0].get("/work/").text
    assert "Общая" in text and "Звонок" in text and "Письмо" in text
    assert text.count("Виднов") == 1
    assert "Скрытов" not in text and "Чужая сделка" not in text


def test_empty_sections_teach(seller):
    shown = sections(clients_for(seller)[0].get("/work/").text)
    assert 'data-testid="plan-one"' in shown["today"]
    assert 'data-testid="overdue-badge"' not in clients_for(seller)[0].get("/").text


def test_a_deputy_sees_the_absentees_contacts_only_during_the_substitution(
    noon, seller, make_user, client_org, line_a
):
    absent = make_user(lines={line_a: "write"}, last_name="Отпускникова")
    plan(absent, client_org, line_a, local(0, 15), subject="Звонок отпускницы")
    plan(absent, client_org, line_a, local(-1, 10), subject="Просрочка отпускницы")
    page = clients_for(seller)[0]
    today = timezone.localdate()
    Substitution.objects.create(
        absent=absent,
        deputy=seller,
        starts_on=today - datetime.timedelta(days=5),
        ends_on=today - datetime.timedelta(days=1),
    )
    assert "Звонок отпускницы" not in page.get("/work/").text
    assert 'data-testid="overdue-badge"' not in page.get("/").text
    Substitution.objects.create(
        absent=absent, deputy=seller, starts_on=today, ends_on=today + datetime.timedelta(days=3)
    )
    assert marked(page.get("/").text, "overdue-badge").startswith("1")  # theirs, overdue
    text = page.get("/work/").text
    assert "Звонок отпускницы" in sections(text)["today"] and 'data-testid="standing-in"' in text
    only_theirs = page.get("/work/", {"employee": absent.pk}).text
    assert "Звонок отпускницы" in only_theirs


def test_a_deputy_without_lines_sees_empty_sections(noon, make_user, client_org, line_a):
    """Standing in for a colleague who has since left every line, seeing none oneself:
    nothing to show, and no error."""
    absent = make_user(lines={line_a: "write"})
    plan(absent, client_org, line_a, local(-1, 10), subject="Просрочка отпускника")
    absent.line_memberships.all().delete()
    deputy = make_user()
    today = timezone.localdate()
    Substitution.objects.create(absent=absent, deputy=deputy, starts_on=today, ends_on=today)
    response = clients_for(deputy)[0].get("/work/")
    assert response.status_code == 200
    assert 'data-testid="standing-in"' in response.text
    assert "Просрочка отпускника" not in response.text


@pytest.fixture
def team(make_user, line_a, line_b, client_org):
    """A head of sales managing line A, two sellers there and one only in line B."""
    head = make_user(RoleCode.HEAD_OF_SALES, lines={line_a: "manage"}, last_name="Начальникова")
    first = make_user(lines={line_a: "write", line_b: "write"}, last_name="Первов")
    second = make_user(lines={line_a: "write"}, last_name="Вторых")
    elsewhere = make_user(lines={line_b: "write"}, last_name="Сторонний")
    other_org = OrganizationFactory(business_lines=[line_b], short_name="Бета")
    plan(first, client_org, line_a, local(-1, 10), subject="Просрочка Первова 1")
    plan(first, client_org, line_a, local(-2, 10), subject="Просрочка Первова 2")
    plan(first, other_org, line_b, local(-2, 11), subject="Другая линия Первова")
    plan(second, client_org, line_a, local(-1, 11), subject="Просрочка Вторых")
    plan(second, client_org, line_a, local(1, 11), subject="Завтра Вторых")
    plan(elsewhere, other_org, line_b, local(-1, 11), subject="Просрочка стороннего")
    return head, first, second, elsewhere


def test_the_head_of_sales_filters_by_employee_and_counts_the_teams_overdue(noon, team):
    head, first, second, elsewhere = team
    page = clients_for(head)[0]
    mine = page.get("/work/").text
    assert 'data-testid="employee-filter"' in mine and "Просрочка Первова 1" not in mine
    assert "Сторонний" not in mine  # not in the team
    only_first = page.get("/work/", {"employee": first.pk}).text
    assert "Просрочка Первова 1" in only_first and "Просрочка Вторых" not in only_first
    whole = page.get("/work/", {"employee": "team"}).text
    assert "Просрочка Первова 2" in whole and "Завтра Вторых" in whole
    counts = dict(
        re.findall(
            r"<td>([^<]+)</td><td[^>]*><a[^>]*href=\"\?employee=\d+\"[^>]*>(\d+)</a>",
            whole,
        )
    )
    assert counts == {first.full_name: "2", second.full_name: "1"}  # line B is not counted
    assert f'href="?employee={first.pk}"' in whole
    for hidden in ("Другая линия Первова", "Просрочка стороннего"):
        assert hidden not in whole
    outsider = page.get("/work/", {"employee": elsewhere.pk}).text
    assert "Просрочка стороннего" not in outsider


def test_counts_stop_at_the_cap(noon, team, monkeypatch):
    head, first, second, _elsewhere = team
    monkeypatch.setattr(work_views, "COUNT_CAP", 1)
    monkeypatch.setattr(context_processors, "BADGE_CAP", 1)
    whole = clients_for(head)[0].get("/work/", {"employee": "team"}).text
    counts = re.findall(r'data-testid="overdue-count">([^<]+)</a>', whole)
    assert counts == ["1+", "1"]  # the first seller has two overdue in the team's line
    overdue = sections(whole)["overdue"]
    assert re.search(r'rounded-pill text-bg-danger">\s*1\+', overdue)  # three overdue
    assert 'data-testid="overdue-badge">1+' in clients_for(first)[0].get("/").text
    assert 'data-testid="overdue-badge">1<' in clients_for(second)[0].get("/").text


def test_a_salesperson_cannot_look_at_a_colleagues_work(noon, team, make_user):
    head, first, second, elsewhere = team
    page = clients_for(second)[0]
    text = page.get("/work/", {"employee": first.pk}).text
    assert "Просрочка Вторых" in text and "Просрочка Первова 1" not in text
    team_view = page.get("/work/", {"employee": "team"}).text
    assert "Просрочка Первова 1" not in team_view
    assert 'data-testid="employee-filter"' not in text and 'data-testid="team-overdue"' not in text


def test_a_long_section_shows_its_first_rows_and_the_rest_on_demand(
    noon, seller, client_org, line_a, make_user
):
    for number in range(SECTION_LIMIT + 5):
        plan(seller, client_org, line_a, local(-1 - number, 10), subject=f"Просрочка №{number}")
    page = clients_for(seller)[0]
    overdue = sections(page.get("/work/").text)["overdue"]
    assert overdue.count('data-testid="contact"') == SECTION_LIMIT
    assert "Просрочка №0<" in overdue and f"Просрочка №{SECTION_LIMIT}<" not in overdue
    button = re.search(r'hx-get="([^"]+)"[^>]*data-testid="show-more"', overdue)[1]
    more = page.get(button.replace("&amp;", "&"), headers=HTMX).text
    assert "<html" not in more
    assert more.count('data-testid="contact"') == 5 and 'data-testid="show-more"' not in more
    assert f"Просрочка №{SECTION_LIMIT}<" in more and "Просрочка №0<" not in more
    assert f"Просрочка №{SECTION_LIMIT + 4}<" in more

    # Another user asking for the same part sees only their own rows.
    other = clients_for(make_user(lines={line_a: "write"}))[0]
    assert 'data-testid="contact"' not in other.get(button.replace("&amp;", "&"), headers=HTMX).text
    # A section that does not exist, or a bad offset, is refused.
    for query in ({"section": "someday", "offset": 0}, {"section": "overdue", "offset": "x"}):
        assert page.get("/work/", {"part": "more", **query}, headers=HTMX).status_code == 404


def test_the_teams_long_sections_interleave_its_employees_in_time_order(
    noon, team, client_org, line_a
):
    """Each employee's contacts are read apart and merged: the team's rows still come in
    one time order, page after page, none twice and none left out."""
    head, first, second, _elsewhere = team
    for number in range(SECTION_LIMIT + 3):
        who = first if number % 3 else second
        plan(who, client_org, line_a, local(-3 - number, 9), subject=f"Долг №{number}")
        later = local(2, 8) + datetime.timedelta(minutes=number)
        plan(who, client_org, line_a, later, subject=f"Неделя №{number}")
    page = clients_for(head)[0]
    shown = sections(page.get("/work/", {"employee": "team"}).text)

    def subjects(text, word):
        return [int(n) for n in re.findall(rf"{word} №(\d+) ·", text)]

    # The fixture's own overdue (one and two days ago) come first, then the oldest debts.
    first_page = subjects(shown["overdue"], "Долг")
    assert first_page == list(range(SECTION_LIMIT - 3))
    button = re.search(r'hx-get="([^"]+)"[^>]*data-testid="show-more"', shown["overdue"])[1]
    rest = subjects(page.get(button.replace("&amp;", "&"), headers=HTMX).text, "Долг")
    assert first_page + rest == list(range(SECTION_LIMIT + 3))
    # Tomorrow's contact of the fixture, then the week's in their order.
    assert subjects(shown["upcoming"], "Неделя") == list(range(SECTION_LIMIT - 1))


def test_my_work_costs_the_same_queries_for_3_and_40_contacts(
    noon, seller, client_org, contact_person, deal, line_a, team
):
    for days in (-1, 0, 2):
        plan(seller, client_org, line_a, local(days, 15), persons=[contact_person], deal=deal)
    head = team[0]

    def grow():
        for number in range(37):
            plan(
                seller,
                client_org,
                line_a,
                local(number % 9 - 2, 8 + number % 10),
                persons=[contact_person],
                deal=deal,
            )

    assert_constant_queries(clients_for(seller)[0], "/work/", grow)
    assert_constant_queries(clients_for(head)[0], "/work/?employee=team", grow)


def test_a_planned_contact_is_done_in_its_row_and_its_proposal_planned(
    noon, seller, client_org, deal, meeting_agreed
):
    call = plan(seller, client_org, deal.business_line, local(0, 9), deal=deal)
    page = clients_for(seller)[0]
    form = page.get(f"/work/contacts/{call.pk}/done/", headers=HTMX).text
    assert 'data-testid="complete-form"' in form and "Договорились о встрече" in form
    answer = page.post(
        f"/work/contacts/{call.pk}/done/",
        {"version": call.version, "result": meeting_agreed.pk, "notes": "Ждут в пятницу"},
        headers=HTMX,
    )
    assert answer.headers["HX-Retarget"] == f"#contact-{call.pk}"
    call.refresh_from_db()
    assert (call.status, call.result, call.notes) == ("done", meeting_agreed, "Ждут в пятницу")
    assert "Встреча" in marked(answer.text, "deal-moved")
    assert 'data-testid="next-contact-form"' in answer.text
    planned = page.post(
        "/interactions/quick/?place=row",
        {
            "proposal": "1",
            "plan": "1",
            "kind": "meeting",
            "direction": "out",
            "organization": client_org.pk,
            "deal": deal.pk,
            "due_at": field_value(answer.text, "due_at"),
        },
        headers=HTMX,
    ).text
    assert 'id="work-notice" hx-swap-oob="true"' in planned
    assert Interaction.objects.filter(status="planned", kind="meeting", deal=deal).exists()
    dismissed = page.get("/interactions/quick/?place=row", headers=HTMX)
    assert dismissed.content == b"" and "HX-Trigger" in dismissed.headers


def test_a_planned_contact_is_cancelled_in_its_row(noon, seller, make_user, client_org, line_a):
    call = plan(seller, client_org, line_a, local(0, 15), subject="Лишний звонок")
    reader = make_user(lines={line_a: "read"})
    refused = clients_for(reader)[0].post(
        f"/work/contacts/{call.pk}/cancel/", {"version": call.version}
    )
    assert refused.status_code == 403
    answer = clients_for(seller)[0].post(
        f"/work/contacts/{call.pk}/cancel/", {"version": call.version}, headers=HTMX
    )
    assert 'data-testid="contact-cancelled"' in answer.text
    call.refresh_from_db()
    assert call.status == "cancelled"
    assert "Лишний звонок" not in clients_for(seller)[0].get("/work/").text


def test_another_lines_contact_cannot_be_done_or_cancelled(seller, make_user, line_b):
    stranger = make_user(lines={line_b: "write"})
    theirs = OrganizationFactory(business_lines=[line_b], short_name="Чужая")
    call = plan(stranger, theirs, line_b, timezone.now())
    page = clients_for(seller)[0]
    assert page.get(f"/work/contacts/{call.pk}/done/").status_code == 404
    assert page.post(f"/work/contacts/{call.pk}/cancel/", {"version": 1}).status_code == 404
    call.refresh_from_db()
    assert call.status == "planned"


def test_anonymous_callers_and_roles_without_contacts_are_refused(make_user, line_a):
    anonymous = clients_for(None)[0]
    for url in ("/work/", QUICK, "/work/contacts/1/done/"):
        assert anonymous.get(url).status_code == 302
    assert anonymous.post(QUICK, {"kind": "call"}).status_code == 302
    assert anonymous.post("/work/contacts/1/cancel/").status_code == 302
    nobody = clients_for(make_user(role=None, lines={line_a: "write"}))[0]
    assert nobody.get("/work/").status_code == 403
    assert nobody.get(QUICK).status_code == 403
    assert 'data-testid="nav-my-work"' not in nobody.get("/").text
    assert not Interaction.objects.exists()


def test_each_kind_of_contact_has_one_icon_on_every_page(noon, seller, client_org, line_a):
    """A letter is drawn with the same icon in "my work", the quick form and the timeline,
    and the quick form offers every kind with its own."""
    plan(seller, client_org, line_a, local(1, 10), kind="letter", subject="Письмо с договором")
    letter = '<i class="bi bi-envelope-paper" aria-hidden="true"></i>'
    page = clients_for(seller)[0]
    work = page.get("/work/").text
    [row] = [r for r in work.split('data-testid="contact"')[1:] if "Письмо с договором" in r]
    assert letter in row.split("Письмо с договором")[0]
    quick = page.get(QUICK).text
    for icon in KIND_ICONS.values():
        assert f'<i class="bi {icon}" aria-hidden="true"></i>' in quick
    dossier = page.get(f"/organizations/{client_org.pk}/dossier/").text
    entry = dossier[: dossier.index("Письмо с договором")].rsplit("sp-entry-icon", 1)[1]
    assert letter in entry
