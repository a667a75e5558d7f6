"""Template tags of the sales pages."""

from django import template
from django.utils.safestring import mark_safe

from sputnik.sales.models import InteractionKind

register = template.Library()

# The icon of each kind of contact wherever one is shown: "my work" (one per row), the
# quick form (one per kind) and the timeline (one per entry). Bootstrap Icons' names.
KIND_ICONS = {
    InteractionKind.CALL: "bi-telephone",
    InteractionKind.EMAIL: "bi-envelope",
    InteractionKind.MEETING: "bi-people",
    InteractionKind.LETTER: "bi-envelope-paper",
    InteractionKind.FAX: "bi-printer",
    InteractionKind.OTHER: "bi-chat-left-text",
}
_DRAWN = {
    kind: mark_safe(f'<i class="bi {icon}" aria-hidden="true"></i>')
    for kind, icon in KIND_ICONS.items()
}


@register.simple_tag
def kind_icon(kind: str) -> str:
    """The icon of a kind of contact (a call's telephone, a meeting's people …)."""
    return _DRAWN.get(kind, _DRAWN[InteractionKind.OTHER])
