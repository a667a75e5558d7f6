"""Fixtures shared by every app's tests: business lines and users by role."""

import pytest

from sputnik.access import services
from sputnik.access.models import RoleCode


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def line_a(db):
    return services.line_create(actor=None, name="Программное обеспечение", code="software")


@pytest.fixture
def line_b(db):
    return services.line_create(actor=None, name="Консалтинг", code="consulting")


@pytest.fixture
def make_user(db):
    counter = iter(range(1, 10_000))

    def make(role=RoleCode.SALESPERSON, lines=None, all_lines_role="", **profile):
        n = next(counter)
        profile.setdefault("username", f"user{n}")
        profile.setdefault("last_name", f"Тестов{n}")
        profile.setdefault("first_name", "Иван")
        return services.user_create(
            actor=None,
            password="correct-horse-42",
            roles=[role] if role else [],
            memberships=lines or {},
            all_lines_role=all_lines_role,
            **profile,
        )

    return make


@pytest.fixture
def admin_user(make_user):
    return make_user(RoleCode.ADMINISTRATOR, all_lines_role="manage", username="admin")


@pytest.fixture
def security_officer(make_user):
    return make_user(RoleCode.SECURITY_OFFICER, all_lines_role="read", username="security")
