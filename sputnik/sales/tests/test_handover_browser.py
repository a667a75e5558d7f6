"""Hand-over and substitutions in a real browser: choose whose clients, tick one
organisation, preview, apply; arrange a substitution and end it."""

import os

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from sputnik.access.models import RoleCode, Substitution
from sputnik.directory.tests.factories import OrganizationFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = os.environ.get("SCREENSHOTS")  # a folder to keep screenshots in, to look at them


def shot(page, name):
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


def test_handing_over_one_ticked_organisation(signed_in, live_server, make_user, line_a, line_b):
    head = make_user(RoleCode.HEAD_OF_SALES, lines={line_a: "manage", line_b: "manage"})
    alice = make_user(lines={line_a: "write", line_b: "write"}, last_name="Алисова")
    bob = make_user(lines={line_a: "write"}, last_name="Бобров")
    kept = OrganizationFactory(business_lines=[line_a], short_name="Альфа", responsible=alice)
    given = OrganizationFactory(business_lines=[line_a], short_name="Бета", responsible=alice)
    OrganizationFactory(business_lines=[line_b], short_name="Консалт", responsible=alice)

    page = signed_in(head)
    page.goto(f"{live_server.url}/sales/handover/")
    page.locator("select[name=source]").select_option(str(alice.pk))
    organizations = page.get_by_test_id("organizations")
    expect(organizations).to_contain_text("Бета")  # loaded for the chosen employee
    page.locator("select[name=target]").select_option(str(bob.pk))
    page.locator("input[name=scope][value=selected]").check()
    page.get_by_label("Бета").check()
    page.get_by_test_id("preview").click()

    preview = page.get_by_test_id("handover-preview")
    expect(preview.get_by_test_id("moving")).to_contain_text("Бета")
    expect(preview.get_by_test_id("moving")).not_to_contain_text("Альфа")
    shot(page, "handover-preview")
    page.get_by_test_id("apply").click()
    expect(page.locator(".alert-success")).to_contain_text("Бобров")
    given.refresh_from_db()
    kept.refresh_from_db()
    assert given.responsible == bob and kept.responsible == alice

    page.select_option("select[name=source]", str(alice.pk))
    page.select_option("select[name=target]", str(bob.pk))
    page.get_by_test_id("preview").click()  # all that is left: the line B one stays
    expect(page.get_by_test_id("staying")).to_contain_text(line_b.name)
    shot(page, "handover-stays")


def test_arranging_and_ending_a_substitution(signed_in, live_server, make_user, line_a):
    head = make_user(RoleCode.HEAD_OF_SALES, lines={line_a: "manage"})
    absent = make_user(lines={line_a: "write"}, last_name="Отпускников")
    deputy = make_user(lines={line_a: "write"}, last_name="Заместителев")

    page = signed_in(head)
    page.goto(f"{live_server.url}/sales/substitutions/")
    page.get_by_test_id("new-substitution").click()
    form = page.get_by_test_id("substitution-form")
    form.locator("select[name=absent]").select_option(str(absent.pk))
    form.locator("select[name=deputy]").select_option(str(deputy.pk))
    form.locator("input[name=note]").fill("Отпуск")
    shot(page, "substitution-form")
    form.locator("input[name=note]").press("Control+Enter")

    current = page.get_by_test_id("substitutions-current")
    expect(current).to_contain_text("Заместителев")
    expect(current).to_contain_text("Отпуск")
    shot(page, "substitutions")
    current.get_by_test_id("end-substitution").click()
    expect(page.get_by_test_id("substitutions-current")).not_to_contain_text("Заместителев")
    assert not Substitution.objects.active(timezone.localdate()).exists()
