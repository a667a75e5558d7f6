"""Demo organisations and contact persons in both business lines."""

from __future__ import annotations

from datetime import date

from django.db import transaction

from sputnik.access.models import BusinessLine, User

from . import services
from .models import Category, Industry, Organization

CATEGORIES = ["Клиент", "Партнёр", "Поставщик", "Конкурент"]
INDUSTRIES = ["Банки и финансы", "Энергетика", "Ритейл", "Промышленность", "Госсектор", "ИТ"]

# short name, full name, legal form, INN, KPP, industry, categories, status, lines, owner
ORGANIZATIONS = [
    (
        "Сбербанк",
        "ПАО «Сбербанк России»",
        "pao",
        "7707083893",
        "773601001",
        "Банки и финансы",
        ["Клиент"],
        "client",
        ["software", "consulting"],
        "sales_sw",
    ),
    (
        "Газпром нефть",
        "ПАО «Газпром нефть»",
        "pao",
        "5504036333",
        "783801001",
        "Энергетика",
        ["Клиент"],
        "client",
        ["software"],
        "sales_sw",
    ),
    (
        "Магнит",
        "ПАО «Магнит»",
        "pao",
        "2309085638",
        "231001001",
        "Ритейл",
        ["Клиент", "Партнёр"],
        "prospect",
        ["consulting"],
        "sales_cons",
    ),
    (
        "Северсталь",
        "ПАО «Северсталь»",
        "pao",
        "3528000597",
        "352801001",
        "Промышленность",
        [],
        "prospect",
        ["software"],
        "sales_sw",
    ),
    (
        "Яндекс",
        "ООО «Яндекс»",
        "ooo",
        "7736207543",
        "770401001",
        "ИТ",
        ["Конкурент", "Партнёр"],
        "prospect",
        ["software", "consulting"],
        "head_sales",
    ),
    (
        "Ростелеком",
        "ПАО «Ростелеком»",
        "pao",
        "7707049388",
        "784001001",
        "ИТ",
        ["Поставщик"],
        "former",
        ["consulting"],
        "sales_cons",
    ),
]

# organisation, surname, first name, patronymic, position, phone, e-mail, primary
PEOPLE = [
    (
        "Сбербанк",
        "Кузьмина",
        "Ольга",
        "Андреевна",
        "Директор по ИТ",
        "+7 495 500-55-50",
        "o.kuzmina@sberbank.example",
        True,
    ),
    (
        "Сбербанк",
        "Белов",
        "Сергей",
        "Игоревич",
        "Руководитель закупок",
        "+7 495 500-55-51",
        "s.belov@sberbank.example",
        False,
    ),
    (
        "Газпром нефть",
        "Никитин",
        "Андрей",
        "Павлович",
        "Главный инженер",
        "+7 812 363-31-52",
        "nikitin@gazprom-neft.example",
        True,
    ),
    (
        "Магнит",
        "Захарова",
        "Ирина",
        "Олеговна",
        "Директор по персоналу",
        "+7 861 210-48-10",
        "zakharova@magnit.example",
        True,
    ),
    (
        "Яндекс",
        "Фролов",
        "Максим",
        "Евгеньевич",
        "Менеджер по партнёрствам",
        "+7 495 739-70-00",
        "frolov@yandex.example",
        True,
    ),
]


@transaction.atomic
def load() -> list:
    if Organization.objects.exists():
        return []
    for order, name in enumerate(CATEGORIES):
        services.reference_save(actor=None, item=Category(order=order), name=name)
    for order, name in enumerate(INDUSTRIES):
        services.reference_save(actor=None, item=Industry(order=order), name=name)
    lines = {line.code: line for line in BusinessLine.objects.all()}
    users = {user.username: user for user in User.objects.all()}
    organizations = {}
    for short, full, form, inn, kpp, industry, categories, status, codes, owner in ORGANIZATIONS:
        organization = services.organization_create(
            actor=users.get(owner),
            business_lines=[lines[c] for c in codes],
            short_name=short,
            full_name=full,
            legal_form=form,
            inn=inn,
            kpp=kpp,
            status=status,
            industry=Industry.objects.get(name=industry),
            responsible=users.get(owner),
            categories=Category.objects.filter(name__in=categories),
        )
        services.address_save(
            actor=None,
            organization=organization,
            kind="legal",
            city="Москва",
            street="ул. Примерная, д. 1",
        )
        organizations[short] = organization
    for org, last, first, middle, position, phone, email, primary in PEOPLE:
        organization = organizations[org]
        person = services.person_create(
            actor=None,
            business_lines=organization.business_lines.all(),
            last_name=last,
            first_name=first,
            patronymic=middle,
            consent_mailing=primary,
        )
        services.employment_create(
            actor=None,
            person=person,
            organization=organization,
            position=position,
            work_phone=phone,
            work_email=email,
            is_primary=primary,
            started_on=date(2023, 3, 1),
        )
    return []
