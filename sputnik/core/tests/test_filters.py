"""Each filter set works on filters of its own: what one request sets on its filters
(the viewer's colleagues, the sorting by custom attributes, a restricted queryset)
never reaches the class's filters or another request's."""

import pytest
from django.test import RequestFactory

from sputnik.directory.filters import OrganizationFilter
from sputnik.directory.models import Industry, Organization
from sputnik.directory.tests.factories import define_attribute

pytestmark = pytest.mark.django_db


def filter_set(user, query: str = "o=attr_staff") -> OrganizationFilter:
    request = RequestFactory().get(f"/organizations/?{query}")
    request.user = user
    filters = OrganizationFilter(
        request.GET, queryset=Organization.objects.restrict(user), request=request
    )
    filters.form.is_valid()  # builds every filter's field
    return filters


def test_what_a_filter_set_sets_stays_in_its_own_filters(make_user, line_a, line_b):
    define_attribute("staff", "integer", "Штат")
    first = filter_set(make_user(lines={line_a: "write"}, last_name="Первова"))
    second = filter_set(make_user(lines={line_b: "write"}, last_name="Вторых"))
    base = OrganizationFilter.base_filters

    assert "offered" not in base["responsible"].extra
    assert "attr_staff" not in base["o"].param_map

    offered = [
        [user.last_name for user in filters.filters["responsible"].extra["offered"]]
        for filters in (first, second)
    ]
    assert "Первова" in offered[0] and "Первова" not in offered[1]
    assert "Вторых" in offered[1] and "Вторых" not in offered[0]
    assert first.filters["o"].param_map["attr_staff"] == "attr_staff"
    assert first.form.cleaned_data["o"] == ["attr_staff"]


def test_each_form_has_fields_of_its_own(make_user, line_a):
    user = make_user(lines={line_a: "write"})
    first, second = filter_set(user, "status=client"), filter_set(user, "status=former")
    assert first.form.fields["status"] is not second.form.fields["status"]
    assert first.form.fields["status"].widget is not second.form.fields["status"].widget
    assert (first.form.cleaned_data["status"], second.form.cleaned_data["status"]) == (
        "client",
        "former",
    )
    assert first.form.fields["responsible"] is first.filters["responsible"].field


def test_rows_one_filter_set_read_are_not_kept_for_the_next(make_user, line_a):
    user = make_user(lines={line_a: "write"})
    Industry.objects.create(name="Связь")
    first = filter_set(user)
    assert [str(i) for i in first.filters["industry"].queryset] == ["Связь"]
    Industry.objects.create(name="Транспорт")
    second = filter_set(user)
    assert [str(i) for i in second.filters["industry"].queryset] == ["Связь", "Транспорт"]
