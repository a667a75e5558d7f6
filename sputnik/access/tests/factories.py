"""Factories for people and structure. They create through the services, so test data
obeys the same rules (validation, roles, memberships) as real data."""

import factory

from sputnik.access import services
from sputnik.access.models import BusinessLine, Department, RoleCode, User

PASSWORD = "correct-horse-42"


class BusinessLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BusinessLine

    name = factory.Sequence(lambda n: f"Направление {n}")
    code = factory.Sequence(lambda n: f"line-{n}")
    description = ""

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return services.line_create(actor=None, **kwargs)


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department

    name = factory.Sequence(lambda n: f"Отдел {n}")
    parent = None

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return services.department_create(actor=None, **kwargs)


class UserFactory(factory.django.DjangoModelFactory):
    """An employee; `lines={line: role}` and `roles=[...]` set access."""

    class Meta:
        model = User

    username = factory.Sequence(lambda n: f"user{n}")
    last_name = factory.Sequence(lambda n: f"Тестов{n}")
    first_name = "Иван"
    roles = factory.LazyFunction(lambda: [RoleCode.SALESPERSON])
    lines = factory.LazyFunction(dict)
    all_lines_role = ""

    @classmethod
    def _create(cls, model_class, *args, roles, lines, **kwargs):
        return services.user_create(
            actor=None, password=PASSWORD, roles=roles, memberships=lines, **kwargs
        )
