"""Record links built from a pattern reversed once are the links `reverse()` gives."""

import pytest
from django.urls import reverse, set_script_prefix

from sputnik.core.links import record_url, record_urls


@pytest.mark.parametrize(
    "viewname",
    ["directory:organization_detail", "directory:person_detail", "sales:deal", "sales:work_done"],
)
@pytest.mark.parametrize("pk", [1, 42, 1234567890])
def test_the_same_link_as_reverse(viewname, pk):
    assert record_url(viewname, pk) == reverse(viewname, args=[pk])
    assert record_urls(viewname)(pk) == reverse(viewname, args=[pk])


def test_behind_a_script_prefix():
    try:
        set_script_prefix("/crm/")
        assert record_url("sales:deal", 7) == "/crm/deals/7/" == reverse("sales:deal", args=[7])
        assert record_urls("sales:deal")(8) == "/crm/deals/8/"
    finally:
        set_script_prefix("/")
    assert record_url("sales:deal", 7) == "/deals/7/"


def test_only_integer_ids():
    with pytest.raises(ValueError):
        record_url("sales:deal", "7/../../admin")
    with pytest.raises(ValueError):
        record_urls("sales:deal")("7/../../admin")
