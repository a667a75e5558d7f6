"""Template tags of the sales pages."""

from django import template
from django.utils.safestring import mark_safe

from sputnik.sales.models import KIND_ICONS, InteractionKind

register = template.Library()

# Drawn once: "my work" shows one per row, the quick form one per kind, a timeline one per entry.
_ICONS = {
    kind: mark_safe(f'<i class="bi {icon}" aria-hidden="true"></i>')
    for kind, icon in KIND_ICONS.items()
}


@register.simple_tag
def kind_icon(kind: str) -> str:
    """The icon of a kind of contact (a call's telephone, a meeting's people …)."""
    return _ICONS.get(kind, _ICONS[InteractionKind.OTHER])
