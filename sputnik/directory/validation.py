"""Checks and normal forms of Russian identifiers, phones and e-mails.

INN and OGRN checksums come from python-stdnum, phones from phonenumbers: never hand-written.
"""

from __future__ import annotations

import re

import phonenumbers
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _
from stdnum.exceptions import InvalidChecksum, InvalidLength
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.ru import inn as inn_number
from stdnum.ru import ogrn as ogrn_number

KPP = re.compile(r"^\d{4}[0-9A-Z]{2}\d{3}$")


def digits(value: str) -> str:
    return re.sub(r"\s+", "", value or "")


def clean_inn(value: str, *, sole_trader: bool | None = None) -> str:
    """A valid INN: 10 digits for a legal entity, 12 for a sole trader, checksum correct."""
    value = digits(value)
    if not value:
        return ""
    if not value.isdigit():
        raise ValidationError(_("The INN consists of digits only."), code="inn_format")
    if sole_trader is True and len(value) != 12:
        raise ValidationError(_("A sole trader's INN has 12 digits."), code="inn_length")
    if sole_trader is False and len(value) != 10:
        raise ValidationError(_("A legal entity's INN has 10 digits."), code="inn_length")
    try:
        return inn_number.validate(value)
    except InvalidLength:
        raise ValidationError(_("An INN has 10 or 12 digits."), code="inn_length") from None
    except InvalidChecksum:
        raise ValidationError(
            _("The INN %(inn)s has a wrong check digit: check for a typo.") % {"inn": value},
            code="inn_checksum",
        ) from None
    except StdnumError:
        raise ValidationError(_("This is not a valid INN."), code="inn_invalid") from None


def clean_kpp(value: str) -> str:
    value = digits(value).upper()
    if value and not KPP.match(value):
        raise ValidationError(
            _("A KPP has 9 characters: four digits, two digits or letters, three digits."),
            code="kpp_format",
        )
    return value


def clean_ogrn(value: str) -> str:
    """OGRN (13 digits) or OGRNIP (15 digits) with a correct check digit."""
    value = digits(value)
    if not value:
        return ""
    wrong_digit = ValidationError(
        _("The OGRN %(ogrn)s has a wrong check digit: check for a typo.") % {"ogrn": value},
        code="ogrn_checksum",
    )
    if len(value) == 15 and value.isdigit() and value[0] in "34":
        # python-stdnum compares an OGRNIP's check digit with the whole remainder mod 13,
        # which may be 10–12; the rule takes the remainder's last digit.
        if int(value[:-1]) % 13 % 10 != int(value[-1]):
            raise wrong_digit
        return value
    try:
        return ogrn_number.validate(value)
    except InvalidLength:
        raise ValidationError(
            _("An OGRN has 13 digits, an OGRNIP 15."), code="ogrn_length"
        ) from None
    except (InvalidChecksum, StdnumError):
        raise wrong_digit from None


def normalize_phone(value: str, region: str = "RU") -> str:
    """The phone in E.164 (+74951234567), whatever way it was typed."""
    value = (value or "").strip()
    if not value:
        return ""
    try:
        number = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_possible_number(number):
        raise ValidationError(
            _("“%(value)s” is not a phone number.") % {"value": value}, code="phone"
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def display_phone(value: str) -> str:
    """+7 495 123-45-67"""
    try:
        number = phonenumbers.parse(value, "RU")
    except phonenumbers.NumberParseException:
        return value
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def normalize_email(value: str) -> str:
    value = (value or "").strip().lower()
    if value:
        try:
            validate_email(value)
        except ValidationError:
            raise ValidationError(
                _("“%(value)s” is not an e-mail address.") % {"value": value}, code="email"
            ) from None
    return value


FEMALE_ENDINGS = ("вна", "чна", "кызы", "qizi")
MALE_ENDINGS = ("вич", "ич", "оглы", "uly")


def gender_from_patronymic(patronymic: str) -> str:
    """m or f for a Russian (or Turkic) patronymic; empty when it does not tell."""
    tail = (patronymic or "").strip().lower()
    if tail.endswith(FEMALE_ENDINGS):
        return "f"
    if tail.endswith(MALE_ENDINGS):
        return "m"
    return ""
