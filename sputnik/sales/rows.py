"""What pages of many contacts read of them besides their own row: the persons they
name, as `values()` rows rather than models ("my work", a dossier's timeline); and the
persons of a deal or a contact that its editor may not see."""

from collections import defaultdict

from sputnik.core import names
from sputnik.directory.models import Person

from .models import InteractionKind


def kind_names() -> dict[str, str]:
    """The kinds of contact by value, named in the active language (once per page: a
    lazy label is translated again each time it is shown)."""
    return {value: str(label) for value, label in InteractionKind.choices}


def contact_persons(user, contacts: list[int]) -> dict[int, list[tuple[int, str]]]:
    """For each of the contacts (ids), the persons it names that `user` may see, as
    (id, short name), in the persons' order; one query."""
    named = defaultdict(list)
    persons = Person.objects.restrict(user).filter(interactions__in=contacts)
    for contact, pk, last_name, first_name, patronymic in persons.values_list(
        "interactions", "pk", "last_name", "first_name", "patronymic"
    ):
        named[contact].append((pk, names.short_name(last_name, first_name, patronymic)))
    return named


def with_unseen_persons(record, persons: list, user, organization) -> list:
    """`persons` (what an editor chose for a deal or a contact) and the record's persons
    `user` may not see, which the editor was not offered and so could not keep: they stay
    as long as the record's organisation does (`organization`: the one it is saved with)."""
    if getattr(organization, "pk", organization) != record.organization_id:
        return persons
    visible = set(record.persons.restrict(user).values_list("pk", flat=True))
    return [*persons, *(person for person in record.persons.all() if person.pk not in visible)]
