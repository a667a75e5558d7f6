import pytest

from sputnik.core import names
from sputnik.directory.models import Person


@pytest.mark.parametrize(
    ("parts", "full", "short"),
    [
        (("Петрова", "Анна", "Сергеевна"), "Петрова Анна Сергеевна", "Петрова А. С."),
        (("Петрова", "Анна", ""), "Петрова Анна", "Петрова А."),
        (("Петрова", "", "Сергеевна"), "Петрова Сергеевна", "Петрова С."),
        (("Петрова", "", ""), "Петрова", "Петрова"),
        (("", "Анна", ""), "Анна", "А."),
    ],
)
def test_a_persons_names_from_a_row_are_the_models(parts, full, short):
    """Rows read without a `Person` ("my work", a timeline) name people as a person's
    page does."""
    last, first, patronymic = parts
    person = Person(last_name=last, first_name=first, patronymic=patronymic)
    assert names.full_name(*parts) == person.full_name == full
    assert names.short_name(*parts) == person.short_name == short
