import pytest
from django.core.management import call_command
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from sputnik.access.models import BusinessLine, RoleCode, User

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(admin_user):
    client = APIClient()
    token = Token.objects.create(user=admin_user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def test_token_authentication_and_me(api, admin_user):
    response = api.get("/api/v1/users/me/")
    assert response.status_code == 200
    assert response.json()["username"] == admin_user.username
    assert response.json()["roles"] == ["administrator"]


def test_bad_token_is_401():
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token nonsense")
    response = client.get("/api/v1/business-lines/")
    assert response.status_code == 401
    assert set(response.json()) == {"detail", "code", "errors"}


def test_drf_create_token_command(admin_user, capsys):
    call_command("drf_create_token", admin_user.username)
    assert Token.objects.get(user=admin_user).key in capsys.readouterr().out


def test_create_user_with_lines_and_roles(api, line_a):
    payload = {
        "username": "petrova",
        "password": "correct-horse-42",
        "last_name": "Петрова",
        "first_name": "Мария",
        "roles": ["salesperson"],
        "memberships": [{"line": line_a.pk, "role": "write"}],
    }
    response = api.post("/api/v1/users/", payload, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["full_name"] == "Петрова Мария"
    assert body["memberships"] == [{"line": line_a.pk, "role": "write"}]
    assert "password" not in body
    assert User.objects.get(username="petrova").check_password("correct-horse-42")


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"username": "admin"}, "username"),
        ({"roles": ["pope"]}, "roles"),
        ({"memberships": [{"line": 999999, "role": "write"}]}, "memberships"),
        ({"memberships": [{"line": None, "role": "owner"}]}, "memberships"),
        ({"password": "1"}, "password"),
    ],
)
def test_bad_user_payload_is_refused_with_field_errors(api, line_a, change, field):
    payload = {"username": "newbie", "password": "correct-horse-42", **change}
    before = User.objects.count()
    response = api.post("/api/v1/users/", payload, format="json", HTTP_ACCEPT_LANGUAGE="ru")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert field in body["errors"]
    assert User.objects.count() == before


def test_errors_are_translated(api):
    response = api.post(
        "/api/v1/users/",
        {"username": "admin", "password": "correct-horse-42"},
        format="json",
        HTTP_ACCEPT_LANGUAGE="ru",
    )
    assert response.json()["detail"] == "Некорректные данные."
    assert "уже существует" in response.json()["errors"]["username"][0]


def test_stale_update_is_409_with_current_version(api, line_a):
    assert (
        api.patch(
            f"/api/v1/business-lines/{line_a.pk}/", {"name": "A", "version": 1}, format="json"
        ).status_code
        == 200
    )
    response = api.patch(
        f"/api/v1/business-lines/{line_a.pk}/", {"name": "B", "version": 1}, format="json"
    )
    assert response.status_code == 409
    assert response.json()["current_version"] == 2
    assert response.json()["code"] == "stale_version"
    assert BusinessLine.objects.get(pk=line_a.pk).name == "A"


def test_update_without_version_is_refused(api, line_a):
    response = api.patch(f"/api/v1/business-lines/{line_a.pk}/", {"name": "B"}, format="json")
    assert response.status_code == 400
    assert "version" in response.json()["errors"]


def test_lines_are_not_deleted(api, line_a):
    assert api.delete(f"/api/v1/business-lines/{line_a.pk}/").status_code == 405
    assert BusinessLine.objects.filter(pk=line_a.pk).exists()


def test_line_members_endpoint(api, line_a, make_user):
    user = make_user(RoleCode.SALESPERSON)
    response = api.post(
        f"/api/v1/business-lines/{line_a.pk}/members/",
        {"user": user.pk, "role": "write"},
        format="json",
    )
    assert response.status_code == 200
    assert {"user": user.pk, "line": line_a.pk, "role": "write"} in [
        {k: m[k] for k in ("user", "line", "role")} for m in response.json()
    ]
    bad = api.post(
        f"/api/v1/business-lines/{line_a.pk}/members/",
        {"user": user.pk, "role": "owner"},
        format="json",
    )
    assert bad.status_code == 400 and "role" in bad.json()["errors"]
    form = api.post(
        f"/api/v1/business-lines/{line_a.pk}/members/", {"user": user.pk, "role": "read"}
    )
    assert form.status_code == 200, form.json()  # form-encoded bodies work as well as JSON
    assert line_a.memberships.get(user=user).role == "read"
    assert api.delete(f"/api/v1/business-lines/{line_a.pk}/members/{user.pk}/").status_code == 204
    assert not line_a.memberships.filter(user=user).exists()


def test_keyset_pagination(api):
    for n in range(5):
        BusinessLine.objects.create(name=f"Линия {n}", code=f"line-{n}")
    first = api.get("/api/v1/business-lines/?page_size=2").json()
    assert len(first["results"]) == 2 and first["next"]
    second = api.get(first["next"]).json()
    assert not {r["id"] for r in first["results"]} & {r["id"] for r in second["results"]}


def test_schema_and_docs(api):
    schema = api.get("/api/v1/schema/")
    assert schema.status_code == 200
    assert b"/api/v1/business-lines/" in schema.content
    docs = api.get("/api/v1/docs/")
    assert docs.status_code == 200
    assert b"swagger" in docs.content.lower()


def test_openapi_schema_is_valid_without_warnings(tmp_path):
    call_command(
        "spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml")
    )
    assert "/api/v1/users/{id}/reset-second-factor/" in (tmp_path / "schema.yaml").read_text()
