import html
import re
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from sputnik.core.testing import assert_constant_queries, clients_for
from sputnik.directory import services
from sputnik.directory.models import Category, Employment, Organization, Person
from sputnik.directory.tests.factories import (
    INNS,
    OrganizationFactory,
    PersonFactory,
    define_attribute,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def seller(make_user, line_a):
    return make_user(lines={line_a: "write"})


def org_form(line, **changes):
    return {
        "short_name": "Ромашка",
        "status": "prospect",
        "country": "RU",
        "business_lines": [line.pk],
        **changes,
    }


def test_create_organisation_from_the_form(client, seller, line_a):
    category = Category.objects.create(name="Клиент")
    client.force_login(seller)
    form = org_form(line_a, inn="7707 083 893", categories=[category.pk])
    response = client.post("/organizations/new/", form)
    org = Organization.objects.get()
    assert list(org.categories.all()) == [category]
    assert response["Location"] == f"/organizations/{org.pk}/"
    assert (org.inn, org.created_by) == (INNS[0], seller)
    assert "Ромашка" in client.get(response["Location"]).content.decode()


def test_wrong_inn_checksum_is_explained_next_to_the_field(client, seller, line_a):
    client.force_login(seller)
    response = client.post("/organizations/new/", org_form(line_a, inn="7707083894"))
    content = response.content.decode()
    assert response.status_code == 200 and "is-invalid" in content
    assert "контрольн" in content.lower()  # the Russian message names the check digit
    assert 'value="Ромашка"' in content  # what was typed stays
    assert not Organization.objects.exists()


def test_known_inn_links_to_the_existing_organisation(client, seller, line_a):
    existing = OrganizationFactory(business_lines=[line_a], short_name="Сбербанк", inn=INNS[0])
    client.force_login(seller)
    content = client.post("/organizations/new/", org_form(line_a, inn=INNS[0])).content.decode()
    assert f'href="/organizations/{existing.pk}/"' in content
    assert Organization.objects.count() == 1


def test_add_contact_person_from_the_card_by_htmx(client, seller, line_a):
    org = OrganizationFactory(business_lines=[line_a])
    client.force_login(seller)
    response = client.post(
        f"/organizations/{org.pk}/people/new/",
        {
            "last_name": "Петрова",
            "first_name": "Анна",
            "patronymic": "Сергеевна",
            "position": "Главный бухгалтер",
            "work_phone": "8 495 111 22 33",
        },
        HTTP_HX_REQUEST="true",
    )
    content = response.content.decode()
    assert 'id="people"' in content and "<html" not in content
    assert "Петрова Анна Сергеевна" in content and "+7 495 111-22-33" in content
    person = Person.objects.get()
    assert person.gender == "f" and list(person.business_lines.all()) == [line_a]


def test_contact_person_form_errors_are_shown_in_place(client, seller, line_a):
    org = OrganizationFactory(business_lines=[line_a])
    client.force_login(seller)
    response = client.post(
        f"/organizations/{org.pk}/people/new/",
        {"last_name": "Телефонов", "work_phone": "12"},
        HTTP_HX_REQUEST="true",
    )
    content = response.content.decode()
    assert re.search(r'<input[^>]*name="work_phone"[^>]*is-invalid', content)
    assert not Employment.objects.exists() and not Person.objects.exists()


def test_cards_show_current_and_former_jobs(client, seller, line_a):
    org = OrganizationFactory(business_lines=[line_a], short_name="Ромашка")
    other = OrganizationFactory(business_lines=[line_a], short_name="Лютик")
    person = PersonFactory(business_lines=[line_a], last_name="Сменщиков")
    services.employment_create(
        actor=None, person=person, organization=org, position="Инженер", ended_on=date(2024, 1, 31)
    )
    services.employment_create(actor=None, person=person, organization=other, position="Директор")
    client.force_login(seller)
    card = client.get(f"/organizations/{org.pk}/").content.decode()
    assert "Сменщиков" in card.split('data-testid="former-people"')[1]
    person_card = client.get(f"/persons/{person.pk}/").content.decode()
    assert "Лютик" in person_card.split('data-testid="person-jobs"')[1].split("</ul>")[0]
    assert "31.01.2024" in person_card


def test_jobs_split_by_tenure_in_one_read_as_the_current_and_former_filters_do(line_a):
    org = OrganizationFactory(business_lines=[line_a])
    today = timezone.localdate()
    for name, ended in (("Вчера", -1), ("Сегодня", 0), ("Завтра", 1), ("Бессрочно", None)):
        person = PersonFactory(business_lines=[line_a], last_name=name)
        end = None if ended is None else today + timedelta(days=ended)
        services.employment_create(actor=None, person=person, organization=org, ended_on=end)
    jobs = Employment.objects.filter(organization=org).select_related("person")
    with CaptureQueriesContext(connection) as queries:
        current, former = jobs.by_tenure()
    assert len(queries) == 1
    assert [j.pk for j in current] == [j.pk for j in jobs.current()]
    assert [j.pk for j in former] == [j.pk for j in jobs.former()]
    assert {j.person.last_name for j in former} == {"Вчера", "Сегодня"}


def test_contacts_panel_adds_and_removes(client, seller, line_a):
    org = OrganizationFactory(business_lines=[line_a])
    client.force_login(seller)
    client.post(
        f"/organizations/{org.pk}/contacts/",
        {"kind": "phone", "value": "+7 (812) 000-00-01"},
        HTTP_HX_REQUEST="true",
    )
    bad = client.post(
        f"/organizations/{org.pk}/contacts/",
        {"kind": "email", "value": "нет"},
        HTTP_HX_REQUEST="true",
    )
    assert "не адрес электронной почты" in bad.content.decode() or "e-mail" in bad.content.decode()
    contact = org.contacts.get()
    client.post(
        f"/organizations/{org.pk}/contacts/",
        {"form": "address", "kind": "legal", "city": "Казань", "street": "ул. Баумана, 1"},
    )
    assert str(org.addresses.get()) == "Казань, ул. Баумана, 1"
    client.post(f"/organizations/{org.pk}/contacts/", {"remove": contact.pk})
    assert not org.contacts.exists()


def test_organisation_edit_conflict(client, seller, make_user, line_a):
    org = OrganizationFactory(business_lines=[line_a])
    other = make_user(lines={line_a: "write"}, last_name="Соколова", first_name="Анна")
    services.organization_update(actor=other, organization=org, expected_version=1, notes="x")
    client.force_login(seller)
    response = client.post(f"/organizations/{org.pk}/edit/", org_form(line_a, version=1, notes="y"))
    assert response.status_code == 409 and "Соколова А." in response.content.decode()


@pytest.mark.parametrize(
    "url",
    [
        "/organizations/",
        "/persons/",
        "/api/v1/organizations/",
        "/api/v1/persons/",
        "/api/v1/employments/",
        "/organizations/?o=attr_holding&attr_staff_min=0",
    ],
)
def test_lists_run_constant_queries(url, seller, line_a):
    page, api = clients_for(seller)
    client = api if url.startswith("/api/") else page
    for code, kind in (("holding", "organization"), ("staff", "integer")):
        define_attribute(code, kind, show_in_list=True)
    holding = OrganizationFactory(business_lines=[line_a], short_name="Холдинг")

    def grow():
        for n in range(3):
            org = OrganizationFactory(
                business_lines=[line_a], attributes={"holding": holding.pk, "staff": n}
            )
            services.contact_add(actor=None, organization=org, kind="phone", value="+74950000000")
            person = PersonFactory(business_lines=[line_a])
            services.employment_create(actor=None, person=person, organization=org)

    grow()
    assert_constant_queries(client, url, grow)


def test_a_list_page_reads_the_static_lists_and_attributes_once(seller, line_a):
    """The selection bar's lists are read once (for the "ticked rows" select), the custom
    columns' definitions once; the filter panel comes from the cache, its filter set
    unbuilt (the list is not filtered)."""
    define_attribute("staff", "integer", show_in_list=True)
    services.segment_create(
        actor=seller, name="Мои клиенты", kind="organizations", business_lines=[line_a]
    )
    OrganizationFactory(business_lines=[line_a], attributes={"staff": 12})
    page, _ = clients_for(seller)
    page.get("/organizations/")
    with CaptureQueriesContext(connection) as queries:
        content = page.get("/organizations/").content.decode()
    assert 'data-testid="selection-bar"' in content and "Мои клиенты" in content
    tables = [re.search(r'FROM "(\w+)"', q["sql"]).group(1) for q in queries.captured_queries]
    assert tables.count("directory_segment") == 1  # the selection bar's
    assert tables.count("directory_attributedefinition") == 1
    # Filtered, the page builds the filter set, whose definitions the columns share.
    page.get("/organizations/?o=short_name")
    with CaptureQueriesContext(connection) as queries:
        page.get("/organizations/?o=short_name")
    tables = [re.search(r'FROM "(\w+)"', q["sql"]).group(1) for q in queries.captured_queries]
    assert tables.count("directory_attributedefinition") == 1


def test_the_list_builders_criteria_filter_the_list_when_asked_for(client, seller, line_a):
    """Criteria only the list builder offers are left out of the panel's form (building
    them costs every page), yet a link that names one still filters."""
    OrganizationFactory(business_lines=[line_a], short_name="Клиентская", status="client")
    OrganizationFactory(business_lines=[line_a], short_name="Будущая", status="prospect")
    client.force_login(seller)
    plain = client.get("/organizations/")
    assert "status_in" not in plain.context["filterset"].form.fields
    asked = client.get("/organizations/?status_in=client")
    assert "status_in" in asked.context["filterset"].form.fields
    content = asked.content.decode()
    assert "Клиентская" in content and "Будущая" not in content
    panel = content.split('class="sp-filters"', 1)[1].split("</form>", 1)[0]
    assert 'name="status"' in panel and 'name="status_in"' not in panel  # not offered


def test_the_line_and_category_filters_test_each_row_instead_of_joining(make_user, line_a, line_b):
    """A join on the link table let the database read every organisation of the line and
    sort them all for one page (SQLite 100k: 190 ms); EXISTS walks the page's order."""
    seller = make_user(lines={line_a: "write", line_b: "write"})
    retail, wholesale = (Category.objects.create(name=n) for n in ("Розница", "Опт"))
    both = OrganizationFactory(business_lines=[line_a, line_b], short_name="Обе линии")
    both.categories.set([retail, wholesale])
    OrganizationFactory(business_lines=[line_b], short_name="Только Б").categories.set([retail])
    page, api = clients_for(seller)

    def names(query):
        with CaptureQueriesContext(connection) as queries:
            content = page.get(f"/organizations/?{query}").content.decode()
        listing = [q["sql"] for q in queries if 'FROM "directory_organization" ' in q["sql"]]
        assert len(listing) == 2  # the count and the page
        joined = ('JOIN "directory_organization_categories"', 'JOIN "directory_organization_b')
        assert not any(join in sql for sql in listing for join in joined)
        return [n for n in ("Обе линии", "Только Б") if n in content]

    assert names(f"business_line={line_a.pk}") == ["Обе линии"]
    assert names(f"business_line={line_b.pk}") == ["Обе линии", "Только Б"]
    assert names(f"category={wholesale.pk}") == ["Обе линии"]
    assert names(f"category={retail.pk}&business_line={line_b.pk}") == ["Обе линии", "Только Б"]
    listed = api.get("/api/v1/organizations/", {"business_line": line_b.pk}).json()["results"]
    assert sorted(o["short_name"] for o in listed) == ["Обе линии", "Только Б"]


def test_card_runs_constant_queries(seller, line_a):
    org = OrganizationFactory(business_lines=[line_a])
    page, _ = clients_for(seller)

    def grow():
        for _ in range(3):
            person = PersonFactory(business_lines=[line_a])
            services.employment_create(actor=None, person=person, organization=org)
            services.contact_add(actor=None, organization=org, kind="email", value="a@b.ru")

    grow()
    assert_constant_queries(page, f"/organizations/{org.pk}/", grow)


def test_a_big_clients_card_shows_its_first_people_and_links_to_the_rest(
    monkeypatch, seller, line_a
):
    from sputnik.directory import views

    monkeypatch.setattr(views, "PEOPLE_SHOWN", 2)
    org = OrganizationFactory(business_lines=[line_a])
    ended = timezone.localdate() - timedelta(days=1)
    for name, end in [("Борисов", None), ("Андреев", None), ("Вешняков", None)] + [
        (f"Уволенный{n}", ended) for n in range(3)
    ]:
        person = PersonFactory(business_lines=[line_a], last_name=name)
        services.employment_create(actor=None, person=person, organization=org, ended_on=end)
    card = clients_for(seller)[0].get(f"/organizations/{org.pk}/").text
    current = card.split('data-testid="current-people"')[1].split("</table>")[0]
    assert [n for n in ("Андреев", "Борисов", "Вешняков") if n in current] == [
        "Андреев",
        "Борисов",
    ]
    assert "Ещё 1 текущее контактное лицо" in card
    assert "3 бывших контакта" in card  # all of them counted, two listed
    assert "Ещё 1 бывшее контактное лицо" in card
    page, api = clients_for(seller)
    for tenure, names in [
        ("current", {"Андреев", "Борисов", "Вешняков"}),
        ("former", {f"Уволенный{n}" for n in range(3)}),
    ]:
        more = html.unescape(re.search(rf'href="([^"]*tenure={tenure})"', card)[1])
        assert more == f"/persons/?organization={org.pk}&tenure={tenure}"
        listed = page.get(more).text.split('data-testid="person-table"')[1]
        assert set(re.findall(r'<a href="/persons/\d+/">(\w+)', listed)) == names
        answer = api.get(f"/api/v1/persons/?organization={org.pk}&tenure={tenure}").json()
        assert {person["last_name"] for person in answer["results"]} == names


def test_person_list_filters_by_a_job_anywhere_the_user_sees(client, seller, line_a, line_b):
    ended = timezone.localdate() - timedelta(days=1)
    seen, hidden = (
        OrganizationFactory(business_lines=[line_a]),
        OrganizationFactory(business_lines=[line_b]),
    )
    for name, organization, end in [
        ("Работающий", seen, None),
        ("Ушедший", seen, ended),
        ("Ушедший-из-чужой", hidden, ended),
    ]:
        person = PersonFactory(business_lines=[line_a], last_name=name)
        services.employment_create(
            actor=None, person=person, organization=organization, ended_on=end
        )
    client.force_login(seller)
    listed = client.get("/persons/?tenure=former").content.decode()
    listed = listed.split('data-testid="person-table"')[1]
    assert re.findall(r'<a href="/persons/\d+/">([\w-]+)', listed) == ["Ушедший"]
    assert "Место работы" in client.get("/persons/").content.decode()  # offered in the panel


def test_undesirable_organisations_are_flagged_on_list_and_card(
    client, seller, security_officer, line_a
):
    from sputnik.directory.blacklist import blacklist_add

    flagged = OrganizationFactory(business_lines=[line_a], short_name="Рога и копыта", inn=INNS[2])
    OrganizationFactory(business_lines=[line_a], short_name="Честная")
    blacklist_add(actor=security_officer, inn=INNS[2], reason="Неплатёжеспособна")
    client.force_login(seller)
    rows = client.get("/organizations/").content.decode().split("<tr>")
    flags = {
        name: "undesirable-badge" in row
        for row in rows
        for name in ("Рога", "Честная")
        if name in row
    }
    assert flags == {"Рога": True, "Честная": False}
    card = client.get(f"/organizations/{flagged.pk}/").content.decode()
    assert 'data-testid="undesirable-alert"' in card and "Неплатёжеспособна" in card


def test_duplicate_in_a_line_the_user_cannot_see_is_not_named(client, seller, line_a, line_b):
    OrganizationFactory(business_lines=[line_b], short_name="Секретная", inn=INNS[3])
    client.force_login(seller)
    content = client.post("/organizations/new/", org_form(line_a, inn=INNS[3])).content.decode()
    assert "is-invalid" in content and "Секретная" not in content
    assert Organization.objects.count() == 1


def test_editing_keeps_the_lines_the_editor_cannot_write_to(client, seller, line_a, line_b):
    org = OrganizationFactory(business_lines=[line_a, line_b], short_name="Общая")
    client.force_login(seller)
    form = org_form(line_a, short_name="Общая", notes="заметка", version=1)
    assert client.post(f"/organizations/{org.pk}/edit/", form).status_code == 302
    assert set(org.business_lines.all()) == {line_a, line_b}


def test_list_rows_show_their_own_categories_and_contacts(client, seller, line_a):
    client_category, partner = (Category.objects.create(name=n) for n in ("Клиент", "Партнёр"))
    both = OrganizationFactory(business_lines=[line_a], short_name="Обе")
    both.categories.set([client_category, partner])
    OrganizationFactory(business_lines=[line_a], short_name="Одна").categories.set([partner])
    OrganizationFactory(business_lines=[line_a], short_name="Никакой")
    reachable = PersonFactory(business_lines=[line_a], last_name="Звонков")
    PersonFactory(business_lines=[line_a], last_name="Молчанов")
    services.contact_add(actor=None, kind="email", value="zvon@example.ru", person=reachable)
    client.force_login(seller)

    def rows(url, names):
        found = client.get(url).content.decode().split("<tr>")
        return {name: row for row in found for name in names if name in row}

    orgs = rows("/organizations/", ("Обе", "Одна", "Никакой"))
    assert [("Клиент" in orgs[n], "Партнёр" in orgs[n]) for n in ("Обе", "Одна", "Никакой")] == [
        (True, True),
        (False, True),
        (False, False),
    ]
    persons = rows("/persons/", ("Звонков", "Молчанов"))
    assert "zvon@example.ru" in persons["Звонков"] and "zvon@" not in persons["Молчанов"]
    # Read into plain lists (`listed()`): no manager and queryset per row and relation.
    for row in client.get("/organizations/").context["object_list"]:
        assert isinstance(row.listed_categories, list)
        assert "categories" not in getattr(row, "_prefetched_objects_cache", {})


def test_person_list_hides_jobs_in_organisations_the_user_cannot_see(
    client, seller, line_a, line_b
):
    hidden = OrganizationFactory(business_lines=[line_b], short_name="Тайная")
    person = PersonFactory(business_lines=[line_a, line_b], last_name="Двойной")
    services.employment_create(actor=None, person=person, organization=hidden, position="Шпион")
    client.force_login(seller)
    content = client.get("/persons/").content.decode()
    assert "Двойной" in content and "Тайная" not in content and "Шпион" not in content


def test_empty_address_is_refused_and_keeps_the_old_one(client, seller, line_a):
    org = OrganizationFactory(business_lines=[line_a])
    services.address_save(actor=None, organization=org, kind="legal", city="Казань")
    client.force_login(seller)
    response = client.post(
        f"/organizations/{org.pk}/contacts/",
        {"form": "address", "kind": "legal"},
        HTTP_HX_REQUEST="true",
    )
    assert "alert-danger" in response.content.decode()
    assert org.addresses.get().city == "Казань"


def test_partial_inn_finds_the_organisation(client, seller, line_a):
    OrganizationFactory(business_lines=[line_a], short_name="Сбербанк", inn=INNS[0])
    client.force_login(seller)
    assert "Сбербанк" in client.get("/organizations/?q=7707").content.decode()


def test_similar_names_are_shown_before_saving(client, seller, line_a):
    existing = OrganizationFactory(business_lines=[line_a], short_name="Ромашка")
    client.force_login(seller)
    warned = client.post("/organizations/new/", org_form(line_a, short_name="Ромашка Плюс"))
    content = warned.content.decode()
    assert 'data-testid="similar-organizations"' in content
    assert f'href="/organizations/{existing.pk}/"' in content
    assert Organization.objects.count() == 1
    saved = client.post(
        "/organizations/new/", org_form(line_a, short_name="Ромашка Плюс", confirm_different="1")
    )
    assert saved.status_code == 302 and Organization.objects.count() == 2


def test_unrelated_name_is_saved_at_once(client, seller, line_a):
    OrganizationFactory(business_lines=[line_a], short_name="Ромашка")
    client.force_login(seller)
    response = client.post("/organizations/new/", org_form(line_a, short_name="Василёк"))
    assert response.status_code == 302


def test_long_lists_count_up_to_a_cap_and_say_more(client, seller, line_a, monkeypatch):
    from sputnik.core.pagination import CappedPaginator

    monkeypatch.setattr(CappedPaginator, "cap", 4)
    for n in range(7):
        OrganizationFactory(business_lines=[line_a], short_name=f"Орг {n}")
    client.force_login(seller)
    monkeypatch.setattr("sputnik.directory.views.OrganizationListView.paginate_by", 2)
    content = client.get("/organizations/").content.decode()
    assert "Страница 1 из более чем 2" in content and "Найдено больше 4" in content
    assert client.get("/organizations/?page=2").status_code == 200
    assert client.get("/organizations/?page=3").status_code == 404  # past the cap: filter
    monkeypatch.setattr(CappedPaginator, "cap", 100)
    exact = client.get("/organizations/").content.decode()
    assert "Страница 1 из 4" in exact and "Найдено: 7" in exact


def test_person_list_filters_by_employer_gender_consent_and_line(client, seller, line_a):
    romashka = OrganizationFactory(business_lines=[line_a], short_name="Ромашка")
    anna = PersonFactory(
        business_lines=[line_a], last_name="Петрова", patronymic="Сергеевна", consent_mailing=True
    )
    PersonFactory(business_lines=[line_a], last_name="Сидоров", patronymic="Ильич")
    services.employment_create(actor=None, person=anna, organization=romashka)
    client.force_login(seller)

    def names(query):
        content = client.get(f"/persons/?{query}").content.decode()
        return re.findall(r">(Петрова|Сидоров)[^<]*<", content)

    assert names("employer=ромаш") == ["Петрова"]
    assert names("gender=m") == ["Сидоров"]
    assert names("consent_mailing=true") == ["Петрова"]
    assert names(f"organization={romashka.pk}") == ["Петрова"]
    assert names(f"business_line={line_a.pk}&o=-last_name") == ["Сидоров", "Петрова"]
    page = client.get("/persons/").content.decode()
    assert 'name="organization"' in page and 'type="hidden"' in page


def test_deep_pages_show_the_right_rows_in_order(seller, line_a, line_b):
    """Past the first page the list reads the page's ids first, then the rows by id."""
    for n in range(130):
        OrganizationFactory(short_name=f"Орг {n:03}", business_lines=[line_a if n % 3 else line_b])
    page, _ = clients_for(seller)
    visible = [f"Орг {n:03}" for n in range(130) if n % 3]  # 86 rows, in name order

    second = page.get("/organizations/?page=2").content.decode()
    shown = re.findall(r"Орг \d{3}", second)
    assert list(dict.fromkeys(shown)) == visible[50:]
    assert "Орг 003" not in second  # another line's, even past the first page

    backwards = page.get("/organizations/?page=2&o=-short_name").content.decode()
    assert list(dict.fromkeys(re.findall(r"Орг \d{3}", backwards))) == visible[::-1][50:]


def test_the_responsible_filter_offers_colleagues_and_accepts_anyone(
    seller, make_user, line_a, line_b
):
    colleague = make_user(lines={line_a: "read"}, last_name="Коллегова")
    stranger = make_user(lines={line_b: "write"}, last_name="Чужаков")
    retired = make_user(lines={line_a: "write"}, last_name="Ушедшев", is_active=False)
    ours = OrganizationFactory(
        business_lines=[line_a, line_b], short_name="Общая", responsible=stranger
    )
    OrganizationFactory(business_lines=[line_a], short_name="Своя", responsible=colleague)
    page, api = clients_for(seller)

    def offered(html: str) -> set[str]:
        select = html.split('<select name="responsible"')[1].split("</select>")[0]
        return set(re.findall(r'<option value="(\d+)"', select))

    panel = page.get("/organizations/").text
    assert offered(panel) == {str(seller.pk), str(colleague.pk)}
    # Someone of another line is accepted (a link, the API) and then offered as chosen.
    chosen = page.get(f"/organizations/?responsible={stranger.pk}").text
    assert offered(chosen) == {str(seller.pk), str(colleague.pk), str(stranger.pk)}
    assert f'<option value="{stranger.pk}" selected>' in chosen
    assert "Общая" in chosen and "Своя" not in chosen
    found = api.get(f"/api/v1/organizations/?responsible={stranger.pk}").json()["results"]
    assert [row["id"] for row in found] == [ours.pk]
    refused = api.get(f"/api/v1/organizations/?responsible={retired.pk}")
    assert refused.status_code == 400 and "responsible" in refused.json()["errors"]
    # A user on all lines is offered every active employee.
    director = make_user(all_lines_role="read")
    everyone = offered(clients_for(director)[0].get("/organizations/").text)
    assert {str(colleague.pk), str(stranger.pk), str(director.pk)} <= everyone
    assert str(retired.pk) not in everyone


def test_the_filter_panel_reads_each_select_in_one_fetch(seller, line_a, monkeypatch, client):
    """No select of a list page streams its rows through `.iterator()` (on PostgreSQL a
    server-side cursor, three more round trips per select)."""
    from django.db import connection

    OrganizationFactory(business_lines=[line_a], short_name="Альфа")

    def streamed(*args, **kwargs):
        raise AssertionError("a select read its rows through .iterator()")

    monkeypatch.setattr(connection, "chunked_cursor", streamed)
    client.force_login(seller)
    page = client.get("/organizations/")
    assert page.status_code == 200
    assert '<select name="responsible"' in page.text and "Альфа" in page.text
