"""The demo sales: pipelines, deals in every stage, contacts past and planned (some
overdue) — so that the deals pages look alive after `make run`; loaded once."""

import pytest

from sputnik.access import demo as access_demo
from sputnik.directory import demo as directory_demo
from sputnik.sales import demo
from sputnik.sales.models import Deal, Interaction, StageChange

pytestmark = pytest.mark.django_db


def test_demo_sales_fill_every_stage_and_load_once():
    access_demo.load()
    directory_demo.load()
    demo.load()
    stages = set(Deal.objects.values_list("stage__name", flat=True))
    assert {"Мониторинг", "Встреча", "Предложение", "Оплачено", "Отказ"} <= stages
    assert all(deal.amount for deal in Deal.objects.filter(stage__name="Договор"))
    assert Deal.objects.filter(stage__outcome="lost", loss_reason__isnull=True).count() == 0
    planned = Interaction.objects.filter(status="planned")
    assert any(item.is_overdue for item in planned) and not all(i.is_overdue for i in planned)
    assert StageChange.objects.count() > Deal.objects.count()  # moves recorded
    before = Deal.objects.count()
    demo.load()
    assert Deal.objects.count() == before
