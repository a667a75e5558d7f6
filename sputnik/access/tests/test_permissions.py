"""The shared access rules (SEC-1) applied to every page and endpoint of this app."""

import pytest

from sputnik.access import services
from sputnik.access.models import BusinessLine, Department, RoleCode
from sputnik.core.testing import AccessCase, check_access, clients_for

pytestmark = pytest.mark.django_db


def line_case(line: BusinessLine) -> AccessCase:
    pk, original = line.pk, line.name

    def current():
        return BusinessLine.objects.get(pk=pk)

    def edit_page(page, api):
        data = {
            "name": "Изменено",
            "code": line.code,
            "version": current().version,
            "is_active": "on",
        }
        return page.post(f"/lines/{pk}/edit/", data).status_code

    def edit_api(page, api):
        payload = {"description": "через API", "version": current().version}
        return api.patch(f"/api/v1/business-lines/{pk}/", payload, format="json").status_code

    def add_member(page, api):
        newcomer = services.user_create(
            actor=None,
            username=f"newcomer{current().version}{api.__hash__()}",
            password="correct-horse-42",
        )
        payload = {"user": newcomer.pk, "role": "read"}
        return api.post(f"/api/v1/business-lines/{pk}/members/", payload, format="json").status_code

    return AccessCase(
        record=line,
        marker=original,
        pages=[f"/lines/{pk}/", f"/lines/{pk}/edit/", f"/history/access/businessline/{pk}/"],
        list_pages=["/lines/", "/"],
        searches=["/lines/?q=Программ"],
        api_detail=f"/api/v1/business-lines/{pk}/",
        api_list="/api/v1/business-lines/",
        writes=[edit_page, edit_api, add_member],
        unchanged=lambda: current().name == original and current().description == "",
    )


def test_business_line_access(line_a, line_b, make_user):
    check_access(
        line_case(line_a),
        outsider=make_user(RoleCode.HEAD_OF_SALES, lines={line_b: "manage"}),
        reader=make_user(RoleCode.HEAD_OF_SALES, lines={line_a: "read"}),
        writer=make_user(RoleCode.HEAD_OF_SALES, lines={line_a: "manage"}),
    )
    line_a.refresh_from_db()
    assert line_a.name == "Изменено"
    assert line_a.description == "через API"
    assert line_a.memberships.filter(role="read").exists()


def test_write_role_does_not_manage_a_line(line_a, make_user):
    """Renaming a line or changing its members needs the manage role, not write."""
    page, api = clients_for(make_user(RoleCode.HEAD_OF_SALES, lines={line_a: "write"}))
    assert page.get(f"/lines/{line_a.pk}/edit/").status_code == 403
    response = api.patch(
        f"/api/v1/business-lines/{line_a.pk}/", {"name": "X", "version": 1}, format="json"
    )
    assert response.status_code == 403


def test_only_administrators_create_lines(make_user, admin_user):
    page, api = clients_for(make_user(RoleCode.HEAD_OF_SALES))
    assert page.get("/lines/new/").status_code == 403
    assert (
        api.post(
            "/api/v1/business-lines/", {"name": "Новое", "code": "new"}, format="json"
        ).status_code
        == 403
    )
    page, api = clients_for(admin_user)
    assert (
        api.post(
            "/api/v1/business-lines/", {"name": "Новое", "code": "new"}, format="json"
        ).status_code
        == 201
    )


def test_employees_are_administered_only_by_administrators(make_user, admin_user):
    salesperson = make_user()
    page, api = clients_for(salesperson)
    assert page.get(f"/employees/{salesperson.pk}/").status_code == 404
    assert page.get("/employees/new/").status_code == 403
    assert api.get("/api/v1/users/").json()["results"] == []
    assert (
        api.patch(
            f"/api/v1/users/{salesperson.pk}/",
            {"all_lines_role": "manage", "version": 1},
            format="json",
        ).status_code
        == 404
    )
    director = make_user(RoleCode.DIRECTOR, all_lines_role="read")
    page, api = clients_for(director)
    assert page.get(f"/employees/{salesperson.pk}/").status_code == 200
    assert page.get(f"/employees/{salesperson.pk}/edit/").status_code == 403
    salesperson.refresh_from_db()
    assert salesperson.all_lines_role == ""


def test_departments_are_read_by_all_and_written_by_administrators(make_user, admin_user):
    department = services.department_create(actor=admin_user, name="Продажи")
    page, api = clients_for(make_user())
    assert "Продажи" in page.get("/departments/").content.decode()
    assert (
        page.post(f"/departments/{department.pk}/edit/", {"name": "X", "version": 1}).status_code
        == 403
    )
    assert api.post("/api/v1/departments/", {"name": "Новый"}, format="json").status_code == 403
    assert Department.objects.get().name == "Продажи"


def test_notifications_are_private(make_user):
    alice, bob = make_user(), make_user()
    note = services.notify(recipient=alice, title="Личное напоминание")
    page, api = clients_for(bob)
    assert "Личное напоминание" not in page.get("/notifications/").content.decode()
    assert api.get(f"/api/v1/notifications/{note.pk}/").status_code == 404
    assert api.post(f"/api/v1/notifications/{note.pk}/read/").status_code == 404
    page.post("/notifications/", {"id": note.pk})
    note.refresh_from_db()
    assert note.read_at is None


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/profile/",
        "/lines/",
        "/employees/",
        "/departments/",
        "/roles/",
        "/audit/",
        "/audit/security/",
        "/notifications/",
    ],
)
def test_anonymous_is_sent_to_login(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/business-lines/",
        "/api/v1/users/",
        "/api/v1/departments/",
        "/api/v1/notifications/",
        "/api/v1/users/me/",
    ],
)
def test_anonymous_api_gets_401(client, url):
    assert client.get(url).status_code == 401


def test_write_that_would_leave_the_author_blind_is_undone(make_user):
    """The base views re-check visibility inside the transaction: an administrator without
    access to all lines may not create a line they would then not see."""
    narrow_admin = make_user(RoleCode.ADMINISTRATOR)
    page, api = clients_for(narrow_admin)
    response = page.post("/lines/new/", {"name": "Невидимая", "code": "ghost", "is_active": "on"})
    assert response.status_code == 403
    assert "вне ваших направлений" in response.content.decode()
    api_response = api.post(
        "/api/v1/business-lines/", {"name": "Невидимая", "code": "ghost"}, format="json"
    )
    assert api_response.status_code == 403
    assert not BusinessLine.objects.filter(code="ghost").exists()
