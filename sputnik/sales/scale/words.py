"""Word lists of the scale data set beyond the demo tables (which it reuses for people's
names, cities, positions and company name parts): business lines, brand syllables, deal
products, contact subjects and notes."""

from __future__ import annotations

from sputnik.directory.models import AttributeType

# code, name, description, share of the organisations' first line (weights).
# The line `bench` is the benchmark's: it holds about one organisation in eight.
LINES = [
    ("software", "Программное обеспечение", "Продажа и внедрение программных продуктов", 24),
    ("consulting", "Консалтинг", "Консультационные услуги и обучение", 17),
    ("bench", "Облачные сервисы", "Подписки на облачные сервисы и хостинг", 10),
    ("hardware", "Оборудование", "Поставка серверов, сетей и рабочих мест", 14),
    ("integration", "Системная интеграция", "Проекты под ключ", 11),
    ("security", "Информационная безопасность", "Аудит и средства защиты", 9),
    ("support", "Техническая поддержка", "Сервисные контракты", 8),
    ("training", "Учебный центр", "Курсы и сертификация", 7),
]
BENCH_LINE = "bench"

DEPARTMENT_ROOT = "Коммерческая дирекция"
OTHER_DEPARTMENTS = ["Отдел маркетинга", "Служба безопасности", "Информационные технологии"]

# Syllables of invented brand names: «Ровента», «Каматек», «Лидорис».
SYLLABLES = """
    ро вен та ка ма тек ли до рис ве га нор дан те ра но ви за лан гор
    бал тис мер кон ор ион ал фа ри кор сан дер ви тал ин ко мар гал
""".split()  # noqa: SIM905 - a list of syllables reads better as text
NAME_SUFFIXES = [" Плюс", " Групп", "-М", " Сервис", " Трейд", "-Юг", "-Север", " Инжиниринг"]

# Custom attributes: code, label in Russian, in English, type, column of the list, options.
ORGANIZATION_ATTRIBUTES = [
    ("staff", "Численность сотрудников", "Headcount", AttributeType.INTEGER, True, []),
    (
        "source",
        "Источник",
        "Source",
        AttributeType.CHOICE,
        False,
        ["Выставка", "Сайт", "Рекомендация", "Холодный звонок", "Тендер"],
    ),
    ("founded", "Дата регистрации", "Registered on", AttributeType.DATE, False, []),
    ("tier", "Категория клиента", "Client tier", AttributeType.CHOICE, True, ["A", "B", "C"]),
    ("okved", "Основной ОКВЭД", "Main OKVED code", AttributeType.STRING, False, []),
]
PERSON_ATTRIBUTES = [
    ("hobby", "Увлечения", "Interests", AttributeType.STRING, False, []),
]
DEAL_ATTRIBUTES = [
    ("contract", "Номер договора", "Contract number", AttributeType.STRING, False, []),
]
OKVED = ["62.01", "62.02", "46.51", "47.41", "41.20", "49.41", "86.10", "01.11", "35.11", "85.41"]

# A third pipeline besides the two of the sales demo.
PROJECT_PIPELINE = (
    "Проектное внедрение",
    [
        ("Квалификация", "open", 10, []),
        ("Обследование", "open", 25, []),
        ("Техническое решение", "open", 45, ["amount"]),
        ("Коммерческое предложение", "open", 60, ["amount"]),
        ("Согласование договора", "open", 80, ["amount", "expected_close"]),
        ("Реализация", "won", 100, ["amount"]),
        ("Проект не состоялся", "lost", 0, []),
    ],
)
PIPELINE_WEIGHTS = [5, 3, 2]  # licences, service contracts, projects
EXTRA_LOSS_REASONS = ["Не прошли тендер", "Сменился руководитель", "Нет технической возможности"]
# name, kind, next kind, in working days — offered besides the demo's results.
EXTRA_RESULTS = [
    ("Информация получена", "", "", None),
    ("Без результата", "", "call", 3),
    ("Письмо получено", "letter", "call", 5),
    ("Провели демонстрацию", "meeting", "email", 1),
    ("Отправили счёт", "email", "call", 5),
]

PRODUCTS = [
    "Лицензии СЭД",
    "Продление подписки",
    "Внедрение CRM",
    "Расширение лицензий",
    "Поставка серверов",
    "Аудит ИБ",
    "Обучение персонала",
    "Техподдержка",
    "Миграция в облако",
    "Интеграция с ERP",
    "Модернизация сети",
    "Облачное хранилище",
    "Видеонаблюдение",
    "Рабочие места",
]
SUBJECTS = {
    "call": [
        "Уточнить потребность",
        "Звонок по коммерческому предложению",
        "Согласование условий договора",
        "Напоминание об оплате",
        "Приглашение на вебинар",
        "Знакомство",
        "Уточнить контакты руководителя",
        "Обсудить продление",
    ],
    "email": [
        "Коммерческое предложение",
        "Презентация решения",
        "Счёт на оплату",
        "Договор на согласование",
        "Ответ на запрос",
        "Приглашение на мероприятие",
    ],
    "meeting": [
        "Презентация решения",
        "Демонстрация продукта",
        "Переговоры по договору",
        "Встреча с ИТ-директором",
        "Рабочая встреча по проекту",
        "Визит к клиенту",
    ],
    "letter": ["Оригиналы документов", "Гарантийное письмо", "Акт сверки", "Официальное письмо"],
    "fax": ["Реквизиты", "Копия договора"],
    "other": ["Выставка", "Вебинар", "Сообщение в мессенджере"],
}
KINDS = ["call", "email", "meeting", "letter", "fax", "other"]
KIND_WEIGHTS = [45, 30, 15, 5, 1, 4]
NOTES = [
    "Просили перезвонить после совещания.",
    "Интересуются сроками поставки.",
    "Бюджет утверждают в следующем квартале.",
    "Нужна скидка для согласования.",
    "Направили вопросы юристам.",
    "Ждут сравнение с текущим решением.",
    "Готовы к пилотному проекту.",
    "Решение принимает генеральный директор.",
    "Попросили прислать кейсы.",
    "Согласовали дату демонстрации.",
]
BLACKLIST_REASONS = [
    "Неоплаченная задолженность",
    "Недобросовестный участник закупок",
    "Решение службы безопасности",
]
ORGANIZATION_NOTES = [
    "Работают с конкурентом, договор до конца года.",
    "Закупки через площадку.",
    "Ключевой клиент региона.",
    "Головной офис принимает решения.",
]
