"""Administrators maintain categories and industries; others only read them."""

import pytest

from sputnik.access.models import RoleCode
from sputnik.core.testing import clients_for
from sputnik.directory.models import Category, Industry
from sputnik.directory.tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("url", "model"), [("/categories/", Category), ("/industries/", Industry)])
def test_administrator_adds_renames_and_retires(url, model, make_user):
    page, _ = clients_for(make_user(RoleCode.ADMINISTRATOR, all_lines_role="manage"))
    response = page.post(url, {"name": "Дистрибьютор", "order": 1}, HTTP_HX_REQUEST="true")
    assert "Дистрибьютор" in response.content.decode() and "<html" not in response.content.decode()
    item = model.objects.get()
    page.post(url, {"pk": item.pk, "name": "Дистрибьютор ПО", "order": 2})
    page.post(url, {"pk": item.pk, "toggle": "1"})
    item.refresh_from_db()
    assert (item.name, item.order, item.is_active) == ("Дистрибьютор ПО", 2, False)
    duplicate = page.post(url, {"name": "Дистрибьютор ПО", "order": 0}).content.decode()
    assert "is-invalid" in duplicate and model.objects.count() == 1


def test_salesperson_reads_but_cannot_edit(make_user, line_a):
    Category.objects.create(name="Клиент")
    page, _ = clients_for(make_user(lines={line_a: "write"}))
    assert "Клиент" in page.get("/categories/").content.decode()
    assert page.post("/categories/", {"name": "Хакер"}).status_code == 403
    assert list(Category.objects.values_list("name", flat=True)) == ["Клиент"]


def test_retired_industry_is_not_offered_but_stays_on_records(make_user, line_a):
    retired = Industry.objects.create(name="Торговля углём", is_active=False)
    org = OrganizationFactory(business_lines=[line_a], industry=retired)
    page, _ = clients_for(make_user(lines={line_a: "write"}))
    assert "Торговля углём" not in page.get("/organizations/new/").content.decode()
    assert "Торговля углём" in page.get(f"/organizations/{org.pk}/").content.decode()
