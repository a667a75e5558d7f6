"""Custom attributes (DIR-3) at work: values checked against their definitions and stored in
the record's `attributes` JSON, and everything pages and the API derive from the
definitions — form fields, filters, sort keys and the way a value is shown.

Stored forms: text as a string, a whole number as a JSON number, a decimal as a string
(`"1234.50"`, exact), a date as ISO `YYYY-MM-DD`, yes/no as a JSON boolean, a choice as the
option, several choices as a list of options, an organisation as its id. `clean_value`
accepts its own stored form, so checking twice changes nothing.
"""

from __future__ import annotations

import datetime
import json
import re
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import FloatField, OuterRef, Subquery, TextField
from django.db.models import IntegerField as IntegerColumn
from django.db.models.fields.json import KT
from django.db.models.functions import Cast
from django.utils import formats
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sputnik.core.filters import contains

from .lookup import lookup_field
from .models import AttributeDefinition, AttributeType, Organization

T = AttributeType
PREFIX = "attr_"
MAX_STRING, MAX_TEXT = 500, 10_000
RANGED = (T.INTEGER, T.DECIMAL, T.DATE)


class AttributeErrors(ValidationError):
    """Bad attribute values: `by_code` for the API, messages naming each attribute's label
    under the `attributes` field for pages and services."""

    def __init__(self, errors: dict[AttributeDefinition | str, str]):
        self.by_code = {getattr(key, "code", key): [message] for key, message in errors.items()}
        super().__init__(
            {
                "attributes": [
                    f"{getattr(key, 'label', key)}: {message}" for key, message in errors.items()
                ]
            }
        )


def definitions(target: str, *, active: bool = True) -> list[AttributeDefinition]:
    """The attributes of one kind of record in their display order."""
    found = AttributeDefinition.objects.filter(target=target)
    return list(found.filter(is_active=True) if active else found)


# Values -----------------------------------------------------------------------------


def clean_value(definition: AttributeDefinition, value: Any, *, user=None) -> Any:
    """The stored form of `value`, or None when it is empty; ValidationError if it does not
    fit the attribute's type."""
    if value is None or value == "" or value == []:
        return None
    kind = definition.type
    if kind in (T.STRING, T.TEXT):
        if not isinstance(value, str | int | Decimal):
            raise ValidationError(_("Enter text."))
        text, limit = str(value).strip(), MAX_STRING if kind == T.STRING else MAX_TEXT
        if len(text) > limit:
            raise ValidationError(_("At most %(limit)s characters.") % {"limit": limit})
        return text or None
    if kind == T.INTEGER:
        if isinstance(value, bool) or not re.fullmatch(r"\s*[-+]?\d{1,15}\s*", str(value)):
            raise ValidationError(_("Enter a whole number."))
        return int(value)
    if kind == T.DECIMAL:
        return _clean_decimal(value)
    if kind == T.DATE:
        return _clean_date(value)
    if kind == T.BOOLEAN:
        if isinstance(value, bool):
            return value
        if str(value).lower() in ("true", "1", "yes"):
            return True
        if str(value).lower() in ("false", "0", "no"):
            return False
        raise ValidationError(_("Enter yes (true) or no (false)."))
    if kind == T.CHOICE:
        return _clean_option(definition, value)
    if kind == T.MULTI_CHOICE:
        if not isinstance(value, list | tuple):
            raise ValidationError(_("Send a list of options."))
        chosen = [_clean_option(definition, option) for option in value]
        return list(dict.fromkeys(chosen)) or None
    if kind == T.ORGANIZATION:
        return _clean_organization(value, user)
    raise ValidationError(_("Unknown attribute type."))


def _clean_decimal(value) -> str:
    if isinstance(value, bool | float):
        value = str(value) if isinstance(value, float) else "x"
    try:
        number = Decimal(str(value).strip().replace(" ", "").replace(",", "."))
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite() or abs(number) >= Decimal(10) ** 15:
        raise ValidationError(_("Enter a number."))
    return str(number)


def _clean_date(value) -> str:
    if isinstance(value, datetime.date):
        return value.isoformat()
    try:
        return datetime.date.fromisoformat(str(value).strip()).isoformat()
    except ValueError:
        raise ValidationError(_("Enter a date as YYYY-MM-DD.")) from None


def _clean_option(definition: AttributeDefinition, value) -> str:
    if str(value) not in definition.choices:
        raise ValidationError(
            _("“%(value)s” is not one of the options: %(options)s.")
            % {"value": value, "options": ", ".join(definition.choices)}
        )
    return str(value)


def _clean_organization(value, user) -> int:
    pk = getattr(value, "pk", value)
    if isinstance(pk, bool) or not re.fullmatch(r"\d{1,18}", str(pk)):
        raise ValidationError(_("Give the id of an organisation."))
    organizations = Organization.objects.restrict(user) if user else Organization.objects.all()
    if not organizations.filter(pk=int(pk)).exists():
        raise ValidationError(_("There is no organisation with this id."))
    return int(pk)


def clean_attributes(
    target: str,
    values: Any,
    *,
    current: dict | None = None,
    merge: bool = True,
    check_required: bool = True,
    user=None,
) -> dict:
    """The attributes to store: `values` applied over `current` when `merge` (an empty value
    removes an attribute), or `values` alone, checked.

    Unknown attributes are refused, and so are new values of retired ones (a stored value
    sent back unchanged is kept). Required attributes are checked when `check_required`.
    """
    if not isinstance(values, dict):
        raise AttributeErrors({"attributes": _("Send an object of attribute codes and values.")})
    known = {d.code: d for d in definitions(target, active=False)}
    current = current or {}
    result, errors = dict(current) if merge else {}, {}
    for code, value in values.items():
        definition = known.get(code)
        if definition is None or not definition.is_active:
            if code in current and current[code] == value:
                result[code] = value
            else:
                errors[code] = _("There is no such attribute.")
            continue
        try:
            cleaned = clean_value(definition, value, user=user)
        except ValidationError as error:
            errors[definition] = " ".join(error.messages)
            continue
        if cleaned is None:
            result.pop(code, None)
        else:
            result[code] = cleaned
    if check_required:
        for definition in known.values():
            missing = result.get(definition.code) is None
            if definition.is_active and definition.required and missing:
                errors.setdefault(definition, _("This attribute is required."))
    if errors:
        raise AttributeErrors(errors)
    return result


# Display ----------------------------------------------------------------------------


def display(definition: AttributeDefinition, value: Any, names: dict[int, Organization]) -> str:
    """A value as a reader sees it (Russian formats in Russian); "" when empty."""
    if value is None or value == "" or value == []:
        return ""
    kind = definition.type
    try:
        if kind == T.DATE:
            return formats.date_format(datetime.date.fromisoformat(value), "SHORT_DATE_FORMAT")
        if kind == T.DECIMAL:
            return formats.number_format(Decimal(value), use_l10n=True, force_grouping=True)
        if kind == T.INTEGER:
            return formats.number_format(int(value), use_l10n=True, force_grouping=True)
    except (ValueError, InvalidOperation, TypeError):
        return str(value)
    if kind == T.BOOLEAN:
        return _("yes") if value else _("no")
    if kind == T.MULTI_CHOICE and isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if kind == T.ORGANIZATION:
        organization = names.get(value)
        if organization is None:
            return _("organisation #%(id)s") % {"id": value}
        return format_html(
            '<a href="{}">{}</a>', organization.get_absolute_url(), organization.short_name
        )
    return str(value)


def attach(records: Iterable, target: str, user, *, only_in_list: bool = False) -> list:
    """Give each record `custom` — (definition, shown value) for every active attribute —
    resolving referenced organisations of all records in one query."""
    records = list(records)
    wanted = [d for d in definitions(target) if d.show_in_list or not only_in_list]
    ids = {
        record.attributes.get(d.code)
        for record in records
        for d in wanted
        if d.type == T.ORGANIZATION and isinstance(record.attributes.get(d.code), int)
    }
    names = Organization.objects.restrict(user).in_bulk(ids) if ids else {}
    for record in records:
        record.custom = [(d, display(d, record.attributes.get(d.code), names)) for d in wanted]
    return wanted


def readable_changes(target: str, old: Any, new: Any) -> list[tuple[str, str, str]]:
    """Rows (label, old, new) for the attributes that changed between two stored values,
    for the history. Values are shown as stored: the history does not resolve names."""
    old, new = _as_dict(old), _as_dict(new)
    labels = {d.code: d.label for d in definitions(target, active=False)}
    rows = []
    for code in sorted(set(old) | set(new), key=lambda c: (c not in labels, labels.get(c, c))):
        if old.get(code) != new.get(code):
            rows.append((labels.get(code, code), _text(old.get(code)), _text(new.get(code))))
    return rows


def _as_dict(value: Any) -> dict:
    if isinstance(value, dict):
        return value
    try:
        parsed = json.loads(value) if value not in (None, "", "None") else {}
    except (TypeError, ValueError):
        return {}
    return parsed if isinstance(parsed, dict) else {}


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


# Forms ------------------------------------------------------------------------------

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class DigitGroupsMixin:
    """Numbers typed with their digits grouped by spaces (“1 234,5”) are understood."""

    def to_python(self, value):
        if isinstance(value, str):
            value = re.sub(r"[\s\u00a0\u202f]", "", value)
        return super().to_python(value)


class IntegerField(DigitGroupsMixin, forms.IntegerField):
    pass


class DecimalField(DigitGroupsMixin, forms.DecimalField):
    pass


def form_field(definition: AttributeDefinition, user) -> forms.Field:
    """The form field of one attribute."""
    kind, common = definition.type, {"label": definition.label, "help_text": definition.help}
    required = definition.required and kind != T.BOOLEAN
    if kind == T.STRING:
        return forms.CharField(max_length=MAX_STRING, required=required, **common)
    if kind == T.TEXT:
        textarea = forms.Textarea(attrs={"rows": 3})
        return forms.CharField(max_length=MAX_TEXT, widget=textarea, required=required, **common)
    if kind == T.INTEGER:
        return IntegerField(required=required, localize=True, **common)
    if kind == T.DECIMAL:
        return DecimalField(required=required, localize=True, max_digits=30, **common)
    if kind == T.DATE:
        return forms.DateField(required=required, widget=DATE, **common)
    if kind == T.BOOLEAN:
        return forms.BooleanField(required=False, **common)
    options = [(option, option) for option in definition.choices]
    if kind == T.CHOICE:
        return forms.ChoiceField(choices=[("", "—"), *options], required=required, **common)
    if kind == T.MULTI_CHOICE:
        widget = forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"})
        return forms.MultipleChoiceField(
            choices=options, widget=widget, required=required, **common
        )
    field = forms.ModelChoiceField(
        queryset=Organization.objects.restrict(user), required=required, **common
    )
    return lookup_field(field, "organizations")


class AttributesFormMixin:
    """Adds a field per active attribute of `attribute_target`; the cleaned values end up
    in `cleaned_data["attributes"]` (merged into what the record had), checked again by the
    service that writes them."""

    attribute_target: str = ""

    def add_attribute_fields(self, user) -> None:
        self.attribute_user = user
        stored = self.instance.attributes or {}
        for definition in definitions(self.attribute_target):
            name = PREFIX + definition.code
            self.fields[name] = form_field(definition, user)
            value = stored.get(definition.code)
            if value is not None and definition.type == T.DATE:
                value = datetime.date.fromisoformat(value)
            self.initial[name] = value

    def attribute_fields(self):
        return [self[name] for name in self.fields if name.startswith(PREFIX)]

    def clean(self):
        data = super().clean()
        given = {
            name.removeprefix(PREFIX): data.pop(name)
            for name in list(data)
            if name.startswith(PREFIX)
        }
        try:
            data["attributes"] = clean_attributes(
                self.attribute_target,
                given,
                current=self.instance.attributes,
                user=self.attribute_user,
            )
        except AttributeErrors as error:
            for code, messages in error.by_code.items():
                self.add_error(PREFIX + code if PREFIX + code in self.fields else None, messages)
        return data

    def changes(self) -> dict:
        return {**super().changes(), "attributes": self.cleaned_data["attributes"]}


# Lists ------------------------------------------------------------------------------


def annotate_sort_key(queryset, definition: AttributeDefinition, name: str):
    """`queryset` with `name` holding what a list sorts the attribute by: the number for
    numbers, the referenced organisation's name for references, the text otherwise."""
    text = KT(f"attributes__{definition.code}")
    if definition.type == T.INTEGER:
        return queryset.annotate(**{name: Cast(text, IntegerColumn())})
    if definition.type == T.DECIMAL:
        return queryset.annotate(**{name: Cast(text, FloatField())})
    if definition.type == T.ORGANIZATION:
        queryset = queryset.annotate(**{f"{name}_ref": Cast(text, IntegerColumn())})
        referenced = Organization.objects.filter(pk=OuterRef(f"{name}_ref"))
        return queryset.annotate(**{name: Subquery(referenced.values("short_name")[:1])})
    # Plain text: comparisons of a JSON key would read the compared value as JSON.
    return queryset.annotate(**{name: Cast(text, TextField())})


class AttributeFilterSetMixin:
    """A FilterSet with a filter (or a from–to pair) per active attribute and sorting by
    any of them with the `o` parameter (`attr_<code>` / `-attr_<code>`)."""

    attribute_target: str = ""

    def add_attribute_filters(self) -> None:
        self.attribute_definitions = definitions(self.attribute_target)
        ordering = self.filters["o"]
        for definition in self.attribute_definitions:
            self.filters.update(_filters(definition))
            ordering.param_map[PREFIX + definition.code] = PREFIX + definition.code
        ordering.extra["choices"] = ordering.build_choices(
            {field: param for param, field in ordering.param_map.items()}, {}
        )
        ordering.__dict__.pop("_field", None)  # a form field built earlier has old choices

    def filter_queryset(self, queryset):
        sort = self.form.cleaned_data.get("o") or []
        for definition in self.attribute_definitions:
            name = PREFIX + definition.code
            if name in sort or f"-{name}" in sort:
                queryset = annotate_sort_key(queryset, definition, name)
        return super().filter_queryset(queryset)


def _filters(definition: AttributeDefinition) -> dict[str, django_filters.Filter]:
    name, label, kind = PREFIX + definition.code, definition.label, definition.type
    key = f"attributes__{definition.code}"
    if kind in RANGED:
        bounds = {}
        for suffix, lookup, word in (("min", "gte", _("from")), ("max", "lte", _("to"))):
            field_class = {
                T.INTEGER: django_filters.NumberFilter,
                T.DECIMAL: django_filters.NumberFilter,
                T.DATE: django_filters.DateFilter,
            }[kind]
            extra = {"widget": DATE} if kind == T.DATE else {}
            bounds[f"{name}_{suffix}"] = field_class(
                label=f"{label}: {word}", method=_range(definition, lookup), **extra
            )
        return bounds
    if kind == T.BOOLEAN:
        choices = [("true", gettext_lazy("Yes")), ("false", gettext_lazy("No"))]
        return {
            name: django_filters.ChoiceFilter(
                label=label,
                choices=choices,
                empty_label=_("All"),
                method=lambda qs, _n, value: qs.filter(**{key: value == "true"}),
            )
        }
    if kind == T.CHOICE:
        return {
            name: django_filters.ChoiceFilter(
                label=label,
                choices=[(o, o) for o in definition.choices],
                empty_label=_("All"),
                method=lambda qs, _n, value: qs.filter(**{key: value}),
            )
        }
    if kind == T.MULTI_CHOICE:
        return {
            name: django_filters.ChoiceFilter(
                label=label,
                choices=[(o, o) for o in definition.choices],
                empty_label=_("All"),
                method=lambda qs, _n, value: qs.annotate(**{name: KT(key)}).filter(
                    **{f"{name}__regex": _json_string_pattern(value)}
                ),
            )
        }
    if kind == T.ORGANIZATION:
        return {name: django_filters.CharFilter(label=label, method=_by_organization(definition))}
    return {
        name: django_filters.CharFilter(
            label=label,
            method=lambda qs, _n, value: qs.annotate(**{name: KT(key)}).filter(
                **{f"{name}__iregex": contains(value)}
            ),
        )
    }


def _json_string_pattern(value: str) -> str:
    """Matches `value` as a string inside a JSON list's text, whether the database keeps
    non-Latin letters as they are (PostgreSQL) or as `\\u` escapes (SQLite)."""
    forms_ = {json.dumps(value, ensure_ascii=False), json.dumps(value)}
    return "|".join(re.escape(form) for form in sorted(forms_))


def _range(definition: AttributeDefinition, lookup: str):
    name = f"{PREFIX}{definition.code}_value"

    def by_bound(queryset, _name, value):
        if definition.type == T.DATE:
            value = value.isoformat()
        queryset = annotate_sort_key(queryset, definition, name)
        return queryset.filter(**{f"{name}__{lookup}": value})

    return by_bound


def _by_organization(definition: AttributeDefinition):
    name = f"{PREFIX}{definition.code}_id"

    def by_name(queryset, _name, value):
        matching = Organization.objects.filter(short_name__iregex=contains(value)).values("pk")
        pk = Cast(KT(f"attributes__{definition.code}"), IntegerColumn())
        return queryset.annotate(**{name: pk}).filter(**{f"{name}__in": matching})

    return by_name
