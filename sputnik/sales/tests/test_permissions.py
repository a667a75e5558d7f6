"""The shared access rules (sputnik.core.testing.check_access) for sales records: a deal
and a planned contact of one business line are invisible from another line on every page,
list, board and endpoint, read-only for readers, and changed only by writers."""

import datetime

import pytest
from django.utils import timezone

from sputnik.access.models import RoleCode
from sputnik.core.testing import AccessCase, check_access
from sputnik.directory.tests.factories import OrganizationFactory
from sputnik.sales import services
from sputnik.sales.models import Deal, Interaction, InteractionStatus
from sputnik.sales.tests.helpers import new_deal, stage

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(make_user, line_a, line_b):
    return {
        "outsider": make_user(RoleCode.SALESPERSON, lines={line_b: "write"}),
        "reader": make_user(RoleCode.SALESPERSON, lines={line_a: "read"}),
        "writer": make_user(RoleCode.SALESPERSON, lines={line_a: "write"}),
    }


def test_deal_access(pipeline, people, line_a, line_b):
    org = OrganizationFactory(business_lines=[line_a], short_name="Ромашка")
    deal = new_deal(pipeline, org, line_a, "Секретная сделка", responsible=people["writer"])
    pk, meeting = deal.pk, stage(pipeline, "Встреча")

    def current():
        return Deal.objects.get(pk=pk)

    def move_page(page, api):
        data = {"stage": meeting.pk, "version": current().version}
        return page.post(f"/deals/{pk}/move/", data).status_code

    def move_board(page, api):
        data = {"stage": stage(pipeline, "Первый звонок").pk, "version": current().version}
        status = page.post(f"/deals/{pk}/board-move/", data, HTTP_HX_REQUEST="true").status_code
        return status

    def move_api(page, api):
        data = {"stage": meeting.pk, "version": current().version}
        return api.post(f"/api/v1/deals/{pk}/move/", data, format="json").status_code

    def edit_api(page, api):
        data = {"notes": "API", "version": current().version}
        return api.patch(f"/api/v1/deals/{pk}/", data, format="json").status_code

    check_access(
        AccessCase(
            record=deal,
            marker="Секретная сделка",
            pages=[f"/deals/{pk}/", f"/deals/{pk}/edit/"],
            list_pages=["/deals/", "/deals/board/", "/work/"],
            searches=["/deals/?q=Секрет", "/deals/board/?q=Секрет"],
            api_detail=f"/api/v1/deals/{pk}/",
            api_list="/api/v1/deals/",
            writes=[move_page, move_board, move_api, edit_api],
            unchanged=lambda: current().stage_id == deal.stage_id and current().notes == "",
        ),
        **people,
    )
    assert current().notes == "API" and current().stage == meeting
    assert current().stage_changes.count() == 4  # opened, moved three times


def test_planned_contact_access(people, line_a, line_b):
    shared = OrganizationFactory(business_lines=[line_a, line_b], short_name="Общая")
    contact = services.interaction_plan(
        actor=people["writer"],
        kind="call",
        organization=shared,
        business_line=line_a,
        subject="Тайный звонок",
        due_at=timezone.now() + datetime.timedelta(hours=2),
    )
    pk = contact.pk

    def current():
        return Interaction.objects.get(pk=pk)

    def edit_api(page, api):
        data = {"notes": "API", "version": current().version}
        return api.patch(f"/api/v1/interactions/{pk}/", data, format="json").status_code

    def open_result_form(page, api):
        return page.get(f"/work/contacts/{pk}/done/", HTTP_HX_REQUEST="true").status_code

    def cancel_row(page, api):
        data = {"version": current().version}
        return page.post(f"/work/contacts/{pk}/cancel/", data, HTTP_HX_REQUEST="true").status_code

    check_access(
        AccessCase(
            record=contact,
            marker="Тайный звонок",
            list_pages=[
                "/work/",
                f"/organizations/{shared.pk}/dossier/",
                f"/organizations/{shared.pk}/dossier/print/",
                f"/organizations/{shared.pk}/",
            ],
            api_detail=f"/api/v1/interactions/{pk}/",
            api_list="/api/v1/interactions/",
            writes=[open_result_form, edit_api, cancel_row],
            unchanged=lambda: (
                current().status == InteractionStatus.PLANNED and current().notes == ""
            ),
        ),
        **people,
    )
    assert current().notes == "API" and current().status == InteractionStatus.CANCELLED
