"""Custom attributes: defined by administrators, checked, shown, filtered, sorted, in the
API and its schema, and in the history (DIR-3)."""

import re

import pytest
from django.core.exceptions import ValidationError

from sputnik.core.testing import clients_for
from sputnik.directory import services
from sputnik.directory.attributes import clean_attributes
from sputnik.directory.models import AttributeDefinition, Organization, Person
from sputnik.directory.tests.factories import OrganizationFactory, PersonFactory

pytestmark = pytest.mark.django_db

# One attribute of each type: (type, code, a good value as sent, as stored, a bad value).
EACH_TYPE = [
    ("string", "segment", "  Крупный бизнес ", "Крупный бизнес", {"x": 1}),
    ("text", "history", "Давний клиент", "Давний клиент", ["a"]),
    ("integer", "staff", "1200", 1200, "12,5"),
    ("decimal", "revenue", "1234,50", "1234.50", "много"),
    ("date", "founded", "2001-02-03", "2001-02-03", "03.02.2001x"),
    ("boolean", "partner", True, True, "может быть"),
    ("choice", "size", "Средний", "Средний", "Гигантский"),
    ("multi_choice", "channels", ["Звонки", "Почта"], ["Звонки", "Почта"], ["Голуби"]),
]
OPTIONS = {"size": ["Малый", "Средний", "Крупный"], "channels": ["Звонки", "Почта", "Встречи"]}


def define(code, kind, target="organization", **extra):
    return services.attribute_definition_save(
        actor=None,
        definition=AttributeDefinition(),
        target=target,
        code=code,
        type=kind,
        label_ru=f"Поле {code}",
        label_en=f"Field {code}",
        choices=OPTIONS.get(code, []),
        **extra,
    )


@pytest.fixture
def each_type(db):
    return {code: define(code, kind, show_in_list=True) for kind, code, *_ in EACH_TYPE}


@pytest.fixture
def seller(make_user, line_a):
    return make_user(lines={line_a: "write"})


# Checking values --------------------------------------------------------------------


@pytest.mark.parametrize(("kind", "code", "sent", "stored", "bad"), EACH_TYPE)
def test_each_type_is_stored_typed_and_a_wrong_value_names_the_attribute(
    each_type, kind, code, sent, stored, bad
):
    assert clean_attributes("organization", {code: sent}) == {code: stored}
    assert clean_attributes("organization", {code: stored}) == {code: stored}  # idempotent
    with pytest.raises(ValidationError) as refused:
        clean_attributes("organization", {code: bad})
    assert refused.value.message_dict["attributes"][0].startswith(f"Поле {code}:")


def test_reference_to_an_organisation_must_exist_and_be_visible(db, line_a, line_b, make_user):
    define("holding", "organization")
    mine = OrganizationFactory(business_lines=[line_a])
    theirs = OrganizationFactory(business_lines=[line_b])
    user = make_user(lines={line_a: "write"})
    assert clean_attributes("organization", {"holding": mine.pk}, user=user) == {"holding": mine.pk}
    for bad in (theirs.pk, 999999, "abc"):
        with pytest.raises(ValidationError):
            clean_attributes("organization", {"holding": bad}, user=user)


def test_required_unknown_and_retired_attributes(db, line_a):
    define("staff", "integer", required=True)
    retired = define("old_code", "string")
    with pytest.raises(ValidationError, match="обязательн|required"):
        services.organization_create(actor=None, business_lines=[line_a], short_name="Без поля")
    org = services.organization_create(
        actor=None,
        business_lines=[line_a],
        short_name="С полем",
        attributes={"staff": 5, "old_code": "было"},
    )
    services.attribute_definition_save(actor=None, definition=retired, is_active=False)
    org.refresh_from_db()
    # A retired value sent back unchanged is kept; a new one or an unknown code is refused.
    kept = clean_attributes("organization", dict(org.attributes), current=org.attributes)
    assert kept == {"staff": 5, "old_code": "было"}
    for values in ({"old_code": "стало"}, {"nonsense": 1}):
        with pytest.raises(ValidationError):
            clean_attributes("organization", values, current=org.attributes)
    # An empty value removes an optional attribute; the required one cannot be removed.
    define("note", "string")
    assert clean_attributes("organization", {"note": "x"}, current=org.attributes)["note"] == "x"
    with pytest.raises(ValidationError):
        clean_attributes("organization", {"staff": None}, current=org.attributes)


def test_definition_rules(db):
    with pytest.raises(ValidationError) as no_options:
        define("size_without", "choice")
    assert "choices" in no_options.value.message_dict
    define("staff", "integer")
    with pytest.raises(ValidationError) as taken:
        define("staff", "string")
    assert "code" in taken.value.message_dict
    assert define("staff", "string", target="person").target == "person"  # per kind of record
    with pytest.raises(ValidationError) as bad_code:
        define("Штат", "integer")
    assert "code" in bad_code.value.message_dict
    staff = AttributeDefinition.objects.get(target="organization", code="staff")
    with pytest.raises(ValidationError) as fixed:
        services.attribute_definition_save(actor=None, definition=staff, type="decimal")
    assert "type" in fixed.value.message_dict


# Pages -------------------------------------------------------------------------------


def test_administrator_defines_an_attribute_of_each_type_on_the_page(admin_user, seller):
    page = clients_for(admin_user)[0]
    for kind, code, *_ in EACH_TYPE:
        form = {
            "target": "organization",
            "type": kind,
            "code": code,
            "label_ru": f"Поле {code}",
            "label_en": f"Field {code}",
            "options": "\n".join(OPTIONS.get(code, [])),
            "order": 0,
            "is_active": "on",
        }
        response = page.post("/attributes/new/", form)
        assert response.status_code == 302, response.content.decode()
    assert AttributeDefinition.objects.get(code="channels").choices == OPTIONS["channels"]
    content = page.get("/attributes/").content.decode()
    assert all(f"Поле {code}" in content for _k, code, *_ in EACH_TYPE)
    bad = page.post("/attributes/new/", {**form, "code": "size2", "type": "choice", "options": ""})
    assert "one per line" in bad.content.decode() or "по одному" in bad.content.decode()
    # Salespeople read the definitions (their forms need them) but cannot define any.
    seller_page = clients_for(seller)[0]
    assert seller_page.get("/attributes/").status_code == 200
    assert seller_page.post("/attributes/new/", form).status_code == 403
    staff = AttributeDefinition.objects.get(code="staff")
    assert seller_page.post(f"/attributes/{staff.pk}/edit/", form).status_code == 403


def test_form_card_and_history_show_the_attributes(each_type, seller, line_a):
    page = clients_for(seller)[0]
    form = page.get("/organizations/new/").content.decode()
    assert 'name="attr_staff"' in form and 'name="attr_channels"' in form
    data = {
        "short_name": "Ромашка",
        "status": "prospect",
        "country": "RU",
        "business_lines": [line_a.pk],
        "confirm_different": "1",
        "attr_staff": "много",
        "attr_revenue": "1 234,5",
        "attr_founded": "2001-02-03",
        "attr_size": "Средний",
        "attr_channels": ["Звонки", "Почта"],
        "attr_partner": "on",
    }
    refused = page.post("/organizations/new/", data).content.decode()
    assert "is-invalid" in refused and not Organization.objects.exists()
    response = page.post("/organizations/new/", {**data, "attr_staff": "1200"})
    assert response.status_code == 302
    org = Organization.objects.get()
    assert org.attributes == {
        "staff": 1200,
        "revenue": "1234.5",
        "founded": "2001-02-03",
        "size": "Средний",
        "channels": ["Звонки", "Почта"],
        "partner": True,
    }
    card = page.get(response["Location"]).content.decode()
    assert "03.02.2001" in card and "1\xa0234,5" in card and "Звонки, Почта" in card
    edit = page.get(f"/organizations/{org.pk}/edit/").content.decode()
    assert re.search(r'name="attr_staff"[^>]*value="1200"|value="1200"[^>]*name="attr_staff"', edit)
    page.post(
        f"/organizations/{org.pk}/edit/",
        {**data, "attr_staff": "1300", "attr_size": "", "version": org.version},
    )
    org.refresh_from_db()
    assert org.attributes["staff"] == 1300 and "size" not in org.attributes
    history = page.get(f"/history/directory/organization/{org.pk}/").content.decode()
    assert "Поле staff" in history and "1\xa0300" in history and "Поле size" in history


def test_person_form_has_the_person_attributes_only(db, seller, line_a):
    define("hobby", "string", target="person", required=True)
    define("staff", "integer")
    page = clients_for(seller)[0]
    content = page.get("/persons/new/").content.decode()
    assert 'name="attr_hobby"' in content and 'name="attr_staff"' not in content
    data = {"last_name": "Иванов", "business_lines": [line_a.pk]}
    assert "is-invalid" in page.post("/persons/new/", data).content.decode()
    page.post("/persons/new/", {**data, "attr_hobby": "Шахматы"})
    assert Person.objects.get().attributes == {"hobby": "Шахматы"}


# Lists: filter and sort ---------------------------------------------------------------

FILTERS = [
    ("attr_segment=круп", ["Бета"]),
    ("attr_history=давн", ["Альфа"]),
    ("attr_staff_min=100", ["Альфа"]),
    ("attr_staff_max=99", ["Бета"]),
    ("attr_revenue_min=10.5", ["Альфа"]),
    ("attr_founded_max=2005-01-01", ["Альфа"]),
    ("attr_partner=false", ["Бета", "Гамма"]),  # "no" includes "never set"
    ("attr_size=Малый", ["Бета"]),
    ("attr_channels=Почта", ["Альфа", "Бета"]),
    ("attr_channels=Звонки", ["Альфа"]),
]
SORTS = [
    ("attr_staff", ["Бета", "Альфа", "Гамма"]),  # 20 < 1200; no value last
    ("-attr_staff", ["Альфа", "Бета", "Гамма"]),
    ("attr_revenue", ["Бета", "Альфа", "Гамма"]),  # 9.9 < 100.25 as numbers
    ("attr_founded", ["Альфа", "Бета", "Гамма"]),
    ("attr_segment", ["Бета", "Альфа", "Гамма"]),  # "Крупный" before "Малый бизнес"
    ("attr_holding", ["Бета", "Альфа", "Гамма"]),  # by the referenced organisation's name
]


@pytest.fixture
def three(each_type, line_a):
    define("holding", "organization", show_in_list=True)
    ya = OrganizationFactory(business_lines=[line_a], short_name="Яхонт")
    ab = OrganizationFactory(business_lines=[line_a], short_name="Аврора")
    make = OrganizationFactory
    make(
        business_lines=[line_a],
        short_name="Альфа",
        attributes={
            "segment": "Малый бизнес",
            "history": "Давний",
            "staff": 1200,
            "revenue": "100.25",
            "founded": "2001-02-03",
            "partner": True,
            "size": "Крупный",
            "channels": ["Звонки", "Почта"],
            "holding": ya.pk,
        },
    )
    make(
        business_lines=[line_a],
        short_name="Бета",
        attributes={
            "segment": "Крупный",
            "staff": 20,
            "revenue": "9.9",
            "founded": "2010-01-01",
            "partner": False,
            "size": "Малый",
            "channels": ["Почта"],
            "holding": ab.pk,
        },
    )
    make(business_lines=[line_a], short_name="Гамма")


THREE = {"Альфа", "Бета", "Гамма"}  # the referenced Аврора and Яхонт have no values


def names_in(content: str) -> list[str]:
    return re.findall(r">(Альфа|Бета|Гамма)<", content)


@pytest.mark.parametrize(("query", "expected"), FILTERS)
def test_list_and_api_filter_by_each_type(three, seller, query, expected):
    page, api = clients_for(seller)
    assert names_in(page.get(f"/organizations/?{query}").content.decode()) == expected
    body = api.get(f"/api/v1/organizations/?{query}").json()
    shown = [o["short_name"] for o in body["results"] if o["short_name"] in THREE]
    assert sorted(shown) == sorted(expected)


@pytest.mark.parametrize(("sort", "expected"), SORTS)
def test_list_sorts_by_attributes(three, seller, sort, expected):
    page = clients_for(seller)[0]
    response = page.get(f"/organizations/?q=&o={sort}")
    assert names_in(response.content.decode()) == expected


def test_list_columns_show_values_and_sort_links(three, seller):
    content = clients_for(seller)[0].get("/organizations/").content.decode()
    assert 'data-testid="column-staff"' in content and "o=attr_staff" in content
    assert "1\xa0200" in content and ">Яхонт</a>" in content


def test_filter_and_sort_by_organisation_reference(three, seller):
    page = clients_for(seller)[0]
    assert names_in(page.get("/organizations/?attr_holding=яхонт").content.decode()) == ["Альфа"]


# API ---------------------------------------------------------------------------------


def test_api_reads_writes_and_explains_attributes(each_type, seller, line_a):
    api = clients_for(seller)[1]
    payload = {"short_name": "Ромашка", "business_lines": [line_a.pk], "attributes": {"staff": 7}}
    created = api.post("/api/v1/organizations/", payload, format="json")
    assert created.status_code == 201, created.json()
    org = created.json()
    assert org["attributes"] == {"staff": 7}
    url = f"/api/v1/organizations/{org['id']}/"
    patched = api.patch(
        url, {"attributes": {"size": "Малый"}, "version": org["version"]}, format="json"
    )
    assert patched.json()["attributes"] == {"staff": 7, "size": "Малый"}  # merged
    bad = api.patch(
        url,
        {"attributes": {"staff": "x", "nope": 1}, "version": patched.json()["version"]},
        format="json",
    )
    assert bad.status_code == 400
    errors = bad.json()["errors"]["attributes"]
    assert set(errors) == {"staff", "nope"}
    removed = api.patch(
        url, {"attributes": {"size": None}, "version": patched.json()["version"]}, format="json"
    )
    assert removed.json()["attributes"] == {"staff": 7}


def test_api_required_attribute_on_create(db, seller, line_a):
    define("hobby", "string", target="person", required=True)
    api = clients_for(seller)[1]
    payload = {"last_name": "Иванов", "business_lines": [line_a.pk]}
    refused = api.post("/api/v1/persons/", payload, format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert refused.status_code == 400
    assert "Field hobby" in refused.json()["errors"]["attributes"][0]
    payload["attributes"] = {"hobby": "Шахматы"}
    assert api.post("/api/v1/persons/", payload, format="json").status_code == 201


def test_api_schema_lists_the_attributes_of_each_object(each_type, seller):
    define("hobby", "string", target="person")
    schema = clients_for(seller)[1].get("/api/v1/schema/?format=json").json()
    components = schema["components"]["schemas"]
    organization = components["Organization"]["properties"]["attributes"]["properties"]
    assert organization["staff"]["type"] == "integer"
    assert organization["size"]["enum"] == OPTIONS["size"]
    assert organization["founded"]["format"] == "date"
    assert set(components["Person"]["properties"]["attributes"]["properties"]) == {"hobby"}


def test_attribute_definitions_endpoint(admin_user, seller):
    admin_api, seller_api = clients_for(admin_user)[1], clients_for(seller)[1]
    payload = {
        "target": "person",
        "code": "hobby",
        "type": "choice",
        "label_ru": "Хобби",
        "label_en": "Hobby",
        "choices": ["Шахматы", "Теннис"],
    }
    assert seller_api.post("/api/v1/attribute-definitions/", payload).status_code == 403
    created = admin_api.post("/api/v1/attribute-definitions/", payload, format="json")
    assert created.status_code == 201, created.json()
    assert seller_api.get("/api/v1/attribute-definitions/?target=person").json()["results"]
    url = f"/api/v1/attribute-definitions/{created.json()['id']}/"
    fixed = admin_api.patch(url, {"type": "string"}, format="json")
    assert fixed.status_code == 400 and "type" in fixed.json()["errors"]
    retired = admin_api.patch(url, {"is_active": False}, format="json")
    assert retired.json()["is_active"] is False
    assert admin_api.delete(url).status_code == 405


def test_other_lines_stay_hidden_when_filtering_by_attributes(db, seller, line_b):
    define("staff", "integer")
    OrganizationFactory(business_lines=[line_b], short_name="Чужая", attributes={"staff": 5})
    page, api = clients_for(seller)
    assert "Чужая" not in page.get("/organizations/?attr_staff_min=1").content.decode()
    assert api.get("/api/v1/organizations/?attr_staff_min=1").json()["results"] == []


def test_person_factory_keeps_attributes(db, line_a):
    define("hobby", "string", target="person")
    person = PersonFactory(business_lines=[line_a], attributes={"hobby": "Шахматы"})
    assert Person.objects.get(pk=person.pk).attributes == {"hobby": "Шахматы"}


# Values the editor did not set stay as they are -----------------------------------------


@pytest.fixture
def hidden_reference(db, line_a, line_b):
    """An organisation of line A whose “holding” is an organisation of line B."""
    define("holding", "organization")
    define("size", "choice")
    hidden = OrganizationFactory(business_lines=[line_b], short_name="Секретный холдинг")
    org = OrganizationFactory(
        business_lines=[line_a],
        short_name="Дочка",
        attributes={"holding": hidden.pk, "size": "Малый"},
    )
    return org, hidden


def test_hidden_reference_is_neither_named_nor_lost(hidden_reference, seller, line_a):
    org, hidden = hidden_reference
    page, api = clients_for(seller)
    for url in (f"/organizations/{org.pk}/", f"/organizations/{org.pk}/edit/"):
        assert "Секретный холдинг" not in page.get(url).content.decode(), url
    # Whatever id is posted, the form never names an organisation the user cannot see.
    form = {"short_name": "Дочка", "status": "prospect", "country": "RU"}
    probe = page.post(f"/organizations/{org.pk}/edit/", {**form, "parent": hidden.pk})
    assert "Секретный холдинг" not in probe.content.decode()
    # Changing another attribute keeps the reference the user cannot set.
    patched = api.patch(
        f"/api/v1/organizations/{org.pk}/",
        {"attributes": {"size": "Крупный"}, "version": org.version},
        format="json",
    )
    assert patched.status_code == 200, patched.json()
    org.refresh_from_db()
    assert org.attributes == {"holding": hidden.pk, "size": "Крупный"}
    saved = page.post(
        f"/organizations/{org.pk}/edit/",
        {
            **form,
            "business_lines": [line_a.pk],
            "attr_holding": hidden.pk,
            "attr_size": "Крупный",
            "version": org.version,
        },
    )
    assert saved.status_code == 302
    org.refresh_from_db()
    assert org.attributes["holding"] == hidden.pk


def test_a_removed_option_stays_on_the_records_that_have_it(hidden_reference, seller):
    org, _hidden = hidden_reference
    size = AttributeDefinition.objects.get(code="size")
    services.attribute_definition_save(actor=None, definition=size, choices=["Крупный"])
    page, api = clients_for(seller)
    edit = page.get(f"/organizations/{org.pk}/edit/").content.decode()
    assert re.search(r'<option value="Малый" selected>', edit)
    patched = api.patch(
        f"/api/v1/organizations/{org.pk}/",
        {"attributes": {"size": "Малый", "holding": _hidden.pk}, "version": org.version},
        format="json",
    )
    assert patched.status_code == 200
    refused = api.patch(
        f"/api/v1/organizations/{org.pk}/",
        {"attributes": {"size": "Средний"}, "version": patched.json()["version"]},
        format="json",
    )
    assert refused.status_code == 400


def test_filters_and_sorting_do_not_reveal_hidden_organisations(hidden_reference, seller):
    org, _hidden = hidden_reference
    page = clients_for(seller)[0]
    assert "Дочка" not in page.get("/organizations/?attr_holding=секрет").content.decode()
    assert "Секретный" not in page.get("/organizations/?o=attr_holding").content.decode()


def test_whole_numbers_beyond_32_bits_sort_and_filter(db, seller, line_a):
    define("revenue_rub", "integer")
    for name, value in (("Большая", 3_000_000_000), ("Малая", 5)):
        OrganizationFactory(
            business_lines=[line_a], short_name=name, attributes={"revenue_rub": value}
        )
    page = clients_for(seller)[0]
    content = page.get(
        "/organizations/?o=-attr_revenue_rub&attr_revenue_rub_min=1"
    ).content.decode()
    assert re.findall(r">(Большая|Малая)<", content) == ["Большая", "Малая"]
    with pytest.raises(ValidationError, match="15"):
        clean_attributes("organization", {"revenue_rub": 10**15})


def test_an_unticked_box_is_not_stored(db, seller, line_a):
    define("partner", "boolean")
    page = clients_for(seller)[0]
    form = {"short_name": "Без флага", "status": "prospect", "country": "RU"}
    page.post("/organizations/new/", {**form, "business_lines": [line_a.pk]})
    assert Organization.objects.get().attributes == {}


def test_options_must_be_a_list(admin_user):
    api = clients_for(admin_user)[1]
    payload = {
        "target": "person",
        "code": "hobby",
        "type": "choice",
        "label_ru": "Хобби",
        "label_en": "Hobby",
        "choices": "abc",
    }
    response = api.post("/api/v1/attribute-definitions/", payload, format="json")
    assert response.status_code == 400 and not AttributeDefinition.objects.exists()


def test_history_costs_the_same_whatever_its_length(db, seller, line_a):
    from sputnik.core.testing import assert_constant_queries

    define("staff", "integer")
    org = OrganizationFactory(business_lines=[line_a], attributes={"staff": 1})

    def change():
        for n in range(3):
            current = Organization.objects.get(pk=org.pk)
            services.organization_update(
                actor=None,
                organization=current,
                expected_version=None,
                attributes={"staff": 10 + n},
            )

    page = clients_for(seller)[0]
    assert_constant_queries(page, f"/history/directory/organization/{org.pk}/", change)
