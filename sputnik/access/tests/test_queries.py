"""List pages and API lists run a constant number of queries whatever their size."""

import pytest

from sputnik.access import services
from sputnik.access.models import BusinessLine, RoleCode
from sputnik.core.testing import assert_constant_queries, clients_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def grow_people(make_user, admin_user):
    def grow():
        line = BusinessLine.objects.create(
            name=f"Линия {BusinessLine.objects.count()}", code=f"l{BusinessLine.objects.count()}"
        )
        for _ in range(5):
            user = make_user(RoleCode.SALESPERSON, lines={line: "write"})
            services.notify(recipient=admin_user, title=f"Новость для {user}")

    grow()
    return grow


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/lines/",
        "/employees/",
        "/departments/",
        "/roles/",
        "/notifications/",
        "/audit/",
        "/audit/security/",
        "/api/v1/business-lines/",
        "/api/v1/users/",
        "/api/v1/notifications/",
    ],
)
def test_list_queries_do_not_grow_with_rows(url, admin_user, grow_people):
    page, api = clients_for(admin_user)
    client = api if url.startswith("/api/") else page
    assert_constant_queries(client, url, grow_people)


def test_line_page_queries_do_not_grow_with_members(admin_user, grow_people):
    page, _ = clients_for(admin_user)
    line = BusinessLine.objects.first()
    assert_constant_queries(page, f"/lines/{line.pk}/", grow_people)
