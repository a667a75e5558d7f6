"""The sales setup pages: administrators build pipelines with ordered stages, loss reasons,
contact results and automatic transitions; salespeople look but cannot change; the
services' refusals appear next to the field they concern."""

import pytest
from playwright.sync_api import expect

from sputnik.core.testing import clients_for
from sputnik.directory.tests.factories import OrganizationFactory
from sputnik.sales.models import InteractionResult, LossReason, Pipeline, Stage, TransitionRule
from sputnik.sales.tests.helpers import HTMX, field_block, new_deal, stage

pytestmark = pytest.mark.django_db


def stage_names(pipeline) -> list[str]:
    return list(pipeline.stages.order_by("order", "id").values_list("name", flat=True))


@pytest.fixture
def admin(admin_user):
    return clients_for(admin_user)[0]


@pytest.fixture
def salesperson(make_user, line_a):
    return clients_for(make_user(lines={line_a: "write"}))[0]


def test_an_administrator_builds_a_pipeline_reorders_its_stages_and_requires_fields(admin):
    created = admin.post(
        "/sales/setup/pipelines/new/", {"name": "Проекты", "order": 1, "is_active": "on"}
    )
    pipeline = Pipeline.objects.get(name="Проекты")
    assert created.status_code == 302
    assert created["Location"] == f"/sales/setup/pipelines/{pipeline.pk}/"
    for name, outcome, probability in [
        ("Заявка", "open", 10),
        ("Договор", "won", 100),
        ("КП", "open", 50),
    ]:
        response = admin.post(
            f"/sales/setup/pipelines/{pipeline.pk}/stages/new/",
            {"name": name, "outcome": outcome, "probability": probability, "target_days": 5},
        )
        assert response.status_code == 302, response.content.decode()
    assert stage_names(pipeline) == ["Заявка", "Договор", "КП"]

    offer = pipeline.stages.get(name="КП")
    moved = admin.post(f"/sales/setup/stages/{offer.pk}/move/", {"direction": "up"}, **HTMX)
    assert moved.status_code == 200
    table = moved.content.decode()
    assert 'id="stages"' in table and "<html" not in table  # only the table
    assert table.index("КП") < table.index("Договор")  # the table comes back reordered
    assert stage_names(pipeline) == ["Заявка", "КП", "Договор"]
    first = pipeline.stages.get(name="Заявка")
    admin.post(f"/sales/setup/stages/{first.pk}/move/", {"direction": "up"})  # already first
    assert stage_names(pipeline) == ["Заявка", "КП", "Договор"]
    admin.post(f"/sales/setup/stages/{first.pk}/move/", {"direction": "down"})
    assert stage_names(pipeline) == ["КП", "Заявка", "Договор"]
    assert [s.order for s in pipeline.stages.order_by("order")] == [0, 1, 2]

    edited = admin.post(
        f"/sales/setup/stages/{offer.pk}/",
        {
            "name": "Предложение",
            "outcome": "open",
            "probability": 60,
            "target_days": "",
            "required_fields": ["amount", "persons"],
        },
    )
    assert edited.status_code == 302
    offer.refresh_from_db()
    assert (offer.name, offer.required_fields, offer.target_days) == (
        "Предложение",
        ["amount", "persons"],
        None,
    )
    page = admin.get(f"/sales/setup/pipelines/{pipeline.pk}/").content.decode()
    rows = page.split('data-testid="stage-row"')[1:]
    row = next(row for row in rows if "Предложение" in row)
    assert "Сумма" in row and "Контактные лица" in row


def test_a_stage_name_is_unique_in_its_pipeline(admin, pipeline):
    response = admin.post(
        f"/sales/setup/pipelines/{pipeline.pk}/stages/new/",
        {"name": "Встреча", "outcome": "open", "probability": 20},
    )
    assert response.status_code == 200
    assert "invalid-feedback" in field_block(response.content.decode(), "name")
    assert pipeline.stages.filter(name="Встреча").count() == 1


def test_a_salesperson_sees_the_setup_but_cannot_change_it(salesperson, pipeline):
    result = InteractionResult.objects.create(name="Нет ответа", kind="call")
    rule = TransitionRule.objects.create(
        result=result, to_stage=stage(pipeline, "Встреча"), from_stage=None
    )
    reason = LossReason.objects.create(name="Дорого")
    meeting = stage(pipeline, "Встреча")
    pages = {
        "/sales/setup/pipelines/": "Продажи",
        f"/sales/setup/pipelines/{pipeline.pk}/": "Первый звонок",
        "/sales/setup/loss-reasons/": "Дорого",
        "/sales/setup/results/": "Нет ответа",
        "/sales/setup/rules/": "Нет ответа",
    }
    for url, marker in pages.items():
        page = salesperson.get(url)
        assert page.status_code == 200, url
        html = page.content.decode()
        assert marker in html, url
        assert "/new/" not in html and "/delete/" not in html and "/move/" not in html, url
    menu = salesperson.get("/deals/").content.decode()
    assert "/sales/setup/pipelines/" in menu and "/sales/setup/results/" in menu

    refused = [
        salesperson.post("/sales/setup/pipelines/new/", {"name": "Мой", "order": 0}),
        salesperson.get(f"/sales/setup/pipelines/{pipeline.pk}/stages/new/"),
        salesperson.post(
            f"/sales/setup/stages/{meeting.pk}/",
            {"name": "Переименовано", "outcome": "open", "probability": 1},
        ),
        salesperson.post(f"/sales/setup/stages/{meeting.pk}/move/", {"direction": "up"}),
        salesperson.post(f"/sales/setup/stages/{meeting.pk}/delete/"),
        salesperson.post(f"/sales/setup/loss-reasons/{reason.pk}/", {"name": "Дёшево"}),
        salesperson.post(f"/sales/setup/results/{result.pk}/delete/"),
        salesperson.post("/sales/setup/rules/new/", {"result": result.pk}),
        salesperson.post(f"/sales/setup/rules/{rule.pk}/delete/"),
    ]
    assert [r.status_code for r in refused] == [403] * len(refused)
    assert stage_names(pipeline)[:2] == ["Первый звонок", "Встреча"]
    assert Pipeline.objects.count() == 1 and TransitionRule.objects.filter(pk=rule.pk).exists()
    assert LossReason.objects.get(pk=reason.pk).name == "Дорого"


def test_the_services_refusals_appear_next_to_their_fields(admin, pipeline, line_a):
    organization = OrganizationFactory(business_lines=[line_a])
    new_deal(pipeline, organization, line_a, "Лицензии")
    first = stage(pipeline, "Первый звонок")
    response = admin.post(
        f"/sales/setup/stages/{first.pk}/",
        {"name": "Первый звонок", "outcome": "won", "probability": 10},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "его исход нельзя изменить" in field_block(html, "outcome")
    first.refresh_from_db()
    assert first.outcome == "open"

    deleted = admin.post(f"/sales/setup/stages/{first.pk}/delete/", follow=True)
    assert Stage.objects.filter(pk=first.pk).exists()
    assert 'role="alert"' in deleted.content.decode()

    other = Pipeline.objects.create(name="Сервис")
    foreign = Stage.objects.create(pipeline=other, name="Заявка")
    result = InteractionResult.objects.create(name="Договорились", kind="call")
    response = admin.post(
        "/sales/setup/rules/new/",
        {"result": result.pk, "from_stage": foreign.pk, "to_stage": stage(pipeline, "Встреча").pk},
    )
    assert response.status_code == 200
    assert "Оба этапа должны быть из одной воронки" in field_block(
        response.content.decode(), "from_stage"
    )
    assert not TransitionRule.objects.exists()


def test_results_and_automatic_transitions_are_set_up_on_their_pages(admin, pipeline):
    incomplete = admin.post(
        "/sales/setup/results/new/",
        {"name": "Договорились о встрече", "kind": "call", "next_kind": "meeting", "order": 0},
    )
    assert incomplete.status_code == 200
    assert "invalid-feedback" in field_block(incomplete.content.decode(), "next_in_days")
    created = admin.post(
        "/sales/setup/results/new/",
        {
            "name": "Договорились о встрече",
            "kind": "call",
            "next_kind": "meeting",
            "next_in_days": 2,
            "order": 0,
            "is_active": "on",
        },
    )
    assert created.status_code == 302
    result = InteractionResult.objects.get()
    assert (result.kind, result.next_kind, result.next_in_days) == ("call", "meeting", 2)
    listed = admin.get("/sales/setup/results/").content.decode()
    assert "Договорились о встрече" in listed and "Встреча" in listed

    rule = {
        "result": result.pk,
        "from_stage": stage(pipeline, "Первый звонок").pk,
        "to_stage": stage(pipeline, "Встреча").pk,
    }
    assert admin.post("/sales/setup/rules/new/", rule).status_code == 302
    again = admin.post("/sales/setup/rules/new/", rule)
    assert again.status_code == 200 and 'data-testid="form-errors"' in again.content.decode()
    any_stage = {**rule, "from_stage": "", "to_stage": stage(pipeline, "Предложение").pk}
    assert admin.post("/sales/setup/rules/new/", any_stage).status_code == 302
    listed = admin.get("/sales/setup/rules/").content.decode()
    assert listed.count("Договорились о встрече") == 2
    saved = TransitionRule.objects.get(from_stage__isnull=True)
    assert saved.to_stage.name == "Предложение"

    admin.post(f"/sales/setup/rules/{saved.pk}/delete/")
    assert TransitionRule.objects.count() == 1
    # A result nothing refers to is deleted, with its rules.
    admin.post(f"/sales/setup/results/{result.pk}/delete/")
    assert not InteractionResult.objects.exists() and not TransitionRule.objects.exists()


def test_a_pipeline_with_deals_is_retired_instead_of_deleted(admin, pipeline, line_a):
    new_deal(pipeline, OrganizationFactory(business_lines=[line_a]), line_a, "Лицензии")
    admin.post(f"/sales/setup/pipelines/{pipeline.pk}/delete/")
    pipeline.refresh_from_db()
    assert not pipeline.is_active and pipeline.stages.count() == 5
    unused = LossReason.objects.create(name="Дорого")
    admin.post(f"/sales/setup/loss-reasons/{unused.pk}/delete/")
    assert not LossReason.objects.exists()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_stages_are_reordered_in_place_in_the_browser(
    signed_in, live_server, admin_user, pipeline, tmp_path
):
    page = signed_in(admin_user)
    page.goto(f"{live_server.url}/sales/setup/pipelines/{pipeline.pk}/")
    rows = page.get_by_test_id("stage-row")
    expect(rows.nth(1)).to_contain_text("Встреча")
    page.screenshot(path=tmp_path / "pipeline.png", full_page=True)
    rows.nth(1).locator("button:has(.bi-arrow-up)").click()
    expect(rows.nth(0)).to_contain_text("Встреча")
    expect(rows.nth(1)).to_contain_text("Первый звонок")
    assert stage_names(pipeline)[:2] == ["Встреча", "Первый звонок"]
    rows.nth(0).locator("button:has(.bi-arrow-down)").click()
    expect(rows.nth(0)).to_contain_text("Первый звонок")
    page.get_by_test_id("stage-row").filter(has_text="Встреча").get_by_role("link").click()
    page.get_by_label("Сумма").check()
    page.screenshot(path=tmp_path / "stage_form.png", full_page=True)
    page.locator("#id_name").press("Control+Enter")
    expect(rows.filter(has_text="Встреча")).to_contain_text("Сумма")
    assert stage(pipeline, "Встреча").required_fields == ["amount"]
