"""Demo people and structure. Later apps add their demo data after this one."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from . import services
from .models import BusinessLine, Department, RoleCode, User

DEMO_PASSWORD = "sputnik-demo"

LINES = [
    ("software", "Программное обеспечение", "Продажа и внедрение программных продуктов"),
    ("consulting", "Консалтинг", "Консультационные услуги и обучение"),
]

DEPARTMENTS = [
    ("Коммерческая дирекция", None),
    ("Отдел продаж ПО", "Коммерческая дирекция"),
    ("Отдел консалтинга", "Коммерческая дирекция"),
    ("Отдел маркетинга", "Коммерческая дирекция"),
    ("Служба безопасности", None),
    ("Информационные технологии", None),
]

# login, surname, first name, patronymic, position, department, role, all-lines role, lines
PEOPLE = [
    (
        "admin",
        "Кузнецов",
        "Алексей",
        "Петрович",
        "Системный администратор",
        "Информационные технологии",
        RoleCode.ADMINISTRATOR,
        "manage",
        {},
    ),
    (
        "director",
        "Орлова",
        "Наталья",
        "Сергеевна",
        "Коммерческий директор",
        "Коммерческая дирекция",
        RoleCode.DIRECTOR,
        "read",
        {},
    ),
    (
        "security",
        "Волков",
        "Игорь",
        "Николаевич",
        "Специалист по безопасности",
        "Служба безопасности",
        RoleCode.SECURITY_OFFICER,
        "read",
        {},
    ),
    (
        "head_sales",
        "Смирнова",
        "Елена",
        "Викторовна",
        "Руководитель отдела продаж",
        "Отдел продаж ПО",
        RoleCode.HEAD_OF_SALES,
        "",
        {"software": "manage", "consulting": "manage"},
    ),
    (
        "sales_sw",
        "Иванов",
        "Пётр",
        "Андреевич",
        "Менеджер по продажам",
        "Отдел продаж ПО",
        RoleCode.SALESPERSON,
        "",
        {"software": "write"},
    ),
    (
        "sales_cons",
        "Петрова",
        "Мария",
        "Ивановна",
        "Менеджер по продажам",
        "Отдел консалтинга",
        RoleCode.SALESPERSON,
        "",
        {"consulting": "write"},
    ),
    (
        "head_marketing",
        "Соколов",
        "Дмитрий",
        "Олегович",
        "Руководитель маркетинга",
        "Отдел маркетинга",
        RoleCode.HEAD_OF_MARKETING,
        "",
        {"software": "manage", "consulting": "manage"},
    ),
    (
        "marketer",
        "Лебедева",
        "Анна",
        "Михайловна",
        "Маркетолог",
        "Отдел маркетинга",
        RoleCode.MARKETER,
        "",
        {"software": "write", "consulting": "read"},
    ),
]


HEADS = {
    "director": "Коммерческая дирекция",
    "head_sales": "Отдел продаж ПО",
    "head_marketing": "Отдел маркетинга",
    "security": "Служба безопасности",
    "admin": "Информационные технологии",
}


@transaction.atomic
def load() -> list[tuple[str, str, str]]:
    """Create the demo structure once; returns (login, password, role) for each user."""
    if BusinessLine.objects.filter(code=LINES[0][0]).exists():
        return _logins()
    lines = {
        code: services.line_create(actor=None, name=name, code=code, description=description)
        for code, name, description in LINES
    }
    departments: dict[str, Department] = {}
    for name, parent in DEPARTMENTS:
        departments[name] = services.department_create(
            actor=None, name=name, parent=departments.get(parent)
        )
    actor = None
    for login, last, first, middle, position, department, role, all_lines, member in PEOPLE:
        user = services.user_create(
            actor=actor,
            username=login,
            password=DEMO_PASSWORD,
            roles=[role],
            memberships={lines[code]: line_role for code, line_role in member.items()},
            last_name=last,
            first_name=first,
            patronymic=middle,
            position=position,
            department=departments[department],
            all_lines_role=all_lines,
            email=f"{login}@company.example",
        )
        actor = actor or user
        head_of = HEADS.get(login)
        if head_of:
            services.department_update(
                actor=actor, department=departments[head_of], expected_version=None, head=user
            )
        services.notify(
            recipient=user,
            title=_("Welcome to Sputnik"),
            body=_("Your profile, language and second factor are in the menu under your name."),
            url="/profile/",
        )
    return _logins()


def _logins() -> list[tuple[str, str, str]]:
    roles = dict(RoleCode.choices)
    users = User.objects.filter(username__in=[p[0] for p in PEOPLE]).prefetch_related("groups")
    by_login = {u.username: u for u in users}
    return [
        (login, DEMO_PASSWORD, str(roles[role]))
        for login, *_rest, role, _all, _m in PEOPLE
        if login in by_login
    ]
