"""Template helpers of the directory. The badges and cells drawn on every row of a list
are written in Python: an include per row was a tenth of a list page's time."""

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.translation import pgettext

from sputnik.directory.models import AttributeType, OrganizationStatus
from sputnik.directory.validation import display_phone

register = template.Library()

STATUS_CSS = {
    OrganizationStatus.CLIENT: "text-bg-success",
    OrganizationStatus.FORMER: "text-bg-secondary",
}
NUMERIC = {AttributeType.INTEGER, AttributeType.DECIMAL}


@register.filter
def phone(value: str) -> str:
    """+7 495 123-45-67 for a stored +74951234567."""
    return display_phone(value) if value else ""


@register.simple_tag
def status_badge(organization) -> str:
    """The organisation's status as a coloured badge."""
    css = STATUS_CSS.get(organization.status, "text-bg-info")
    return format_html('<span class="badge {}">{}</span>', css, organization.get_status_display())


@register.simple_tag
def undesirable_badge(entry) -> str:
    """The red flag of an undesirable counterparty (`entry`: a blacklist entry or None)."""
    if not entry:
        return ""
    return format_html(
        '<span class="badge text-bg-danger" title="{reason}" data-testid="undesirable-badge">'
        '<i class="bi bi-slash-circle" aria-hidden="true"></i> {label}'
        '<span class="visually-hidden">: {reason}</span></span>',
        reason=entry.reason,
        label=pgettext("counterparty flag", "Undesirable"),
    )


@register.simple_tag
def custom_cells(record) -> str:
    """A table cell per custom attribute shown in the list (see `attributes.attach`)."""
    return format_html_join(
        "",
        "<td{}>{}</td>",
        (
            (' class="text-end text-nowrap"' if definition.type in NUMERIC else "", shown or "—")
            for definition, shown in record.custom
        ),
    )
