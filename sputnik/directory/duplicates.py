"""Finding records that may already be in the base (DIR-5): organisations by name, persons
by e-mail, phone or full name. Pages warn before saving; the API offers the same check."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from sputnik.core.filters import contains

from . import validation
from .models import Organization, Person
from .search import QueryKind, contact_owners, search

LIMIT = 5


def similar_organizations(
    user,
    name: str,
    inn: str = "",
    *,
    same_inn: bool = True,
    exclude: int | None = None,
    limit: int = LIMIT,
) -> list[tuple[Organization, list[str]]]:
    """Organisations the user may see that may be this one, each with why: the same INN
    (when `same_inn`; creating one is refused anyway, with a link) or a similar name,
    typos forgiven."""
    visible = Organization.objects.restrict(user).exclude(pk=exclude)
    found: dict[int, tuple[Organization, list[str]]] = {}
    try:
        inn = validation.clean_inn(inn) if inn else ""
    except ValidationError:
        inn = ""
    if inn and same_inn:
        for org in visible.filter(inn=inn)[:limit]:
            found[org.pk] = (org, [_("same INN")])
    if (name or "").strip():
        for org in search(user, name, limit=limit + 1).organizations:
            if org.pk != exclude and (org.pk not in found) and not (inn and org.inn == inn):
                found[org.pk] = (org, [_("similar name")])
    return list(found.values())[:limit]


def similar_persons(
    user,
    *,
    last_name: str = "",
    first_name: str = "",
    patronymic: str = "",
    emails=(),
    phones=(),
    exclude: int | None = None,
    limit: int = LIMIT,
) -> list[tuple[Person, list[str]]]:
    """Persons the user may see who may be this one, each with why: the same e-mail or
    phone (in their contacts or at work), or the same full name."""
    persons = Person.objects.restrict(user).exclude(pk=exclude)
    found: dict[int, tuple[Person, list[str]]] = {}

    def add(matches, reason: str) -> None:
        for person in matches[:limit]:
            found.setdefault(person.pk, (person, []))[1].append(reason)

    for kind, values, normalize in (
        (QueryKind.EMAIL, emails, validation.normalize_email),
        (QueryKind.PHONE, phones, validation.normalize_phone),
    ):
        for value in filter(None, values):
            try:
                value = normalize(value)
            except ValidationError:
                continue
            person_condition = contact_owners(user, kind, value)[1]
            if kind == QueryKind.EMAIL:
                reason = _("same e-mail %(value)s") % {"value": value}
            else:
                reason = _("same phone %(value)s") % {"value": value}
            add(persons.filter(person_condition), reason)
    if last_name.strip() and first_name.strip():
        same = persons.filter(
            last_name__iregex=f"^{contains(last_name)}$",
            first_name__iregex=f"^{contains(first_name)}$",
        )
        if patronymic.strip():
            same = same.filter(patronymic__iregex=f"^({contains(patronymic)})?$")
        add(same, _("same full name"))
    return list(found.values())[:limit]
