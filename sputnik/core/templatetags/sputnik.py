"""Template helpers shared by every page: Bootstrap widgets, query strings, roles, and
the parts of a page kept in the cache (the header's menu, a list's filter panel)."""

import hashlib

from django import forms, template
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from sputnik.core import links, stamps
from sputnik.core.roles import LineRole

register = template.Library()


def widget_css(widget) -> str:
    if isinstance(widget, forms.CheckboxInput | forms.RadioSelect | forms.CheckboxSelectMultiple):
        return "form-check-input"
    if isinstance(widget, forms.Select | forms.SelectMultiple):
        return "form-select"
    return "form-control"


@register.simple_tag
def field_widget(field, **attrs):
    """Render a bound field's widget with Bootstrap classes and error state."""
    attrs = {name.replace("_", "-"): value for name, value in attrs.items()}
    css = widget_css(field.field.widget)
    if field.errors:
        css += " is-invalid"
    attrs["class"] = f"{css} {attrs.get('class', '')}".strip()
    if field.help_text:
        attrs["aria-describedby"] = f"{field.auto_id}_help"
    return field.as_widget(attrs=attrs)


# The header's sections, by what marks a page as in one (its path).
NAV_SECTIONS = {
    "home": lambda path: path == reverse("home"),
    "organizations": lambda path: "/organizations/" in path,
    "persons": lambda path: "/persons/" in path,
    "deals": lambda path: "/deals/" in path,
    "lists": lambda path: "/lists/" in path,
    "undesirable": lambda path: "/undesirable/" in path,
    "company": lambda path: any(
        part in path for part in ("/lines/", "/employees/", "/departments/", "/roles/", "/sales/")
    ),
    "audit": lambda path: "/audit/" in path,
}


@register.simple_tag(takes_context=True)
def nav_state(context) -> dict:
    """The header's sections marked active for this page, and `key`: what its menu is
    drawn from (the viewer's permissions, the language and the active sections), under
    which the drawn menu is cached for everyone alike."""
    user, path = context["user"], context["request"].path
    active = {name: test(path) for name, test in NAV_SECTIONS.items()}
    permissions = getattr(user, "_nav_permissions", None)
    if permissions is None:
        granted = "all" if user.is_superuser else ",".join(sorted(user.get_all_permissions()))
        permissions = user._nav_permissions = hashlib.sha256(granted.encode()).hexdigest()
    marks = "".join("1" if on else "0" for on in active.values())
    return {"active": active, "key": f"{permissions}:{get_language()}:{marks}"}


PANEL = "core/filters.html"
PANEL_TIMEOUT = 300  # seconds; a bound on memory, not on correctness


def panel_key(request, target: str = "") -> str:
    """What a list's filter panel is drawn from: the list (its path), the language, the
    filter as asked for (whatever the page), the viewer and their access (whom and which
    lists the selects offer), today (substitutions begin and end by date) and the stamp
    of every kind of record its selects offer (`core.stamps`)."""
    user = request.user
    parts = (
        request.path,
        target,
        get_language(),
        sorted((name, values) for name, values in request.GET.lists() if name != "page"),
        user.pk,
        user.access_key,
        timezone.localdate().isoformat(),
        stamps.current(stamps.CHOICES),
    )
    return "filters:" + hashlib.sha256(repr(parts).encode()).hexdigest()


@register.simple_tag(takes_context=True)
def filter_panel(context) -> str:
    """The filter panel of a list page, drawn once and then kept in the cache under
    `panel_key`: building its form and reading and drawing its selects took a quarter of
    a list page's time, for the same panel on every visit. A list view builds its filter
    set only when it is used (`ObjectListView.filterset`), so a panel from the cache
    over an unfiltered list spares that too."""
    filterset, request = context.get("filterset"), context["request"]
    template = context.template.engine.get_template(PANEL)
    if filterset is None or not request.user.is_authenticated:
        return template.render(context)
    key = panel_key(request, context.get("target") or "")
    html = cache.get(key)
    if html is None:
        html = template.render(context)
        cache.set(key, str(html), PANEL_TIMEOUT)
    return mark_safe(html)  # noqa: S308 - drawn by the template above


@register.filter
def is_checkbox(field) -> bool:
    return isinstance(field.field.widget, forms.CheckboxInput)


@register.filter
def is_radio(field) -> bool:
    return isinstance(field.field.widget, forms.RadioSelect)


@register.filter
def is_multi_checkbox(field) -> bool:
    return isinstance(field.field.widget, forms.CheckboxSelectMultiple)


@register.simple_tag(takes_context=True)
def query(context, **changes):
    """The current query string with some parameters replaced (for paging and sorting)."""
    params = context["request"].GET.copy()
    for key, value in changes.items():
        if value in (None, ""):
            params.pop(key, None)
        else:
            params[key] = value
    return f"?{params.urlencode()}" if params else "?"


ROLE_BADGES = {LineRole.READ: "secondary", LineRole.WRITE: "primary", LineRole.MANAGE: "success"}


@register.simple_tag
def role_badge(role):
    if not role:
        return ""
    return format_html(
        '<span class="badge text-bg-{}">{}</span>', ROLE_BADGES[role], LineRole(role).label
    )


@register.filter
def get_item(mapping, key):
    return mapping.get(key, "")


@register.filter
def app_label(instance) -> str:
    return instance._meta.app_label


@register.filter
def model_name(instance) -> str:
    return instance._meta.model_name


@register.simple_tag
def fields_of(form, fields=None):
    """The fields to render: those given, else the form's visible fields."""
    if fields:
        return fields
    return form.visible_fields() if form else []


@register.simple_tag(takes_context=True)
def sort_header(context, field: str, label: str):
    """A column header that sorts the htmx table by `field`, toggling the direction."""
    current = context["request"].GET.get("o", "")
    ascending = current == field
    target = f"-{field}" if ascending else field
    url = query(context, o=target, page=None)
    arrow = mark_safe(' <span class="text-body-tertiary" aria-hidden="true">↕</span>')
    if current in {field, f"-{field}"}:
        arrow = " ↑" if ascending else " ↓"
    sort = "ascending" if ascending else "descending" if current == f"-{field}" else "none"
    return format_html(
        '<a href="{0}" hx-get="{0}" hx-target="#table" hx-swap="outerHTML" hx-push-url="true"'
        ' class="link-body-emphasis text-decoration-none" aria-sort="{1}">{2}{3}</a>',
        url,
        sort,
        label,
        arrow,
    )


@register.simple_tag
def record_url(viewname: str, pk: int) -> str:
    """`{% url viewname pk %}` for rows of a list: the pattern is reversed once per page
    load of the process, not once per row (see core/links.py)."""
    return links.record_url(viewname, pk)
