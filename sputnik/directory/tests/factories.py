"""Factories for the directory; they create through the services."""

import factory

from sputnik.directory import services
from sputnik.directory.models import AttributeDefinition, Organization, Person

# Valid INNs of legal entities (checksums correct), for tests that need several.
INNS = ["7707083893", "7736050003", "7702070139", "5504036333", "2309085638", "3528000597"]


class OrganizationFactory(factory.django.DjangoModelFactory):
    """organization(business_lines=[line], ...)"""

    class Meta:
        model = Organization

    short_name = factory.Sequence(lambda n: f"Организация {n}")
    inn = ""

    @classmethod
    def _create(cls, model_class, *args, business_lines, **kwargs):
        return services.organization_create(actor=None, business_lines=business_lines, **kwargs)


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    last_name = factory.Sequence(lambda n: f"Контактов{n}")
    first_name = "Пётр"

    @classmethod
    def _create(cls, model_class, *args, business_lines, **kwargs):
        return services.person_create(actor=None, business_lines=business_lines, **kwargs)


def define_attribute(code: str, kind: str, label: str = "", *, target="organization", **values):
    """A custom attribute defined through the service (`label` in Russian; the code in
    English)."""
    return services.attribute_definition_save(
        actor=None,
        definition=AttributeDefinition(),
        target=target,
        code=code,
        type=kind,
        label_ru=label or code,
        label_en=code,
        **values,
    )
