"""The header's menu is drawn once per set of permissions, language and section and then
served from the cache: each viewer still sees only their own sections, marked where
they are, in their language, with their own counters."""

import re

import pytest

from sputnik.access.models import RoleCode

pytestmark = pytest.mark.django_db


def menu(html: str) -> list[str]:
    """The top-level sections of the header, an active one marked with *."""
    header = html.split('<ul class="navbar-nav me-auto">', 1)[1].split("\n      </ul>", 1)[0]
    links = re.findall(r'<a class="nav-link([^"]*)"[^>]*>([^<]+)', header)
    return [f"{name.strip()}{'*' if ' active' in css else ''}" for css, name in links]


def test_each_viewer_sees_their_own_sections(client, make_user, line_a, admin_user):
    seller = make_user(lines={line_a: "write"})
    client.force_login(admin_user)
    everything = menu(client.get("/organizations/").text)
    assert "Аудит" in everything and "Компания" in everything
    client.force_login(seller)
    own = menu(client.get("/organizations/").text)
    assert "Аудит" not in own and "Организации*" in own
    officer = make_user(RoleCode.SECURITY_OFFICER, all_lines_role="read")
    client.force_login(officer)
    assert "Аудит" in menu(client.get("/organizations/").text)


def test_the_section_and_the_language_follow_the_page(client, make_user, line_a):
    seller = make_user(lines={line_a: "write"})
    client.force_login(seller)
    assert "Организации*" in menu(client.get("/organizations/").text)
    on_persons = menu(client.get("/persons/").text)
    assert "Контактные лица*" in on_persons and "Организации" in on_persons
    english = menu(client.get("/persons/", HTTP_ACCEPT_LANGUAGE="en").text)
    assert "Persons*" in english and "Organisations" in english


def test_a_new_permission_shows_its_section_at_once(client, make_user, line_a):
    from django.contrib.auth.models import Permission

    seller = make_user(lines={line_a: "write"})
    client.force_login(seller)
    assert "Аудит" not in menu(client.get("/persons/").text)
    seller.user_permissions.add(Permission.objects.get(codename="view_audit"))
    assert "Аудит" in menu(client.get("/persons/").text)
