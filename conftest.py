"""Fixtures shared by every app's tests: business lines and users by role."""

import os
import shutil

import pytest

from sputnik.access.models import RoleCode
from sputnik.access.tests.factories import BusinessLineFactory, UserFactory


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def line_a(db):
    return BusinessLineFactory(name="Программное обеспечение", code="software")


@pytest.fixture
def line_b(db):
    return BusinessLineFactory(name="Консалтинг", code="consulting")


@pytest.fixture
def make_user(db):
    """make_user(role, lines={line: "read"|"write"|"manage"}, all_lines_role="", **profile)"""

    def make(role=RoleCode.SALESPERSON, lines=None, all_lines_role="", **profile):
        return UserFactory(
            roles=[role] if role else [],
            lines=lines or {},
            all_lines_role=all_lines_role,
            **profile,
        )

    return make


@pytest.fixture
def admin_user(make_user):
    return make_user(RoleCode.ADMINISTRATOR, all_lines_role="manage", username="admin")


@pytest.fixture
def security_officer(make_user):
    return make_user(RoleCode.SECURITY_OFFICER, all_lines_role="read", username="security")


# Browser tests ------------------------------------------------------------------------
# Playwright drives Debian's chromium. Without it, browser tests are skipped locally with
# a hint; in CI (CI=true) a missing browser fails the run instead.

CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _chromium_path():
    candidates = [os.environ.get("CHROMIUM"), shutil.which("chromium"), "/usr/bin/chromium"]
    return next((c for c in candidates if c and os.path.exists(c)), None)


@pytest.fixture(scope="session")
def browser():
    path = _chromium_path()
    if path is None:
        message = "Browser tests need Debian chromium: apt-get install chromium (or set CHROMIUM)."
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    # Playwright's sync API runs an event loop in this thread; the ORM calls made by
    # test code around it are still synchronous.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def signed_in(browser, live_server):
    """signed_in(user, language="ru") -> a Playwright page signed in through the login form."""
    contexts = []

    def sign_in(user, password="correct-horse-42", language="ru"):
        context = browser.new_context(locale=language, viewport={"width": 1280, "height": 800})
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("input[name=username]", user.username)
        page.fill("input[name=password]", password)
        page.click("button[type=submit]")
        page.wait_for_url(f"{live_server.url}/")
        return page

    yield sign_in
    for context in contexts:
        context.close()
