import pytest

from sputnik.access.models import LineMembership, RoleCode, User

pytestmark = pytest.mark.django_db


def test_second_editor_gets_a_conflict_and_keeps_what_they_typed(client, line_a, make_user):
    first = make_user(
        RoleCode.HEAD_OF_SALES, lines={line_a: "manage"}, last_name="Смирнова", first_name="Елена"
    )
    second = make_user(RoleCode.HEAD_OF_SALES, lines={line_a: "manage"})
    form = {"name": line_a.name, "code": "software", "is_active": "on", "version": 1}
    client.force_login(first)
    assert (
        client.post(f"/lines/{line_a.pk}/edit/", {**form, "name": "Новое имя"}).status_code == 302
    )
    client.force_login(second)
    response = client.post(f"/lines/{line_a.pk}/edit/", {**form, "description": "Моё описание"})
    assert response.status_code == 409
    content = response.content.decode()
    assert "Смирнова Е." in content
    assert "Моё описание" in content
    line_a.refresh_from_db()
    assert (line_a.name, line_a.description) == ("Новое имя", "")


def test_lists_answer_htmx_with_the_table_only(client, line_a, admin_user):
    client.force_login(admin_user)
    full = client.get("/lines/").content.decode()
    partial = client.get("/lines/?q=Программ", HTTP_HX_REQUEST="true").content.decode()
    assert "<nav" in full and 'id="table"' in full
    assert '<nav class="navbar' not in partial and 'id="table"' in partial
    assert "Программное обеспечение" in partial


def test_interface_is_russian_by_default_and_english_on_request(client, make_user):
    user = make_user()
    client.force_login(user)
    assert "Организации" in client.get("/").content.decode()
    response = client.post("/language/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.language == "en"
    assert "Organisations" in client.get("/").content.decode()


def test_browser_language_is_used_when_profile_has_none(client, make_user):
    client.force_login(make_user())
    assert "Business lines" in client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()


def test_administrator_registers_an_employee(client, admin_user, line_a, line_b):
    client.force_login(admin_user)
    form = {
        "username": "petrova",
        "password": "correct-horse-42",
        "last_name": "Петрова",
        "first_name": "Мария",
        "language": "",
        "roles": ["salesperson"],
        f"line_{line_a.pk}": "write",
        f"line_{line_b.pk}": "",
    }
    response = client.post("/employees/new/", form)
    user = User.objects.get(username="petrova")
    assert response["Location"] == f"/employees/{user.pk}/"
    assert dict(user.line_memberships.values_list("line__code", "role")) == {"software": "write"}
    duplicate = client.post("/employees/new/", {**form, "last_name": "Другая"})
    assert duplicate.status_code == 200
    assert "уже существует" in duplicate.content.decode()
    assert User.objects.filter(username="petrova").count() == 1


def test_weak_password_is_refused_next_to_the_field(client, admin_user):
    client.force_login(admin_user)
    response = client.post(
        "/employees/new/", {"username": "weak", "password": "12345678", "language": ""}
    )
    assert response.status_code == 200
    assert "is-invalid" in response.content.decode()
    assert not User.objects.filter(username="weak").exists()


def test_line_manager_adds_changes_and_removes_members(client, line_a, make_user):
    manager = make_user(RoleCode.HEAD_OF_SALES, lines={line_a: "manage"})
    newcomer = make_user()
    client.force_login(manager)
    client.post(f"/lines/{line_a.pk}/members/", {"user": newcomer.pk, "role": "read"})
    client.post(f"/lines/{line_a.pk}/members/", {"user": newcomer.pk, "role": "write"})
    membership = LineMembership.objects.get(user=newcomer)
    assert membership.role == "write"
    page = client.get(f"/lines/{line_a.pk}/").content.decode()
    assert newcomer.full_name in page
    client.post(f"/lines/{line_a.pk}/members/", {"remove": membership.pk})
    assert not LineMembership.objects.filter(user=newcomer).exists()


def test_member_of_a_line_cannot_change_its_members(client, line_a, make_user):
    writer = make_user(RoleCode.HEAD_OF_SALES, lines={line_a: "write"})
    client.force_login(writer)
    response = client.post(f"/lines/{line_a.pk}/members/", {"user": writer.pk, "role": "manage"})
    assert response.status_code == 403
    assert LineMembership.objects.get(user=writer).role == "write"


def test_home_teaches_when_user_has_no_lines(client, make_user):
    client.force_login(make_user())
    assert "Вы пока не состоите ни в одном направлении бизнеса" in client.get("/").content.decode()


def test_profile_edit(client, make_user):
    user = make_user()
    client.force_login(user)
    form = {
        "last_name": "Сидоров",
        "first_name": "Иван",
        "patronymic": "Ильич",
        "email": "s@example.com",
        "position": "Менеджер",
        "phone": "+7 495 123-45-67",
        "language": "ru",
        "version": user.version,
    }
    assert client.post("/profile/", form).status_code == 302
    user.refresh_from_db()
    assert user.short_name == "Сидоров И. И."


def test_notifications_mark_read_by_htmx(client, make_user):
    from sputnik.access import services

    user = make_user()
    note = services.notify(recipient=user, title="Позвонить клиенту")
    client.force_login(user)
    assert 'data-testid="unread-count" aria-hidden="true">1<' in client.get("/").content.decode()
    response = client.post("/notifications/", {"id": note.pk}, HTTP_HX_REQUEST="true")
    content = response.content.decode()
    assert 'id="table"' in content
    assert 'id="unread-badge" hx-swap-oob="true"' in content  # the header badge updates too
    assert "unread-count" not in content
    note.refresh_from_db()
    assert note.read_at is not None


def test_member_change_by_htmx_answers_with_the_panel_and_fresh_history(client, line_a, make_user):
    manager = make_user(RoleCode.HEAD_OF_SALES, lines={line_a: "manage"})
    member = make_user(lines={line_a: "read"})
    client.force_login(manager)
    response = client.post(
        f"/lines/{line_a.pk}/members/", {"user": member.pk, "role": "write"}, HTTP_HX_REQUEST="true"
    )
    content = response.content.decode()
    assert response.status_code == 200 and "<html" not in content
    assert 'id="members"' in content and 'data-testid="member-notice"' in content
    assert 'id="line-history" hx-swap-oob="true"' in content
    assert LineMembership.objects.get(user=member).role == "write"


def test_employee_search_ignores_the_case_of_cyrillic_letters(client, admin_user, make_user):
    make_user(last_name="Иванова", username="ivanova")
    client.force_login(admin_user)
    assert "Иванова" in client.get("/employees/?q=иван").content.decode()
