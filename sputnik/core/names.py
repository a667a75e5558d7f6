"""How a person — a client's contact or an employee — is named on a page, from the
fields of their name, so that a row read with `values()` is named as its model is."""


def full_name(last_name: str, first_name: str, patronymic: str) -> str:
    """«Фамилия Имя Отчество»"""
    return " ".join(part for part in (last_name, first_name, patronymic) if part)


def short_name(last_name: str, first_name: str, patronymic: str) -> str:
    """«Фамилия И. О.»"""
    initials = " ".join(f"{part[0]}." for part in (first_name, patronymic) if part)
    return f"{last_name} {initials}".strip()
