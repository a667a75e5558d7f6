"""Lists (segments) of organisations and persons: static and dynamic, saved from a list
page's filter, shared by business line, in the API and as a filter of the lists."""

import pytest

from sputnik.access.models import RoleCode
from sputnik.core.testing import clients_for
from sputnik.directory import services
from sputnik.directory.models import Category, Organization, Segment
from sputnik.directory.tests.factories import OrganizationFactory, PersonFactory, define_attribute

pytestmark = pytest.mark.django_db


@pytest.fixture
def seller(make_user, line_a):
    return make_user(lines={line_a: "write"})


@pytest.fixture
def base(line_a, line_b):
    define_attribute("staff", "integer", "Штат")
    partner = Category.objects.create(name="Партнёр")
    for name, staff, partner_too in (
        ("Альфа", 500, True),
        ("Бета", 50, True),
        ("Гамма", 900, False),
    ):
        org = OrganizationFactory(
            business_lines=[line_a], short_name=name, attributes={"staff": staff}
        )
        if partner_too:
            org.categories.add(partner)
    other = OrganizationFactory(
        business_lines=[line_b], short_name="Чужая", attributes={"staff": 999}
    )
    other.categories.add(partner)
    return partner


def names(queryset):
    return sorted(str(record) for record in queryset)


def dynamic_list(owner, line, name: str, criteria: dict):
    """A dynamic list of organisations of `owner`'s, on `line`."""
    return services.segment_create(
        actor=owner,
        name=name,
        kind="organizations",
        business_lines=[line],
        dynamic=True,
        criteria=criteria,
    )


def test_dynamic_list_over_an_attribute_and_a_category_follows_the_base(base, seller, line_a):
    from sputnik.directory.segments import segment_members

    criteria = {"attr_staff_min": "100", "category": str(base.pk)}
    segment = dynamic_list(seller, line_a, "Крупные партнёры", criteria)
    assert names(segment_members(seller, segment)) == ["Альфа"]  # never another line's
    OrganizationFactory(
        business_lines=[line_a], short_name="Дельта", attributes={"staff": 300}
    ).categories.add(base)
    assert names(segment_members(seller, segment)) == ["Альфа", "Дельта"]
    snapshot = services.segment_snapshot(actor=seller, segment=segment)
    assert not snapshot.dynamic and names(snapshot.organizations.all()) == ["Альфа", "Дельта"]
    Organization.objects.filter(short_name="Дельта").update(attributes={"staff": 1})
    assert names(segment_members(seller, segment)) == ["Альфа"]
    assert names(segment_members(seller, snapshot)) == ["Альфа", "Дельта"]


def test_bad_criteria_are_refused_with_the_reason(base, seller, line_a):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as refused:
        dynamic_list(seller, line_a, "Ошибка", {"status": "nonsense"})
    assert "status" in refused.value.message_dict["criteria"][0]


def test_save_the_list_page_filter_as_a_list_and_open_it(base, seller, line_a):
    page = clients_for(seller)[0]
    listing = page.get("/organizations/?attr_staff_min=100").content.decode()
    assert 'data-testid="save-as-list"' in listing
    form = page.get("/lists/new/?kind=organizations&attr_staff_min=100").content.decode()
    assert "attr_staff_min=100" in form
    response = page.post(
        "/lists/new/?kind=organizations&attr_staff_min=100",
        {"name": "Крупные", "business_lines": [line_a.pk]},
    )
    segment = Segment.objects.get()
    assert response["Location"] == f"/lists/{segment.pk}/"
    assert not segment.dynamic and names(segment.organizations.all()) == ["Альфа", "Гамма"]
    detail = page.get(f"/lists/{segment.pk}/").content.decode()
    assert "Альфа" in detail and "Чужая" not in detail
    table = page.get(f"/organizations/?segment={segment.pk}").content.decode()
    assert "Гамма" in table and "Бета" not in table
    assert "Крупные" in page.get("/lists/").content.decode()


def test_add_from_a_card_and_remove(base, seller, line_a):
    segment = services.segment_create(
        actor=seller, name="Обзвон", kind="organizations", business_lines=[line_a]
    )
    beta = Organization.objects.get(short_name="Бета")
    page = clients_for(seller)[0]
    card = page.get(beta.get_absolute_url()).content.decode()
    assert f'hx-get="/organizations/{beta.pk}/lists/"' in card  # loaded after the card
    panel = page.get(f"/organizations/{beta.pk}/lists/").content.decode()
    assert f'<option value="{segment.pk}">Обзвон</option>' in panel
    assert "In no list yet." in panel or "Пока ни в одном списке." in panel
    page.post(f"/lists/members/organizations/{beta.pk}/", {"segment": segment.pk})
    assert names(segment.organizations.all()) == ["Бета"]
    assert "Обзвон" in page.get(f"/organizations/{beta.pk}/lists/").content.decode()
    page.post(f"/lists/members/organizations/{beta.pk}/", {"remove_from": segment.pk})
    assert not segment.organizations.exists()


def test_private_and_shared_lists(base, seller, make_user, line_a, line_b):
    mine = services.segment_create(
        actor=seller, name="Мой", kind="organizations", business_lines=[line_a]
    )
    shared = services.segment_create(
        actor=seller,
        name="Общий",
        kind="organizations",
        business_lines=[line_a],
        shared=True,
        members=Organization.objects.filter(short_name="Альфа"),
    )
    colleague = clients_for(make_user(lines={line_a: "read"}))[0]
    outsider = clients_for(make_user(lines={line_b: "write"}))[0]
    assert colleague.get(f"/lists/{mine.pk}/").status_code == 404
    assert "Альфа" in colleague.get(f"/lists/{shared.pk}/").content.decode()
    assert colleague.post(f"/lists/{shared.pk}/edit/", {"name": "x"}).status_code == 403
    assert outsider.get(f"/lists/{shared.pk}/").status_code == 404
    assert "Общий" not in outsider.get("/lists/").content.decode()


def test_lists_api(base, seller, make_user, line_a):
    api = clients_for(seller)[1]
    created = api.post(
        "/api/v1/lists/",
        {"name": "API", "kind": "organizations", "business_lines": [line_a.pk]},
        format="json",
    )
    assert created.status_code == 201, created.json()
    url = f"/api/v1/lists/{created.json()['id']}/"
    alpha = Organization.objects.get(short_name="Альфа")
    hidden = Organization.objects.get(short_name="Чужая")
    added = api.post(f"{url}add/", {"ids": [alpha.pk]}, format="json")
    assert [m["name"] for m in added.json()["results"]] == ["Альфа"]
    refused = api.post(f"{url}add/", {"ids": [hidden.pk]}, format="json")
    assert refused.status_code == 400 and "ids" in refused.json()["errors"]
    dynamic = api.post(
        "/api/v1/lists/",
        {
            "name": "Динамика",
            "kind": "organizations",
            "business_lines": [line_a.pk],
            "dynamic": True,
            "criteria": {"attr_staff_max": "100"},
        },
        format="json",
    ).json()
    members = api.get(f"/api/v1/lists/{dynamic['id']}/members/").json()["results"]
    assert [m["name"] for m in members] == ["Бета"]
    copy = api.post(f"/api/v1/lists/{dynamic['id']}/snapshot/").json()
    assert copy["dynamic"] is False
    director = clients_for(make_user(RoleCode.DIRECTOR, all_lines_role="read"))[1]
    assert director.post(f"{url}add/", {"ids": [alpha.pk]}, format="json").status_code == 404


def test_person_lists_and_merge_keeps_membership(line_a, seller):
    kept = PersonFactory(business_lines=[line_a], last_name="Иванов")
    other = PersonFactory(business_lines=[line_a], last_name="Иванов")
    segment = services.segment_create(
        actor=seller, name="Люди", kind="persons", business_lines=[line_a], members=[other]
    )
    services.person_merge(actor=None, kept=kept, other=other)
    assert list(segment.persons.all()) == [kept]  # list memberships move in a merge


def test_ticked_rows_of_a_list_page_go_to_a_static_list(base, seller, line_a):
    page = clients_for(seller)[0]
    assert 'data-testid="selection-bar"' not in page.get("/organizations/").content.decode()
    segment = services.segment_create(
        actor=seller, name="Обзвон", kind="organizations", business_lines=[line_a]
    )
    listing = page.get("/organizations/?q=а").content.decode()
    assert 'data-testid="selection-bar"' in listing and 'name="ids"' in listing
    alpha, beta = (Organization.objects.get(short_name=n) for n in ("Альфа", "Бета"))
    hidden = Organization.objects.get(short_name="Чужая")
    response = page.post(
        "/lists/add-selected/organizations/",
        {
            "segment": segment.pk,
            "ids": [alpha.pk, beta.pk, hidden.pk],
            "back": "/organizations/?q=а",
        },
    )
    assert response["Location"] == "/organizations/?q=%D0%B0"  # back to the same page
    assert names(segment.organizations.all()) == ["Альфа", "Бета"]  # never another line's
    elsewhere = page.post(
        "/lists/add-selected/organizations/",
        {"segment": segment.pk, "ids": [alpha.pk], "back": "https://evil.example/"},
    )
    assert elsewhere["Location"] == "/organizations/"


def test_member_changes_are_in_the_lists_history(base, seller, line_a):
    segment = services.segment_create(
        actor=seller, name="Обзвон", kind="organizations", business_lines=[line_a]
    )
    alpha = Organization.objects.get(short_name="Альфа")
    assert services.segment_add(actor=seller, segment=segment, records=[alpha]) == 1
    assert services.segment_add(actor=seller, segment=segment, records=[alpha]) == 0
    services.segment_remove(actor=seller, segment=segment, records=[alpha])
    history = clients_for(seller)[0].get(f"/history/directory/segment/{segment.pk}/")
    content = history.content.decode()
    assert "+ Альфа" in content and "− Альфа" in content


def test_criteria_groups_empty_values_in_and_positions(base, seller, line_a):
    """Groups are alternatives; "is empty", "one of" and "has a contact person with the
    position" are conditions like the others."""
    from sputnik.directory.segments import segment_members

    bare = OrganizationFactory(business_lines=[line_a], short_name="Без штата", status="client")
    boss = PersonFactory(business_lines=[line_a], last_name="Директоров")
    services.employment_create(
        actor=seller, person=boss, organization=bare, position="Генеральный директор"
    )
    criteria = {
        "any": [
            {"attr_staff_min": "800"},
            {"attr_staff_empty": "true", "status_in": ["client", "former"]},
        ]
    }
    segment = dynamic_list(seller, line_a, "Смесь", criteria)
    assert names(segment_members(seller, segment)) == ["Без штата", "Гамма"]
    segment = services.segment_update(
        actor=seller, segment=segment, expected_version=None, criteria={"position": "директор"}
    )
    assert names(segment_members(seller, segment)) == ["Без штата"]
    segment = services.segment_update(
        actor=seller,
        segment=segment,
        expected_version=None,
        criteria={"attr_staff_empty": "false", "category_in": [base.pk]},
    )
    assert names(segment_members(seller, segment)) == ["Альфа", "Бета"]  # not another line's
    with pytest.raises(services.ValidationError) as error:
        services.segment_update(
            actor=seller,
            segment=segment,
            expected_version=None,
            criteria={"any": [{"status_in": ["nonsense"]}, {"inn": "77"}]},
        )
    assert "1: status_in" in str(error.value)


def test_criteria_page_builds_groups_and_counts_as_they_change(base, seller, line_a):
    segment = dynamic_list(seller, line_a, "Крупные", {"attr_staff_min": "800"})
    page = clients_for(seller)[0]
    url = f"/lists/{segment.pk}/criteria/"
    shown = page.get(url).text
    assert "Группа 1: все условия" in shown and "1 подходит сейчас" in shown
    # A second group, then the count of what the form holds (as htmx asks while typing).
    assert 'name="g0-attr_staff_min" value="800"' in shown  # the stored condition
    more = page.post(url, {"groups": "1", "g0-attr_staff_min": "700", "add_group": "1"}).text
    assert "Группа 2: все условия" in more and 'value="700"' in more  # what was typed stays
    count = page.get(
        "/lists/criteria/count/organizations/",
        {"groups": "2", "g0-attr_staff_min": "800", "g1-q": "Бета"},
    ).text
    assert "2 подходят сейчас" in count
    response = page.post(
        url,
        {
            "groups": "2",
            "g0-attr_staff_min": "800",
            "g1-q": "Бета",
            "version": segment.version,
            "save": "1",
        },
    )
    assert response.status_code == 302
    segment.refresh_from_db()
    assert segment.criteria == {"any": [{"attr_staff_min": "800"}, {"q": "Бета"}]}
    assert "Бета" in page.get(f"/lists/{segment.pk}/").text


def test_only_who_may_change_a_list_edits_its_criteria(base, seller, make_user, line_a):
    segment = services.segment_create(
        actor=seller,
        name="Общий",
        kind="organizations",
        business_lines=[line_a],
        dynamic=True,
        shared=True,
        criteria={"attr_staff_min": "800"},
    )
    reader = clients_for(make_user(lines={line_a: "read"}))[0]
    assert reader.get(f"/lists/{segment.pk}/").status_code == 200
    assert "change-criteria" not in reader.get(f"/lists/{segment.pk}/").text
    assert reader.get(f"/lists/{segment.pk}/criteria/").status_code in (403, 404)


def test_the_api_evaluates_criteria_without_saving(base, seller):
    api = clients_for(seller)[1]
    criteria = {"any": [{"attr_staff_min": "800"}, {"q": "Бета"}]}
    response = api.post(
        "/api/v1/lists/evaluate/", {"kind": "organizations", "criteria": criteria}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert response.json()["count"] == 2 and not response.json()["capped"]
    assert sorted(m["name"] for m in response.json()["first"]) == ["Бета", "Гамма"]
    refused = api.post(
        "/api/v1/lists/evaluate/",
        {"kind": "organizations", "criteria": {"status_in": ["x"]}},
        format="json",
    )
    assert refused.status_code == 400 and "status_in" in str(refused.json()["errors"])
    assert not Segment.objects.exists()


def test_a_list_without_conditions_holds_everyone_and_shows_its_criteria_by_name(
    base, seller, line_a
):
    from sputnik.directory.segments import segment_members

    everyone = dynamic_list(seller, line_a, "Все", {})
    assert names(segment_members(seller, everyone)) == ["Альфа", "Бета", "Гамма"]
    partners = dynamic_list(
        seller, line_a, "Партнёры", {"any": [{"category": str(base.pk)}, {"status_in": ["client"]}]}
    )
    page = clients_for(seller)[0].get(f"/lists/{partners.pk}/").text
    assert "Партнёр" in page and "Клиент" in page and f"category={base.pk}" not in page
    count = (
        clients_for(seller)[0]
        .get("/lists/criteria/count/organizations/", {"groups": "2", "g0-category": str(base.pk)})
        .text
    )  # the second group still empty
    assert "2 подходят сейчас" in count


def test_a_list_page_builds_each_groups_filter_set_once(base, seller, line_a, monkeypatch):
    """The filter set that finds a dynamic list's members also describes its criteria."""
    from sputnik.directory import segments

    partners = dynamic_list(
        seller,
        line_a,
        "Партнёры или клиенты",
        {"any": [{"category": str(base.pk)}, {"status_in": ["client"]}]},
    )
    built = []
    original = segments.filterset_of

    def counting(kind):
        filterset_class = original(kind)

        def make(*args, **kwargs):
            built.append(kwargs.get("queryset"))
            return filterset_class(*args, **kwargs)

        return make

    monkeypatch.setattr(segments, "filterset_of", counting)
    page = clients_for(seller)[0].get(f"/lists/{partners.pk}/").text
    assert "Альфа" in page and "Бета" in page and "Партнёр" in page and "Клиент" in page
    assert "Чужая" not in page
    assert len(built) == 2  # one per group, not one more per group to describe it
