"""A list's filter panel is drawn once and then served from the cache, under a key that
changes with whatever it is drawn from: the viewer and their access, the language, the
filter asked for and every kind of record its selects offer."""

import re

import pytest
from django import forms
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from sputnik.access import services as access_services
from sputnik.core import stamps
from sputnik.core.views import ObjectListView
from sputnik.directory import services
from sputnik.directory.filters import OrganizationFilter
from sputnik.directory.models import Category
from sputnik.directory.tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def seller(make_user, line_a):
    return make_user(lines={line_a: "write"}, last_name="Продавцова")


def panel(html: str) -> str:
    return html.split('class="sp-filters"', 1)[1].split("</form>", 1)[0]


def offered(html: str, name: str) -> list[str]:
    select = panel(html).split(f'<select name="{name}"', 1)[1].split("</select>", 1)[0]
    return re.findall(r'<option value="\d+"[^>]*>([^<]*)</option>', select)


def built_filter_sets(monkeypatch) -> list:
    built = []
    original = OrganizationFilter.__init__

    def spy(self, *args, **kwargs):
        built.append(self)
        original(self, *args, **kwargs)

    monkeypatch.setattr(OrganizationFilter, "__init__", spy)
    return built


def test_the_panel_is_drawn_once_then_served_from_the_cache(client, seller, line_a, monkeypatch):
    Category.objects.create(name="Дистрибьютор")
    OrganizationFactory(business_lines=[line_a], short_name="Альфа")
    client.force_login(seller)
    built = built_filter_sets(monkeypatch)
    first = client.get("/organizations/").text
    assert len(built) == 1 and "Дистрибьютор" in offered(first, "category")
    with CaptureQueriesContext(connection) as queries:
        again = client.get("/organizations/").text
    assert panel(again) == panel(first) and "Альфа" in again
    assert len(built) == 1  # an unfiltered list needs no filter set once the panel is kept
    assert panel(client.get("/organizations/?page=1").text) == panel(first)
    assert len(built) == 1  # another page of the list: the same panel
    selects = [
        q["sql"]
        for q in queries.captured_queries
        if re.search(r'FROM "directory_(category|industry)"(?! INNER JOIN)', q["sql"])
    ]
    assert selects == []  # the categories of the rows are read, not the panel's
    # A filter builds the filter set (it filters the list); its panel shows the choice.
    chosen = client.get(f"/organizations/?business_line={line_a.pk}").text
    assert len(built) == 2
    assert f'<option value="{line_a.pk}" selected>' in panel(chosen)


def test_the_panel_offers_what_changed_once_it_is_committed(
    client, seller, make_user, line_a, django_capture_on_commit_callbacks
):
    client.force_login(seller)
    client.get("/organizations/")
    with django_capture_on_commit_callbacks(execute=True):
        category = Category.objects.create(name="Новая категория")
        colleague = make_user(last_name="Новенькая")
        access_services.membership_set(actor=None, line=line_a, user=colleague, role="read")
        services.segment_create(
            actor=seller, name="Горячие клиенты", kind="organizations", business_lines=[line_a]
        )
    html = client.get("/organizations/").text
    assert "Новая категория" in offered(html, "category")
    assert any("Новенькая" in name for name in offered(html, "responsible"))
    assert "Горячие клиенты" in offered(html, "segment")
    # Renamed and deleted records too.
    with django_capture_on_commit_callbacks(execute=True):
        category.name = "Переименованная"
        category.save()
        colleague.last_name = "Замужняя"
        colleague.save()
        line_a.name = "Линия А (новая)"
        line_a.save()
    html = client.get("/organizations/").text
    assert "Переименованная" in offered(html, "category")
    assert any("Замужняя" in name for name in offered(html, "responsible"))
    assert "Линия А (новая)" in offered(html, "business_line")
    with django_capture_on_commit_callbacks(execute=True):
        category.delete()
    assert "Переименованная" not in offered(client.get("/organizations/").text, "category")


def test_the_stamp_is_renewed_only_once_the_change_commits(
    seller, django_capture_on_commit_callbacks
):
    """Renewed inside the transaction, the stamp's row would stay locked until the
    commit, holding up every other writer of watched records."""
    before = stamps.current(stamps.CHOICES)
    with django_capture_on_commit_callbacks() as callbacks:
        Category.objects.create(name="Пока не видна")
        assert stamps.current(stamps.CHOICES) == before
    assert len(callbacks) == 1
    callbacks[0]()
    assert stamps.current(stamps.CHOICES) not in ("", before)


def test_a_sign_in_leaves_the_stamp_but_a_profile_change_renews_it(
    seller, django_capture_on_commit_callbacks
):
    before = stamps.current(stamps.CHOICES)
    with django_capture_on_commit_callbacks(execute=True):
        seller.save(update_fields=["last_login"])
        seller.set_password("Новый-пароль-2026")
        seller.save(update_fields=["password"])
    assert stamps.current(stamps.CHOICES) == before
    with django_capture_on_commit_callbacks(execute=True):
        seller.first_name = "Мария"
        seller.save()
    assert stamps.current(stamps.CHOICES) not in ("", before)


def test_each_viewer_and_language_has_their_own_panel(
    make_user, line_a, line_b, client, django_capture_on_commit_callbacks
):
    first = make_user(lines={line_a: "write"}, last_name="Первова")
    second = make_user(lines={line_b: "write"}, last_name="Вторая")
    for owner, name, line in ((first, "Список А", line_a), (second, "Список Б", line_b)):
        services.segment_create(actor=owner, name=name, kind="organizations", business_lines=[line])
    client.force_login(first)
    assert offered(client.get("/organizations/").text, "segment") == ["Список А"]
    client.force_login(second)
    html = client.get("/organizations/").text
    assert offered(html, "segment") == ["Список Б"]
    assert offered(html, "business_line") == [line_b.name]
    assert 'for="id_responsible">Ответственный' in panel(html)
    english = client.get("/organizations/", HTTP_ACCEPT_LANGUAGE="en").text
    assert 'for="id_responsible">Responsible' in panel(english)
    # A new role on another line changes what the viewer is offered.
    with django_capture_on_commit_callbacks(execute=True):
        access_services.membership_set(actor=None, line=line_a, user=second, role="read")
    second.refresh_from_db()
    client.force_login(second)
    assert offered(client.get("/organizations/").text, "business_line") == sorted(
        [line_a.name, line_b.name]
    )


def test_a_bad_filter_is_explained_in_the_panel_every_time(client, seller):
    client.force_login(seller)
    for _ in range(2):
        html = client.get("/organizations/?category=999999").text
        assert "is-invalid" in panel(html) and "999999" not in offered(html, "category")


def list_views():
    found, pending = [], [ObjectListView]
    while pending:
        view = pending.pop()
        pending.extend(view.__subclasses__())
        if view.filterset_class is not None:
            found.append(view)
    return found


def test_every_panel_select_offers_only_watched_records(admin_user):
    """A list's panel is cached under the stamp of what its selects offer: each of its
    selects must read a model whose changes renew that stamp."""
    watched = stamps.WATCHED[stamps.CHOICES]
    views = list_views()
    assert len(views) >= 8
    for view in views:
        request = RequestFactory().get("/")
        request.user = admin_user
        queryset = view.model._default_manager.none()
        filterset = view.filterset_class(None, queryset=queryset, request=request)
        for name, field in filterset.form.fields.items():
            if isinstance(field.widget, forms.HiddenInput) or not hasattr(field, "queryset"):
                continue
            models = {field.queryset.model, getattr(getattr(field, "offered", None), "model", None)}
            unwatched = models - watched - {None}
            assert not unwatched, f"{view.__name__}.{name} offers {unwatched}, not watched"


def test_a_migrate_renews_the_stamps():
    """Data migrations and bulk loads send no signals: every `migrate` renews them all."""
    from django.core.management.sql import emit_post_migrate_signal

    before = stamps.current(stamps.CHOICES)
    emit_post_migrate_signal(verbosity=0, interactive=False, db="default")
    assert stamps.current(stamps.CHOICES) not in ("", before)
