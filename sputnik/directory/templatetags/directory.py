"""Template helpers of the directory."""

from django import template

from sputnik.directory.validation import display_phone

register = template.Library()


@register.filter
def phone(value: str) -> str:
    """+7 495 123-45-67 for a stored +74951234567."""
    return display_phone(value) if value else ""
