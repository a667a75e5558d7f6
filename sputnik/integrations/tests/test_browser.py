"""Exporting a filtered list in a real browser."""

import io

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from sputnik.directory.tests.factories import OrganizationFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_salesperson_exports_the_filtered_list(signed_in, live_server, make_user, line_a):
    for name in ("Ромашка", "Ромашка-Юг", "Василёк"):
        OrganizationFactory(business_lines=[line_a], short_name=name)
    page = signed_in(make_user(lines={line_a: "write"}))
    page.goto(f"{live_server.url}/organizations/")
    page.fill("#id_q", "ромаш")
    expect(page.get_by_test_id("organization-table").locator("tbody tr")).to_have_count(2)
    page.get_by_test_id("export-form").get_by_role("button").click()
    download_link = page.get_by_role("link", name="Скачать")
    expect(download_link).to_be_visible()
    with page.expect_download() as download:
        download_link.click()
    path = download.value.path()
    rows = list(load_workbook(io.BytesIO(path.read_bytes())).active.values)
    assert sorted(row[1] for row in rows[1:]) == ["Ромашка", "Ромашка-Юг"]
