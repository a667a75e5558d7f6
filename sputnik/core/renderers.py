"""The form renderer: Django's plainest widgets written in Python.

A filter panel or a form draws a dozen to twenty widgets, and drawing each one through
the template engine (the widget's template, then `input.html`, then `attrs.html`, then a
template per option) took a quarter of a list page's time. The inputs, selects, text
areas, radio buttons and checkboxes in `WIDGETS` give the HTML Django's templates for them
give (whitespace between tags aside); every other template (forms, fields, custom
widgets) still renders through the template engine, where the project's templates may
override it.
"""

from __future__ import annotations

from django.forms.renderers import TemplatesSetting
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe


def _attrs(attrs: dict) -> SafeString:
    """` name="value"` pairs as Django's `attrs.html` writes them: False leaves an
    attribute out, True writes it bare."""
    parts = []
    for name, value in attrs.items():
        if value is False:
            continue
        if value is True:
            parts.append(format_html(" {}", name))
        else:
            parts.append(format_html(' {}="{}"', name, str(value)))
    return mark_safe("".join(parts))


def _input(widget: dict) -> SafeString:
    value = widget["value"]
    shown = format_html(' value="{}"', str(value)) if value is not None else ""
    return format_html(
        '<input type="{}" name="{}"{}{}>',
        widget["type"],
        widget["name"],
        shown,
        _attrs(widget["attrs"]),
    )


def _select(widget: dict) -> SafeString:
    parts = [format_html('<select name="{}"{}>', widget["name"], _attrs(widget["attrs"]))]
    for group_name, options, _index in widget["optgroups"]:
        if group_name:
            parts.append(format_html('\n  <optgroup label="{}">', group_name))
        parts.append(
            format_html_join(
                "",
                '\n  <option value="{}"{}>{}</option>',
                ((str(o["value"]), _attrs(o["attrs"]), o["label"]) for o in options),
            )
        )
        if group_name:
            parts.append(mark_safe("\n  </optgroup>"))
    parts.append(mark_safe("\n</select>"))
    return mark_safe("".join(parts))


def _textarea(widget: dict) -> SafeString:
    value = widget["value"]
    return format_html(
        '<textarea name="{}"{}>\n{}</textarea>',
        widget["name"],
        _attrs(widget["attrs"]),
        value or "",
    )


def _option(widget: dict) -> SafeString:
    """A radio button or a checkbox of a choice (`input_option.html`), in its label."""
    if not widget.get("wrap_label"):
        return _input(widget)
    target = widget["attrs"].get("id")
    return format_html(
        "<label{}>{}\n {}</label>",  # the line break `input.html` ends with
        format_html(' for="{}"', target) if target else "",
        _input(widget),
        widget["label"],
    )


def _choices(widget: dict) -> SafeString | None:
    """Radio buttons or checkboxes of a choice (`multiple_input.html`); None when an
    option has a template of its own."""
    attrs = widget["attrs"]
    parts = [
        format_html(
            "<div{}{}>",
            format_html(' id="{}"', attrs["id"]) if attrs.get("id") else "",
            format_html(' class="{}"', attrs["class"]) if attrs.get("class") else "",
        )
    ]
    for group_name, options, _index in widget["optgroups"]:
        if group_name:
            parts.append(format_html("\n  <div><label>{}</label>", group_name))
        for option in options:
            if WIDGETS.get(option["template_name"]) is not _option:
                return None
            parts.append(format_html("<div>\n    {}</div>", _option(option)))
        if group_name:
            parts.append(mark_safe("\n  </div>"))
    parts.append(mark_safe("\n</div>"))
    return mark_safe("".join(parts))


_INPUTS = "checkbox color date datetime email hidden input number password search tel text time url"
WIDGETS = {f"django/forms/widgets/{name}.html": _input for name in _INPUTS.split()} | {
    "django/forms/widgets/select.html": _select,
    "django/forms/widgets/textarea.html": _textarea,
    "django/forms/widgets/radio_option.html": _option,
    "django/forms/widgets/checkbox_option.html": _option,
    "django/forms/widgets/radio.html": _choices,
    "django/forms/widgets/checkbox_select.html": _choices,
}


class FormRenderer(TemplatesSetting):
    """Templates from the project and the apps, as `TemplatesSetting`; the widgets in
    `WIDGETS` drawn in Python."""

    def render(self, template_name, context, request=None):
        draw = WIDGETS.get(template_name)
        drawn = draw(context["widget"]) if draw is not None else None
        if drawn is None:
            return super().render(template_name, context, request)
        return drawn
