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
