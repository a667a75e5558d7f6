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

from django.core.exceptions import ValidationError
from django.db.models import BigIntegerField, Expression, FloatField, TextField
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast
from django.utils import formats
from django.utils.html import format_html
from django.utils.translation import gettext as _

from .models import AttributeDefinition, AttributeType, Organization

T = AttributeType
PREFIX = "attr_"
MAX_STRING, MAX_TEXT = 500, 10_000
LIMIT = 10**15  # numbers stay exact as JSON numbers and as floats when sorted
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


class KeyText(KeyTextTransform):
    """A key's value as text, as Django's `KT`, written so that SQLite can read it from an
    index on the same expression: with the key's path in the statement itself (SQLite
    does not match an expression holding a bound parameter to an indexed one) and JSON's
    own types listed in a fixed order (Django lists them from a set, in an order that
    changes with each process's hash seed)."""

    def as_sqlite(self, compiler, connection):
        lhs, params, keys = self.preprocess_lhs(compiler, connection)
        path = connection.ops.compile_json_path(keys).replace("'", "''").replace("%", "%%")
        types = ",".join(f"'{value}'" for value in sorted(connection.ops.jsonfield_datatype_values))
        typed, value = f"JSON_TYPE({lhs}, '{path}')", f"JSON_EXTRACT({lhs}, '{path}')"
        return f"(CASE WHEN {typed} IN ({types}) THEN {typed} ELSE {value} END)", (*params,) * 3


def sort_key(definition: AttributeDefinition) -> Expression | None:
    """What a list sorts the attribute by, as an expression over the record's own row: the
    number for numbers, the text otherwise. None for references to organisations, which
    sort by the referenced name. Sorting and the attribute's index
    (`attribute_indexes`) build it here, so that the database sees one expression."""
    if definition.type == T.ORGANIZATION:
        return None
    text = KeyText(definition.code, "attributes")
    if definition.type == T.INTEGER:
        return Cast(text, BigIntegerField())
    if definition.type == T.DECIMAL:
        return Cast(text, FloatField())
    # Plain text: comparisons of a JSON key would read the compared value as JSON.
    return Cast(text, TextField())


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
        if isinstance(value, bool) or not re.fullmatch(r"\s*[-+]?\d+\s*", str(value)):
            raise ValidationError(_("Enter a whole number."))
        if abs(int(value)) >= LIMIT:
            raise ValidationError(_("At most 15 digits."))
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
    if number is None or not number.is_finite():
        raise ValidationError(_("Enter a number."))
    if abs(number) >= LIMIT:
        raise ValidationError(_("At most 15 digits before the decimal point."))
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
    known: dict[str, AttributeDefinition] | None = None,
) -> dict:
    """The attributes to store: `values` applied over `current` when `merge` (an empty value
    removes an attribute), or `values` alone, checked.

    Unknown attributes are refused, and so are new values of retired ones; a stored value
    sent back unchanged is kept as it is. Required ones are checked when `check_required`.
    `known` (every definition of the target by code) saves the lookup when checking many.
    """
    if not isinstance(values, dict):
        raise AttributeErrors({"attributes": _("Send an object of attribute codes and values.")})
    if known is None:
        known = {d.code: d for d in definitions(target, active=False)}
    current = current or {}
    result, errors = dict(current) if merge else {}, {}
    for code, value in values.items():
        definition = known.get(code)
        if code in current and current[code] == value:
            # Kept as stored, even if the option was removed since, the attribute retired
            # or the organisation it names is one the author cannot see.
            result[code] = value
            continue
        if definition is None or not definition.is_active:
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


def attach(records: Iterable, target: str, user, *, only_in_list: bool = False, known=None) -> list:
    """Give each record `custom` — (definition, shown value) for every active attribute —
    resolving referenced organisations of all records in one query. `known`: the active
    definitions of `target`, when the caller has read them already."""
    records = list(records)
    known = definitions(target) if known is None else known
    wanted = [d for d in known if d.show_in_list or not only_in_list]
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


def history_rows(target: str):
    """A function giving the history rows (label, old, new) of the attributes that changed
    between two stored values, shown in the reader's formats; the definitions are read
    once, for a whole page of history."""
    known = {d.code: d for d in definitions(target, active=False)}

    def rows(old: Any, new: Any) -> list[tuple[str, str, str]]:
        old, new = _as_dict(old), _as_dict(new)
        changed = [code for code in set(old) | set(new) if old.get(code) != new.get(code)]
        changed.sort(key=lambda c: (c not in known, known[c].label if c in known else c))
        return [
            (
                known[c].label if c in known else c,
                _shown(known.get(c), old.get(c)),
                _shown(known.get(c), new.get(c)),
            )
            for c in changed
        ]

    return rows


def _shown(definition: AttributeDefinition | None, value: Any) -> str:
    """A value in the history: the history does not name organisations (only their id)."""
    if definition is None:
        return _text(value)
    return str(display(definition, value, {}))


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
