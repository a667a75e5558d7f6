"""Global search (DIR-4): names with typos, INN, phone in any format, e-mail in any case,
always within the caller's business lines, on the page, in the header box and in the API."""

import re

import pytest
from playwright.sync_api import expect

from sputnik.access.models import RoleCode
from sputnik.core.testing import assert_constant_queries, clients_for
from sputnik.directory import services
from sputnik.directory.models import Organization
from sputnik.directory.search import search

pytestmark = pytest.mark.django_db


@pytest.fixture
def seller(make_user, line_a):
    return make_user(RoleCode.SALESPERSON, lines={line_a: "write"})


@pytest.fixture
def outsider(make_user, line_b):
    return make_user(RoleCode.SALESPERSON, lines={line_b: "write"})


@pytest.fixture
def org(seller, line_a):
    def create(short_name, **values):
        return services.organization_create(
            actor=seller, business_lines=[line_a], short_name=short_name, **values
        )

    return create


@pytest.fixture
def person(seller, line_a):
    def create(last_name, first_name="", patronymic="", **values):
        return services.person_create(
            actor=seller,
            business_lines=[line_a],
            last_name=last_name,
            first_name=first_name,
            patronymic=patronymic,
            **values,
        )

    return create


@pytest.fixture
def directory(org, person, seller):
    """A small directory of line A: three organisations, two persons, contacts and jobs."""
    gazprom = org("Газпром", full_name="ПАО «Газпром»", inn="7736050003")
    romashka = org("Ромашка", full_name="ООО «Ромашка»", inn="7707083893")
    trading = org("Romashka Trading", full_name="Romashka Trading LLC")
    petrov = person("Петров", "Иван", "Сергеевич")
    sidorova = person("Сидорова", "Алёна", "Петровна")
    services.contact_add(
        actor=seller, kind="phone", value="+7 495 123 45 67", organization=romashka
    )
    services.contact_add(
        actor=seller, kind="email", value="Info@Romashka.ru", organization=romashka
    )
    services.contact_add(actor=seller, kind="phone", value="+7 916 555 44 33", person=sidorova)
    services.employment_create(
        actor=seller,
        person=petrov,
        organization=gazprom,
        position="Закупщик",
        work_phone="8 (812) 700-00-01",
        work_email="Petrov@Gazprom.ru",
    )
    return {"gazprom": gazprom, "romashka": romashka, "trading": trading, "petrov": petrov}


def names(results):
    return [o.short_name for o in results.organizations], [p.last_name for p in results.persons]


# Names -------------------------------------------------------------------------------


@pytest.mark.parametrize("query", ["газп", "ГАЗПРОМ", "пром", "Газпром пао"])
def test_cyrillic_fragments_in_any_case(seller, directory, query):
    organizations, _persons = names(search(seller, query))
    assert organizations[0] == "Газпром"


@pytest.mark.parametrize("query", ["romash", "TRADING", "Romashka trad", "llc romashka"])
def test_latin_fragments(seller, directory, query):
    organizations, _persons = names(search(seller, query))
    assert "Romashka Trading" in organizations


@pytest.mark.parametrize(
    ("query", "expected"),
    [("Газпрм", "Газпром"), ("Рамашка", "Ромашка"), ("газпорм", "Газпром"), ("Romaska", None)],
)
def test_typos_are_forgiven(seller, directory, query, expected):
    organizations, _persons = names(search(seller, query))
    assert organizations, query
    assert organizations[0] == (expected or "Romashka Trading")


def test_persons_by_surname_name_and_typos(seller, directory):
    assert names(search(seller, "петров"))[1][0] == "Петров"
    assert names(search(seller, "Питров"))[1] == ["Петров"]
    assert names(search(seller, "Иван Петров"))[1][0] == "Петров"
    assert names(search(seller, "Алена"))[1] == ["Сидорова"]  # ё typed as е
    assert names(search(seller, "Си"))[1] == ["Сидорова"]  # two letters: the start of a name
    assert names(search(seller, "Петров Иван Сергеевич"))[1][0] == "Петров"


def test_unrelated_words_find_nothing(seller, directory):
    results = search(seller, "Лукойл")
    assert results.kind == "name"
    assert not results.found


def test_exact_and_prefix_matches_come_first(seller, directory, org):
    org("Цветочная Ромашка")
    org("Ромашка-Сервис")
    org("Рамашка и партнёры")
    organizations, _persons = names(search(seller, "ромашка"))
    assert organizations == [
        "Ромашка",
        "Ромашка-Сервис",
        "Цветочная Ромашка",
        "Рамашка и партнёры",
    ]


def test_typos_fill_the_results_only_when_exact_matches_are_too_few(seller, org):
    for n in range(4):
        org(f"Ромашка {n}")
    org("Рамашка и партнёры")
    # Four names contain the word: they fill four results, the typo waits its turn ...
    assert "Рамашка и партнёры" not in names(search(seller, "ромашка", limit=4))[0]
    # ... and comes after them when there is room.
    assert names(search(seller, "ромашка", limit=5))[0][-1] == "Рамашка и партнёры"


def test_a_name_holding_only_some_of_the_words_is_still_found(seller, directory, org):
    org("Стройплюс")  # the other word is known, just not with this one
    assert names(search(seller, "Ромашка Плюс"))[0][:2] == ["Ромашка", "Стройплюс"]
    assert names(search(seller, "Ромашка Прогресс"))[0][0] == "Ромашка"


def test_exact_name_comes_first_among_many_containing_the_query(seller, org):
    for n in range(60):  # more than the candidates fetched for ten results
        org(f"Торговый дом Ромашка {n}")
    org("Ромашка")
    assert names(search(seller, "ромашка"))[0][0] == "Ромашка"


def test_limit_is_respected(seller, org):
    for n in range(6):
        org(f"Ромашка {n}")
    assert len(search(seller, "ромашка", limit=4).organizations) == 4


def test_renamed_and_deleted_records_are_searched_as_they_are(seller, directory):
    gazprom = directory["gazprom"]
    services.organization_update(
        actor=seller,
        organization=gazprom,
        expected_version=gazprom.version,
        short_name="Нефтегаз",
        full_name="АО «Нефтегаз»",
    )
    assert names(search(seller, "Нефтегаз"))[0] == ["Нефтегаз"]
    assert names(search(seller, "Нифтегаз"))[0] == ["Нефтегаз"]  # the new word, with a typo
    assert "Нефтегаз" not in names(search(seller, "Газпром"))[0]
    services.organization_delete(actor=seller, organization=directory["romashka"])
    assert "Ромашка" not in names(search(seller, "Ромашка"))[0]


def test_names_inserted_together_are_found_with_a_typo(seller, line_a):
    """Imports write many records in one statement (COPY on PostgreSQL, batched inserts
    on SQLite): the words of every one of their names are kept for the typo step."""
    from sputnik.directory.models import Person

    created = Organization.objects.bulk_create(
        Organization(short_name=name, full_name=f"ООО «{name}»")
        for name in ("Слоновик", "Китобой", "Казанский порт")
    )
    Organization.business_lines.through.objects.bulk_create(
        Organization.business_lines.through(organization=o, businessline=line_a) for o in created
    )
    people = Person.objects.bulk_create(
        Person(last_name=last, first_name="Иван") for last in ("Ковальчук", "Прохоренко")
    )
    Person.business_lines.through.objects.bulk_create(
        Person.business_lines.through(person=p, businessline=line_a) for p in people
    )
    for typo, found in (
        ("Слановик", "Слоновик"),
        ("Китабой", "Китобой"),
        ("Казанскей", "Казанский порт"),
    ):
        assert names(search(seller, typo))[0] == [found], typo
    assert names(search(seller, "Прахоренко"))[1] == ["Прохоренко"]


def test_names_with_unusual_characters_are_saved_and_found(seller, org):
    name = 'Торговый дом "Слоновик\\Китобой"\tи сыновья, [Казанский]'
    org(name)
    for typo in ("Слановик", "Китабой", "Казанскей"):
        assert names(search(seller, typo))[0] == [name], typo


# INN, phone, e-mail --------------------------------------------------------------------


def test_inn_finds_exactly_one_organisation(seller, directory):
    results = search(seller, " 7707083893 ")
    assert results.kind == "inn"
    assert names(results) == (["Ромашка"], [])
    unknown = search(seller, "7702070139")
    assert (unknown.kind, unknown.found) == ("inn", False)


def test_ten_digits_that_are_no_known_inn_are_tried_as_a_phone(seller, directory):
    services.contact_add(
        actor=seller, kind="phone", value="+7 770 207-01-39", organization=directory["trading"]
    )
    results = search(seller, "7702070139")  # a valid INN, but nobody holds it
    assert results.kind == "phone"
    assert names(results) == (["Romashka Trading"], [])


@pytest.mark.parametrize(
    "query", ["8 (495) 123-45-67", "+7 495 123 45 67", "84951234567", "4951234567", "123-45-67"]
)
def test_phone_in_any_format(seller, directory, query):
    results = search(seller, query)
    assert results.kind == "phone"
    assert names(results)[0] == ["Ромашка"]


def test_work_phone_and_person_contacts(seller, directory):
    assert names(search(seller, "8 812 700 00 01")) == (["Газпром"], ["Петров"])
    assert names(search(seller, "8-916-555-44-33")) == ([], ["Сидорова"])


def test_email_in_any_case(seller, directory):
    results = search(seller, "INFO@romashka.RU")
    assert results.kind == "email"
    assert names(results) == (["Ромашка"], [])
    assert names(search(seller, "petrov@GAZPROM.ru")) == (["Газпром"], ["Петров"])


def test_empty_query(seller, directory):
    results = search(seller, "   ")
    assert results.kind == "empty"
    assert not results.found


# Access ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query", ["Ромашка", "Рамашка", "7707083893", "8 (495) 123-45-67", "info@romashka.ru"]
)
def test_another_lines_records_are_never_found(outsider, directory, query):
    assert not search(outsider, query).found
    page, api = clients_for(outsider)
    response = page.get("/search/", {"q": query})
    assert response.status_code == 200
    assert directory["romashka"].get_absolute_url() not in response.content.decode()
    assert api.get("/api/v1/search/", {"q": query}).json()["organizations"] == []


def test_a_person_is_found_only_through_what_the_user_sees(outsider, directory, line_b):
    petrov = directory["petrov"]
    services.person_update(
        actor=None,
        person=petrov,
        expected_version=petrov.version,
        business_lines=[*petrov.business_lines.all(), line_b],
    )
    # Petrov is shared with line B, but his job (and its work phone) stays in line A.
    assert names(search(outsider, "Петров")) == ([], ["Петров"])
    assert not search(outsider, "8 812 700 00 01").found


def test_anonymous_callers_are_refused(client, directory):
    response = client.get("/search/", {"q": "Ромашка"})
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    page, api = clients_for(None)
    assert api.get("/api/v1/search/", {"q": "Ромашка"}).status_code == 401


# Page, header box, API -----------------------------------------------------------------


def test_page_groups_results_with_inn_and_current_organisation(seller, directory):
    page, _api = clients_for(seller)
    html = page.get("/search/", {"q": "8 812 700-00-01"}).content.decode()
    assert directory["gazprom"].get_absolute_url() in html
    assert directory["petrov"].get_absolute_url() in html
    assert "7736050003" in html  # the organisation's INN
    assert "Закупщик" in html  # Petrov's current job, with its organisation
    assert 'id="results"' in html
    assert 'data-testid="search-kind"' in html  # says it searched by phone number


def test_empty_page_teaches_what_can_be_searched(seller):
    page, _api = clients_for(seller)
    html = page.get("/search/").content.decode()
    assert "sp-empty" in html
    assert "8 (495) 123-45-67" in html


def test_htmx_gets_the_partial_and_the_header_box_a_compact_one(seller, directory):
    page, _api = clients_for(seller)
    partial = page.get("/search/", {"q": "газпр"}, headers={"HX-Request": "true"})
    assert partial.content.decode().lstrip().startswith('<div id="results"')
    dropdown = page.get(
        "/search/",
        {"q": "газпр"},
        headers={"HX-Request": "true", "HX-Target": "search-dropdown"},
    ).content.decode()
    assert "<html" not in dropdown
    assert 'data-testid="search-dropdown-results"' in dropdown
    assert directory["gazprom"].get_absolute_url() in dropdown
    empty = page.get(
        "/search/", {"q": ""}, headers={"HX-Request": "true", "HX-Target": "search-dropdown"}
    )
    assert empty.content.decode().strip() == ""


def test_header_box_is_on_every_page_for_directory_users(seller, make_user):
    page, _api = clients_for(seller)
    html = page.get("/").content.decode()
    assert 'role="search"' in html
    assert 'data-shortcut="search"' in html
    assert 'hx-target="#search-dropdown"' in html
    nobody, _api = clients_for(make_user(role=None))
    assert 'hx-target="#search-dropdown"' not in nobody.get("/").content.decode()


def test_api_answers_kind_organisations_and_persons(seller, directory):
    _page, api = clients_for(seller)
    response = api.get("/api/v1/search/", {"q": "8 (812) 700-00-01"})
    assert response.status_code == 200
    body = response.json()
    gazprom, petrov = directory["gazprom"], directory["petrov"]
    assert body["kind"] == "phone"
    assert body["organizations"] == [
        {
            "id": gazprom.pk,
            "short_name": "Газпром",
            "inn": "7736050003",
            "url": f"http://testserver{gazprom.get_absolute_url()}",
        }
    ]
    assert body["persons"] == [
        {
            "id": petrov.pk,
            "full_name": "Петров Иван Сергеевич",
            "url": f"http://testserver{petrov.get_absolute_url()}",
        }
    ]
    assert api.get("/api/v1/search/", {"q": "Газпрм"}).json()["organizations"][0]["id"] == (
        gazprom.pk
    )


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_header_box_finds_as_you_type(signed_in, live_server, seller, directory):
    page = signed_in(seller)
    box = page.get_by_test_id("header-search").locator("input")
    page.keyboard.press("/")  # the shortcut focuses the header box
    expect(box).to_be_focused()
    page.keyboard.type("Газпрм")
    # Wait for the answer to the whole query, not to a prefix typed on the way.
    dropdown = page.locator('[data-testid=search-dropdown-results][data-query="Газпрм"]')
    expect(dropdown).to_contain_text("Газпром")
    expect(dropdown).not_to_contain_text("Ромашка")
    dropdown.get_by_role("link", name=re.compile("Газпром")).click()
    page.wait_for_url(f"{live_server.url}{directory['gazprom'].get_absolute_url()}")
    page.keyboard.press("/")
    expect(box).to_be_focused()
    page.keyboard.type("8 (495) 123-45-67")
    # The dropdown's answer first: the live server's single in-memory SQLite connection
    # cannot serve it and the full page at the same time.
    phone = page.locator('[data-testid=search-dropdown-results][data-query="8 (495) 123-45-67"]')
    expect(phone).to_contain_text("7707083893")
    page.keyboard.press("Enter")  # the full page
    page.wait_for_url(re.compile(r"/search/\?q="))
    expect(page.get_by_test_id("found-organizations")).to_contain_text("7707083893")


# Queries -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "headers"),
    [
        ("/search/?q=Ромашка", {}),
        ("/search/?q=Ромашка", {"HX-Request": "true", "HX-Target": "search-dropdown"}),
        ("/search/?q=8 495 123-45-67", {}),
        ("/api/v1/search/?q=Ромашка&limit=5", {}),
    ],
)
def test_query_count_does_not_grow_with_results(seller, directory, org, person, url, headers):
    page, api = clients_for(seller)
    client = api if url.startswith("/api/") else page

    def grow():
        for n in range(count := Organization.objects.count(), count + 3):
            found = org(f"Ромашка {n}")
            someone = person(f"Ромашкин{n}", "Пётр")
            services.employment_create(
                actor=seller, person=someone, organization=found, work_phone="+7 495 123 45 67"
            )
            services.contact_add(
                actor=seller, kind="phone", value="+7 495 123 45 67", organization=found
            )

    # Persons and jobs found from the start, and enough names containing the query to
    # fill five results (the typo step is then skipped) before and after.
    grow()
    grow()
    assert_constant_queries(client, url, grow, **headers)
