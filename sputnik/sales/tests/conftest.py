"""Fixtures the sales tests share: a pipeline with its stages, a result that moves a deal
on, and a salesperson with a client, its contact person and a deal."""

import pytest

from sputnik.directory import services as directory_services
from sputnik.directory.tests.factories import OrganizationFactory, PersonFactory
from sputnik.sales.models import InteractionResult, Pipeline, Stage, TransitionRule
from sputnik.sales.tests.helpers import new_deal, stage


@pytest.fixture
def pipeline():
    sales = Pipeline.objects.create(name="Продажи")
    for order, (name, outcome, probability, required) in enumerate(
        [
            ("Первый звонок", "open", 10, []),
            ("Встреча", "open", 30, []),
            ("Предложение", "open", 60, ["amount"]),
            ("Оплачено", "won", 100, ["amount"]),
            ("Отказ", "lost", 0, []),
        ]
    ):
        Stage.objects.create(
            pipeline=sales,
            name=name,
            order=order,
            outcome=outcome,
            probability=probability,
            required_fields=required,
        )
    return sales


@pytest.fixture
def meeting_agreed(pipeline):
    """A call's result that proposes a meeting and moves a deal from the first call on."""
    result = InteractionResult.objects.create(
        name="Договорились о встрече", kind="call", next_kind="meeting", next_in_days=2
    )
    TransitionRule.objects.create(
        result=result,
        from_stage=stage(pipeline, "Первый звонок"),
        to_stage=stage(pipeline, "Встреча"),
    )
    return result


@pytest.fixture
def seller(make_user, line_a):
    return make_user(lines={line_a: "write"}, last_name="Продавцова", first_name="Анна")


@pytest.fixture
def client_org(line_a):
    return OrganizationFactory(business_lines=[line_a], short_name="Альфа")


@pytest.fixture
def contact_person(client_org, line_a):
    """Иванов Пётр, who works at the client."""
    person = PersonFactory(business_lines=[line_a], last_name="Иванов", first_name="Пётр")
    directory_services.employment_create(actor=None, person=person, organization=client_org)
    return person


@pytest.fixture
def deal(pipeline, client_org, line_a, seller):
    """The client's deal "Лицензии" in the first stage, opened by the seller and theirs."""
    return new_deal(pipeline, client_org, line_a, "Лицензии", actor=seller, responsible=seller)
