"""SEC-2: changes are recorded with actor, address and old → new values; the security
officer browses and exports them; every card can show its history."""

import re

import pytest
from auditlog.models import LogEntry
from django.test import Client
from rest_framework.authtoken.models import Token

from sputnik.access.models import AuditExport, RoleCode, SecurityEvent, SecurityEventKind

pytestmark = pytest.mark.django_db


def edit_line(client, line, **changes):
    data = {
        "name": line.name,
        "code": line.code,
        "description": line.description,
        "is_active": "on",
        "version": line.version,
        **changes,
    }
    return client.post(f"/lines/{line.pk}/edit/", data, REMOTE_ADDR="10.1.2.3")


def test_page_edit_is_audited_with_actor_address_and_values(client, line_a, admin_user):
    client.force_login(admin_user)
    assert edit_line(client, line_a, name="ПО и сервисы").status_code == 302
    entry = LogEntry.objects.get_for_object(line_a).filter(action=LogEntry.Action.UPDATE).get()
    assert entry.actor == admin_user
    assert entry.remote_addr == "10.1.2.3"
    assert entry.changes_dict["name"] == ["Программное обеспечение", "ПО и сервисы"]


def test_api_edit_is_audited_with_the_token_owner(line_a, admin_user):
    client = Client(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=admin_user).key}")
    response = client.patch(
        f"/api/v1/business-lines/{line_a.pk}/",
        {"description": "API", "version": 1},
        content_type="application/json",
    )
    assert response.status_code == 200
    entry = LogEntry.objects.get_for_object(line_a).filter(action=LogEntry.Action.UPDATE).get()
    assert entry.actor == admin_user


def test_security_officer_filters_the_audit(client, line_a, line_b, admin_user, security_officer):
    client.force_login(admin_user)
    edit_line(client, line_a, name="Изменённая линия")
    client.force_login(security_officer)
    page = client.get("/audit/", {"actor": admin_user.pk})
    content = page.content.decode()
    assert "Изменённая линия" in content
    assert "Консалтинг" not in content
    partial = client.get("/audit/", {"q": "Консалтинг"}, HTTP_HX_REQUEST="true")
    assert "<html" not in partial.content.decode() and "Консалтинг" in partial.content.decode()


def test_audit_is_closed_to_other_roles(client, make_user, line_a):
    client.force_login(make_user(RoleCode.DIRECTOR, all_lines_role="read"))
    assert client.get("/audit/").status_code == 403
    assert client.get("/audit/security/").status_code == 403
    assert client.post("/audit/export/").status_code == 403


def test_security_events_page(client, security_officer, make_user):
    Client().post("/accounts/login/", {"username": "nobody", "password": "x"})
    client.force_login(security_officer)
    response = client.get("/audit/security/", {"kind": SecurityEventKind.LOGIN_FAILED})
    assert "nobody" in response.content.decode()


def test_security_events_page_on_from_a_row(client, security_officer):
    for n in range(51):  # a page and one more
        SecurityEvent.objects.create(kind=SecurityEventKind.LOGIN_FAILED, username=f"u{n:02}")
    client.force_login(security_officer)
    first = client.get("/audit/security/").content.decode()
    assert "u50" in first and "u00" not in first
    following = re.search(r'href="(\?page=2\.[\w-]+)"', first)[1]
    assert "u00" in client.get("/audit/security/" + following).content.decode()


def test_audit_log_pages_by_number(client, line_a, admin_user):
    """The audit log keeps Django's paginator (its rows are merged from two sources):
    its "Next" names the page's number."""
    client.force_login(admin_user)
    for n in range(26):
        line_a.refresh_from_db()
        edit_line(client, line_a, name=f"Линия {n:02}")
    first = client.get("/audit/").content.decode()
    assert 'href="?page=2"' in first and "Линия 25" in first
    assert "Линия 00" in client.get("/audit/?page=2").content.decode()


def test_history_of_a_record(client, line_a, admin_user):
    client.force_login(admin_user)
    edit_line(client, line_a, description="Новое описание")
    response = client.get(f"/history/access/businessline/{line_a.pk}/", HTTP_HX_REQUEST="true")
    assert "Новое описание" in response.content.decode()
    assert client.get("/history/access/nosuchmodel/1/").status_code == 404
    assert client.get("/history/auth/permission/1/").status_code == 404


def test_audit_export_runs_in_background_and_is_audited(
    client, security_officer, line_a, django_capture_on_commit_callbacks
):
    client.force_login(security_officer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/audit/export/", {"q": "Программное"})
    run = AuditExport.objects.get()
    assert response["Location"] == f"/audit/exports/{run.pk}/"
    run.refresh_from_db()
    assert run.status == "done" and run.done == run.total == 1
    progress = client.get(f"/audit/exports/{run.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert 'data-status="done"' in progress and "hx-trigger" not in progress
    assert f"/audit/exports/{run.pk}/download/" in progress
    download = client.get(f"/audit/exports/{run.pk}/download/")
    body = b"".join(download.streaming_content).decode("utf-8-sig")
    assert "Программное обеспечение" in body and "Консалтинг" not in body
    assert body.splitlines()[0].startswith("Когда;Кто;")  # Russian spreadsheets split on ;
    assert SecurityEvent.objects.filter(
        kind=SecurityEventKind.EXPORT, user=security_officer
    ).exists()


def test_export_runs_are_private(client, security_officer, make_user):
    run = AuditExport.objects.create(created_by=security_officer)
    client.force_login(make_user(RoleCode.SECURITY_OFFICER))
    assert client.get(f"/audit/exports/{run.pk}/").status_code == 404
    assert client.get(f"/audit/exports/{run.pk}/download/").status_code == 404


def test_unfinished_run_keeps_polling(client, security_officer):
    run = AuditExport.objects.create(created_by=security_officer)
    client.force_login(security_officer)
    progress = client.get(f"/audit/exports/{run.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert 'hx-trigger="load delay:1s"' in progress


def test_history_speaks_the_readers_language(client, line_a, admin_user, make_user):
    from sputnik.access import services

    department = services.department_create(actor=admin_user, name="Отдел продаж")
    employee = make_user(last_name="Иванов", first_name="Пётр")
    services.user_update(
        actor=admin_user,
        user=employee,
        expected_version=1,
        department=department,
        all_lines_role="read",
        is_active=False,
    )
    services.membership_set(actor=admin_user, line=line_a, user=employee, role="write")
    client.force_login(admin_user)
    card = client.get(
        f"/history/access/user/{employee.pk}/", HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "Отдел продаж" in card  # a foreign key shows its name, not its id
    assert "Чтение" in card  # a choice shows its label
    assert "нет" in card  # a boolean reads yes/no
    assert "версия" not in card.lower()
    line = client.get(
        f"/history/access/businessline/{line_a.pk}/", HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "Иванов Пётр: Запись" in line  # membership changes show on the line itself
    security = client.get("/audit/security/").content.decode()
    assert "Запись" in security and "subject_id" not in security
    assert "Иванов Пётр" in security  # the employee by name, not login
    assert "Программное обеспечение" in security  # the line by name, not code


def test_history_queries_do_not_grow_with_entries(client, line_a, admin_user):
    from sputnik.access import services
    from sputnik.core.testing import assert_constant_queries

    client.force_login(admin_user)

    counter = iter(range(1000))

    def grow():
        for _ in range(5):
            n = next(counter)
            department = services.department_create(actor=admin_user, name=f"Отдел {n}")
            employee = services.user_create(
                actor=admin_user, username=f"u{n}", password="correct-horse-42"
            )
            services.user_update(
                actor=admin_user, user=employee, expected_version=1, department=department
            )

    grow()
    assert_constant_queries(client, "/audit/", grow)
