"""The undesirable-counterparty registry (DIR-6): services, pages, API and query counts."""

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import ValidationError
from django.template import Context, Template
from django.utils import translation

from sputnik.access.models import RoleCode
from sputnik.core.testing import (
    AccessCase,
    assert_anonymous_refused,
    assert_constant_queries,
    assert_read_only,
    clients_for,
)
from sputnik.directory.blacklist import (
    blacklist_add,
    blacklist_remove,
    is_undesirable,
    undesirable_condition,
    undesirable_entries,
    undesirable_ids,
)
from sputnik.directory.models import BlacklistEntry, Organization
from sputnik.directory.services import organization_create
from sputnik.directory.tests.factories import INNS

pytestmark = pytest.mark.django_db

ROMASHKA_INN, VASILEK_INN, BARE_INN = "7707083893", "7736050003", "7702070139"
EN = {"accept-language": "en"}


@pytest.fixture
def make_org(admin_user, line_a):
    def make(short_name, inn=""):
        return organization_create(
            actor=admin_user, business_lines=[line_a], short_name=short_name, inn=inn
        )

    return make


@pytest.fixture
def romashka(make_org):
    return make_org("Ромашка", ROMASHKA_INN)


@pytest.fixture
def director(make_user):
    return make_user(RoleCode.DIRECTOR, all_lines_role="read")


@pytest.fixture
def salesperson(make_user, line_a):
    return make_user(RoleCode.SALESPERSON, lines={line_a: "write"})


def add(actor, **values):
    return blacklist_add(actor=actor, reason=values.pop("reason", "Срыв поставок"), **values)


def errors_of(call) -> dict:
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        call()
    return caught.value.message_dict


# Services ---------------------------------------------------------------------------


def test_an_organisation_is_added_with_its_inn_and_name(security_officer, romashka):
    entry = add(security_officer, organization=romashka)
    assert (entry.organization, entry.inn, entry.name) == (romashka, ROMASHKA_INN, "Ромашка")
    assert entry.added_by == security_officer
    assert entry.is_active


def test_a_bare_inn_is_added_normalised(security_officer):
    entry = add(security_officer, inn=" 7702 070139 ", name="Неизвестная фирма")
    assert (entry.organization, entry.inn, entry.name) == (None, BARE_INN, "Неизвестная фирма")


def test_a_second_active_entry_is_refused_naming_the_field(security_officer, romashka):
    add(security_officer, organization=romashka)
    by_organization = errors_of(lambda: add(security_officer, organization=romashka))
    assert "“Ромашка” has been in the undesirable registry" in by_organization["organization"][0]
    by_inn = errors_of(lambda: add(security_officer, inn=ROMASHKA_INN))
    assert "has been in the undesirable registry" in by_inn["inn"][0]
    assert BlacklistEntry.objects.count() == 1


@pytest.mark.parametrize(
    ("inn", "message"),
    [
        ("7707083890", "wrong check digit"),
        ("123", "10 or 12 digits"),
        ("77O7083893", "digits only"),
        ("", "Choose an organisation or enter an INN."),
    ],
)
def test_a_bad_inn_is_refused_with_a_message(security_officer, inn, message):
    errors = errors_of(lambda: add(security_officer, inn=inn))
    assert message in errors["inn"][0]
    assert not BlacklistEntry.objects.exists()


def test_a_reason_is_required(security_officer, romashka):
    assert "reason" in errors_of(lambda: add(security_officer, organization=romashka, reason=" "))


def test_an_inn_other_than_the_organisations_is_refused(security_officer, romashka):
    errors = errors_of(lambda: add(security_officer, organization=romashka, inn=VASILEK_INN))
    assert "is not the INN of “Ромашка”" in errors["inn"][0]


def test_removal_closes_the_entry_and_keeps_the_history(security_officer, romashka):
    entry = add(security_officer, organization=romashka)
    removed = blacklist_remove(actor=security_officer, entry=entry, reason="Долг погашен")
    assert not removed.is_active
    assert (removed.removed_by, removed.removal_reason) == (security_officer, "Долг погашен")
    assert BlacklistEntry.objects.filter(pk=entry.pk).exists()
    assert is_undesirable(organization=romashka) is None
    actions = LogEntry.objects.get_for_object(entry).values_list("action", flat=True)
    assert sorted(actions) == [LogEntry.Action.CREATE, LogEntry.Action.UPDATE]
    again = add(security_officer, organization=romashka, reason="Снова срыв")
    assert BlacklistEntry.objects.filter(organization=romashka).count() == 2
    assert is_undesirable(organization=romashka) == again


def test_removal_needs_a_reason_and_happens_once(security_officer, romashka):
    entry = add(security_officer, organization=romashka)
    errors = errors_of(lambda: blacklist_remove(actor=security_officer, entry=entry, reason=""))
    assert "reason" in errors
    blacklist_remove(actor=security_officer, entry=entry, reason="Ошибка")
    with translation.override("en"), pytest.raises(ValidationError, match="already been removed"):
        blacklist_remove(actor=security_officer, entry=entry, reason="Ещё раз")


def test_is_undesirable_by_organisation_and_by_inn(security_officer, romashka, make_org):
    vasilek = make_org("Василёк", VASILEK_INN)
    entry = add(security_officer, organization=romashka)
    assert is_undesirable(organization=romashka) == entry
    assert is_undesirable(inn=ROMASHKA_INN) == entry
    assert is_undesirable(organization=vasilek) is None
    assert is_undesirable(inn=BARE_INN) is None
    assert is_undesirable() is None


def test_an_organisation_registered_after_its_inn_is_matched(security_officer, make_org):
    entry = add(security_officer, inn=BARE_INN, name="Однодневка")
    newcomer = make_org("Однодневка", BARE_INN)
    assert is_undesirable(organization=newcomer) == entry
    assert undesirable_ids([newcomer]) == {newcomer.pk}
    assert list(Organization.objects.filter(undesirable_condition())) == [newcomer]


def test_a_list_page_is_flagged_in_one_query(
    security_officer, romashka, make_org, django_assert_num_queries
):
    vasilek, foreign = make_org("Василёк", VASILEK_INN), make_org("Foreign Ltd")
    later = make_org("Однодневка", BARE_INN)
    named = add(security_officer, organization=romashka)
    by_inn = add(security_officer, inn=BARE_INN)
    add(security_officer, organization=foreign)
    blacklist_remove(
        actor=security_officer, entry=add(security_officer, organization=vasilek), reason="Ок"
    )
    page = list(Organization.objects.order_by("pk"))
    with django_assert_num_queries(1):
        entries = undesirable_entries(page)
    assert entries == {romashka.pk: named, later.pk: by_inn, foreign.pk: entries[foreign.pk]}
    with django_assert_num_queries(1):
        assert undesirable_ids(page) == {romashka.pk, later.pk, foreign.pk}
    with django_assert_num_queries(0):
        assert undesirable_ids([]) == set()
    assert set(Organization.objects.exclude(undesirable_condition())) == {vasilek}


def test_the_badge_shows_the_reason(security_officer, romashka):
    entry = add(security_officer, organization=romashka, reason="Суд & долги")
    badge = Template("{% load directory %}{% undesirable_badge entry %}")
    with translation.override("en"):
        html = badge.render(Context({"entry": entry}))
    assert "text-bg-danger" in html and "Undesirable" in html
    assert 'title="Суд &amp; долги"' in html and ": Суд &amp; долги</span>" in html
    with translation.override("ru"):
        assert "Нежелательный" in badge.render(Context({"entry": entry}))
    assert badge.render(Context({"entry": None})) == ""


# Pages ------------------------------------------------------------------------------


def test_security_officer_adds_and_removes_through_the_pages(client, security_officer, romashka):
    client.force_login(security_officer)
    assert client.get(f"/undesirable/new/?organization={romashka.pk}").status_code == 200
    response = client.post(
        "/undesirable/new/", {"organization": romashka.pk, "reason": "Срыв поставок"}
    )
    entry = BlacklistEntry.objects.get()
    assert response["Location"] == f"/undesirable/{entry.pk}/"
    page = client.get(response["Location"], headers=EN).content.decode()
    assert "Срыв поставок" in page and 'data-testid="remove-form"' in page
    assert f"/history/directory/blacklistentry/{entry.pk}/" in page
    refused = client.post(f"/undesirable/{entry.pk}/remove/", {"reason": ""}, headers=EN)
    assert refused.status_code == 200 and "This field is required" in refused.content.decode()
    removed = client.post(f"/undesirable/{entry.pk}/remove/", {"reason": "Долг погашен"})
    assert removed["Location"] == f"/undesirable/{entry.pk}/"
    entry.refresh_from_db()
    assert (entry.removed_by, entry.removal_reason) == (security_officer, "Долг погашен")
    page = client.get(f"/undesirable/{entry.pk}/").content.decode()
    assert 'data-testid="removal-reason"' in page and 'data-testid="remove-form"' not in page
    assert client.get(f"/undesirable/{entry.pk}/remove/").status_code == 302
    history = client.get(f"/history/directory/blacklistentry/{entry.pk}/")
    assert history.status_code == 200


def test_the_form_refuses_a_bad_inn_and_a_duplicate_next_to_the_field(
    client, security_officer, romashka
):
    client.force_login(security_officer)
    bad = client.post("/undesirable/new/", {"inn": "7707083890", "reason": "x"}, headers=EN)
    assert bad.status_code == 200 and "wrong check digit" in bad.content.decode()
    assert "7707083890" in bad.content.decode()  # what was typed is kept
    first = add(security_officer, organization=romashka)
    duplicate = client.post(
        "/undesirable/new/", {"inn": ROMASHKA_INN, "reason": "Ещё раз"}, headers=EN
    )
    content = duplicate.content.decode()
    assert "has been in the undesirable registry" in content
    assert f'href="/undesirable/{first.pk}/"' in content
    neither = client.post("/undesirable/new/", {"reason": "x"}, headers=EN)
    assert "Choose an organisation or enter an INN." in neither.content.decode()
    assert BlacklistEntry.objects.count() == 1


def test_bare_inn_is_added_from_the_form(client, security_officer):
    client.force_login(security_officer)
    form = {"inn": BARE_INN, "name": "Однодневка", "reason": "Признаки фирмы-однодневки"}
    response = client.post("/undesirable/new/", form)
    assert response.status_code == 302
    assert BlacklistEntry.objects.get().inn == BARE_INN


def test_the_list_filters_and_answers_htmx_with_the_table(
    client, security_officer, romashka, make_org
):
    entry = add(security_officer, organization=romashka)
    add(security_officer, inn=BARE_INN, name="Однодневка")
    blacklist_remove(actor=security_officer, entry=entry, reason="Ок")
    client.force_login(security_officer)
    full = client.get("/undesirable/").content.decode()
    assert '<nav class="navbar' in full and "Однодневка" in full and "Ромашка" not in full
    assert 'href="/undesirable/"' in full  # the navigation link
    removed = client.get("/undesirable/?active=false").content.decode()
    assert "Ромашка" in removed and "Однодневка" not in removed
    every = client.get("/undesirable/?active=all", headers={"hx-request": "true"}).content.decode()
    assert '<nav class="navbar' not in every and 'id="table"' in every
    assert "Ромашка" in every and "Однодневка" in every
    by_inn = client.get(f"/undesirable/?active=all&inn={ROMASHKA_INN}").content.decode()
    assert "Ромашка" in by_inn and "Однодневка" not in by_inn
    by_name = client.get("/undesirable/?q=Однодн").content.decode()
    assert "Однодневка" in by_name
    by_organization = client.get(f"/undesirable/?active=all&organization={romashka.pk}")
    assert "Однодневка" not in by_organization.content.decode()


def test_an_empty_registry_teaches(client, security_officer, director):
    client.force_login(security_officer)
    page = client.get("/undesirable/", headers=EN).content.decode()
    assert 'data-testid="blacklist-empty"' in page and "/undesirable/new/" in page
    client.force_login(director)
    page = client.get("/undesirable/", headers=EN).content.decode()
    assert 'data-testid="blacklist-empty"' in page and "/undesirable/new/" not in page


def test_roles_without_the_permission_get_403(client, salesperson, romashka, security_officer):
    entry = add(security_officer, organization=romashka)
    client.force_login(salesperson)
    for url in ("/undesirable/", "/undesirable/new/", f"/undesirable/{entry.pk}/"):
        assert client.get(url).status_code in {403, 404}, url
    assert client.get("/undesirable/").status_code == 403
    assert client.get("/undesirable/new/").status_code == 403
    posted = client.post("/undesirable/new/", {"organization": romashka.pk, "reason": "x"})
    assert posted.status_code == 403
    assert 'href="/undesirable/"' not in client.get("/").content.decode()
    assert BlacklistEntry.objects.count() == 1


def entry_case(entry: BlacklistEntry) -> AccessCase:
    def remove_page(page, api):
        return page.post(f"/undesirable/{entry.pk}/remove/", {"reason": "Ок"}).status_code

    def remove_api(page, api):
        url = f"/api/v1/blacklist/{entry.pk}/remove/"
        return api.post(url, {"reason": "Ок"}, format="json").status_code

    def add_page(page, api):
        return page.post("/undesirable/new/", {"inn": BARE_INN, "reason": "x"}).status_code

    def add_api(page, api):
        payload = {"inn": BARE_INN, "reason": "x"}
        return api.post("/api/v1/blacklist/", payload, format="json").status_code

    return AccessCase(
        record=entry,
        marker=entry.reason,
        pages=[f"/undesirable/{entry.pk}/", "/undesirable/new/"],
        list_pages=["/undesirable/"],
        api_detail=f"/api/v1/blacklist/{entry.pk}/",
        api_list="/api/v1/blacklist/",
        writes=[remove_page, remove_api, add_page, add_api],
        unchanged=lambda: BlacklistEntry.objects.get().is_active,
    )


def test_anonymous_is_sent_to_login_and_readers_only_read(security_officer, director, romashka):
    entry = add(security_officer, organization=romashka)
    case = entry_case(entry)
    assert_anonymous_refused(case)
    page, _api = clients_for(None)
    assert page.post(f"/undesirable/{entry.pk}/remove/")["Location"].startswith("/accounts/login/")
    assert_read_only(case, director)
    page, _api = clients_for(director)
    content = page.get(f"/undesirable/{entry.pk}/").content.decode()
    assert 'data-testid="remove-form"' not in content
    assert "/undesirable/new/" not in page.get("/undesirable/").content.decode()


# API --------------------------------------------------------------------------------


def test_api_creates_and_removes(security_officer, romashka):
    _page, api = clients_for(security_officer)
    created = api.post(
        "/api/v1/blacklist/", {"organization": romashka.pk, "reason": "Суд"}, format="json"
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert (body["inn"], body["is_active"], body["added_by"]) == (
        ROMASHKA_INN,
        True,
        security_officer.pk,
    )
    bare = api.post("/api/v1/blacklist/", {"inn": BARE_INN, "reason": "x"}, format="json")
    assert bare.status_code == 201
    removed = api.post(
        f"/api/v1/blacklist/{body['id']}/remove/", {"reason": "Решено"}, format="json"
    )
    assert removed.status_code == 200
    assert (removed.json()["is_active"], removed.json()["removal_reason"]) == (False, "Решено")
    entry = BlacklistEntry.objects.get(pk=body["id"])
    assert LogEntry.objects.get_for_object(entry).filter(actor=security_officer).count() == 2
    active = api.get("/api/v1/blacklist/?active=true").json()["results"]
    assert [row["inn"] for row in active] == [BARE_INN]
    assert len(api.get("/api/v1/blacklist/").json()["results"]) == 2
    by_organization = api.get(f"/api/v1/blacklist/?organization={romashka.pk}").json()
    assert [row["id"] for row in by_organization["results"]] == [body["id"]]
    by_inn = api.get(f"/api/v1/blacklist/?inn={BARE_INN}").json()["results"]
    assert [row["inn"] for row in by_inn] == [BARE_INN]


def test_api_refuses_bad_input_with_field_errors(security_officer, romashka):
    _page, api = clients_for(security_officer)
    bad = api.post("/api/v1/blacklist/", {"inn": "7707083890", "reason": "x"}, format="json")
    assert bad.status_code == 400 and "inn" in bad.json()["errors"]
    api.post("/api/v1/blacklist/", {"organization": romashka.pk, "reason": "x"}, format="json")
    twice = api.post(
        "/api/v1/blacklist/", {"organization": romashka.pk, "reason": "x"}, format="json"
    )
    assert twice.status_code == 400 and "organization" in twice.json()["errors"]
    entry = BlacklistEntry.objects.get()
    no_reason = api.post(f"/api/v1/blacklist/{entry.pk}/remove/", {}, format="json")
    assert no_reason.status_code == 400 and "reason" in no_reason.json()["errors"]


def test_api_has_no_edit_or_delete(security_officer, romashka):
    entry = add(security_officer, organization=romashka)
    _page, api = clients_for(security_officer)
    url = f"/api/v1/blacklist/{entry.pk}/"
    assert api.put(url, {"reason": "y"}, format="json").status_code == 405
    assert api.patch(url, {"reason": "y"}, format="json").status_code == 405
    assert api.delete(url).status_code == 405
    assert BlacklistEntry.objects.get().reason == "Срыв поставок"


def test_api_refuses_salespeople_and_anonymous(salesperson, security_officer, romashka):
    entry = add(security_officer, organization=romashka)
    _page, api = clients_for(salesperson)
    payload = {"organization": romashka.pk, "reason": "x"}
    assert api.post("/api/v1/blacklist/", payload, format="json").status_code == 403
    assert api.post(f"/api/v1/blacklist/{entry.pk}/remove/", {"reason": "x"}).status_code == 404
    assert api.get("/api/v1/blacklist/").json()["results"] == []
    _page, anonymous = clients_for(None)
    assert anonymous.get("/api/v1/blacklist/").status_code == 401
    assert anonymous.post("/api/v1/blacklist/", payload, format="json").status_code == 401
    assert BlacklistEntry.objects.get().is_active


# Query counts -----------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/undesirable/", "/undesirable/?active=all", "/api/v1/blacklist/"])
def test_list_queries_do_not_grow_with_rows(url, security_officer, make_org):
    counter = iter(range(1000))

    def grow():
        for _ in range(3):
            n = next(counter)
            organization = make_org(f"Организация {n}")
            entry = add(security_officer, organization=organization)
            blacklist_remove(actor=security_officer, entry=entry, reason="Ок")
            add(security_officer, organization=organization)

    grow()
    page, api = clients_for(security_officer)
    assert_constant_queries(api if url.startswith("/api/") else page, url, grow)


def test_a_registered_inn_is_linked_to_the_organisation_already_in_the_base(
    security_officer, line_a
):
    from sputnik.directory.blacklist import blacklist_add
    from sputnik.directory.tests.factories import OrganizationFactory

    org = OrganizationFactory(business_lines=[line_a], short_name="Магнит", inn="2309085638")
    entry = blacklist_add(actor=security_officer, inn="2309085638", reason="Долги")
    assert entry.organization == org


def test_search_results_flag_undesirable_organisations(client, security_officer, make_user, line_a):
    from sputnik.directory.blacklist import blacklist_add
    from sputnik.directory.tests.factories import OrganizationFactory

    OrganizationFactory(business_lines=[line_a], short_name="Магнит", inn="2309085638")
    blacklist_add(actor=security_officer, inn="2309085638", reason="Долги")
    client.force_login(make_user(lines={line_a: "read"}))
    for headers in ({}, {"HX-Request": "true", "HX-Target": "search-dropdown"}):
        content = client.get("/search/?q=Магнит", headers=headers).content.decode()
        assert 'data-testid="undesirable-badge"' in content


def test_creating_an_organisation_with_a_registered_inn_warns_first(
    client, security_officer, salesperson, line_a
):
    add(security_officer, inn=INNS[2], reason="Судебные споры")
    client.force_login(salesperson)
    form = {
        "short_name": "Новая",
        "inn": INNS[2],
        "status": "prospect",
        "country": "RU",
        "business_lines": [line_a.pk],
    }
    warned = client.post("/organizations/new/", form).content.decode()
    assert 'data-testid="registered-inn"' in warned and "Судебные споры" in warned
    assert not Organization.objects.filter(short_name="Новая").exists()
    saved = client.post("/organizations/new/", {**form, "confirm_undesirable": "1"})
    assert saved.status_code == 302
    card = client.get(saved["Location"]).content.decode()
    assert 'data-testid="undesirable-alert"' in card


def test_api_flags_and_filters_undesirable_organisations(security_officer, salesperson, make_org):
    flagged = make_org("Плохая", INNS[3])
    make_org("Хорошая")
    add(security_officer, inn=INNS[3], reason="Долги")
    api = clients_for(salesperson)[1]
    rows = api.get("/api/v1/organizations/").json()["results"]
    assert {o["short_name"]: o["undesirable"] for o in rows} == {"Плохая": True, "Хорошая": False}
    only = api.get("/api/v1/organizations/?undesirable=true").json()["results"]
    assert [o["id"] for o in only] == [flagged.pk]
    without = api.get("/api/v1/organizations/?undesirable=false").json()["results"]
    assert [o["short_name"] for o in without] == ["Хорошая"]
    assert api.get(f"/api/v1/organizations/{flagged.pk}/").json()["undesirable"] is True


def test_people_of_an_undesirable_organisation_show_the_flag(
    client, security_officer, salesperson, make_org, line_a
):
    from sputnik.directory.services import employment_create, person_create

    bad = make_org("Плохая", INNS[4])
    person = person_create(actor=None, business_lines=[line_a], last_name="Работников")
    employment_create(actor=None, person=person, organization=bad)
    client.force_login(salesperson)
    assert "undesirable-badge" not in client.get(f"/persons/{person.pk}/").content.decode()
    add(security_officer, organization=bad, reason="Долги")
    for url in (f"/persons/{person.pk}/", "/persons/"):
        assert 'data-testid="undesirable-badge"' in client.get(url).content.decode(), url
