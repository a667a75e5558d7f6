"""Every URL of the project refuses anonymous callers, except the few that must not.

The list of URLs is read from the URL configuration, so a page or endpoint added later
is covered without anyone remembering to add it here.
"""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

PUBLIC = {
    "access:login",
    "access:language",
    "api:docs",  # the docs page fetches the guarded schema
    "sales:calendar_feed",  # calendar programs cannot sign in: the secret address is the key
}


def walk(patterns, prefix="", namespace=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            space = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from walk(entry.url_patterns, prefix + str(entry.pattern), space)
        elif isinstance(entry, URLPattern):
            yield f"{namespace}{entry.name}", prefix + str(entry.pattern)


def concrete(route: str) -> str:
    route = re.sub(r"\\\.\(\?P<format>[^)]*\)/\?", "", route)  # DRF's ".json" variants
    route = re.sub(r"\(\?P<\w+>[^)]*\)", "1", route)
    route = re.sub(r"<int:\w+>", "1", route)
    route = re.sub(r"<(?:str:)?\w+>", "x", route)
    return "/" + route.replace("^", "").replace("$", "")


URLS = sorted(
    {
        (name, url)
        for name, route in walk(get_resolver().url_patterns)
        if (url := concrete(route)).endswith("/") and "<" not in url  # no ".json" twins
    }
)


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "url"), URLS, ids=[f"{n} {u}" for n, u in URLS])
def test_anonymous_callers_are_refused(client, name, url):
    if name in PUBLIC or url.startswith("/static/"):
        pytest.skip("public by design")
    for method in ("get", "post"):
        response = getattr(client, method)(url)
        assert response.status_code in {302, 401, 403, 404, 405}, (method, response.status_code)
        if response.status_code == 302:
            assert response["Location"].startswith("/accounts/login/"), response["Location"]
