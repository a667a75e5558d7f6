"""The base classes fail closed: a subclass cannot replace the restricted queryset."""

import pytest

from sputnik.access.models import BusinessLine
from sputnik.core.api import RestrictedViewSet
from sputnik.core.views import ObjectListView


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
