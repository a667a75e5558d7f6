"""The base classes fail closed: a subclass cannot replace the restricted queryset."""

import pytest
from django.utils import translation

from sputnik.access.models import BusinessLine
from sputnik.core.api import RestrictedViewSet
from sputnik.core.views import ObjectListView
from sputnik.directory.models import LegalForm, Organization


def test_view_overriding_get_queryset_is_refused():
    with pytest.raises(TypeError, match="restricted_queryset"):

        class Leaky(ObjectListView):
            model = BusinessLine

            def get_queryset(self):
                return BusinessLine.objects.all()


def test_viewset_overriding_get_queryset_is_refused():
    with pytest.raises(TypeError, match="restricted_queryset"):

        class Leaky(RestrictedViewSet):
            model = BusinessLine

            def get_queryset(self):
                return BusinessLine.objects.all()


def test_choice_labels_follow_the_language_and_keep_unknown_values():
    """`get_<field>_display()` reads a table built once per field (core.models.ChoiceLabels)."""
    organization = Organization(status="client", legal_form="ooo")
    with translation.override("en"):
        assert organization.get_status_display() == "Client"
    with translation.override("ru"):
        assert organization.get_status_display() == "Клиент"
        assert organization.get_legal_form_display() == LegalForm("ooo").label
    organization.status = "merged"  # not one of the choices: shown as stored
    assert organization.get_status_display() == "merged"
    organization.status = None
    assert organization.get_status_display() is None


@pytest.mark.django_db
def test_brief_reads_of_a_related_record_only_what_names_it(make_user, line_a):
    """`brief()`: a row naming an organisation and an employee reads their names in the
    same query and none of their other columns."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from sputnik.core.models import brief
    from sputnik.directory.tests.factories import OrganizationFactory, define_attribute
    from sputnik.sales.models import Interaction

    define_attribute("staff", "integer")
    seller = make_user(lines={line_a: "write"}, last_name="Иванова", first_name="Анна")
    org = OrganizationFactory(
        business_lines=[line_a], short_name="Ромашка", attributes={"staff": 12}
    )
    Interaction.objects.create(
        organization=org, business_line=line_a, responsible=seller, kind="call", subject="Звонок"
    )
    with CaptureQueriesContext(connection) as queries:
        row = brief(Interaction.objects.all(), "organization", "responsible").get()
        shown = (row.subject, str(row.organization), row.responsible.short_name)
    assert shown == ("Звонок", "Ромашка", "Иванова А.") and len(queries) == 1
    sql = queries[0]["sql"]
    assert '"directory_organization"."short_name"' in sql
    assert '"directory_organization"."attributes"' not in sql
    assert '"access_user"."password"' not in sql
    assert "attributes" in row.organization.get_deferred_fields()
    assert row.organization.attributes == {"staff": 12}  # still there, at one query's cost
