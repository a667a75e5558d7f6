"""Demo organisations and contact persons in both business lines.

Besides a handful of well-known companies with their real identifiers, `load()` generates a
few hundred fictitious organisations and persons from the tables below. A fixed random seed
makes every load give the same data. Generated INNs, KPPs and OGRNs have correct check
digits (python-stdnum computes them), e-mail addresses and websites use the reserved
`.example` domain so that no demo mailing ever reaches a real mailbox. Everything is written
through the services, so it is validated and audited like data typed in by people.
"""

from __future__ import annotations

import itertools
import random
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import NamedTuple

from django.db import transaction
from stdnum.ru import inn as inn_number
from stdnum.ru import ogrn as ogrn_number

from sputnik.access.models import BusinessLine, User

from .. import services
from ..models import (
    AttributeDefinition,
    AttributeTarget,
    Category,
    ContactKind,
    DecisionRole,
    Industry,
    LegalForm,
    Organization,
    OrganizationStatus,
    Person,
)
from .tables import (
    ADJECTIVES,
    BRANCH_OF,
    BRANCHES,
    CATEGORIES,
    CITIES,
    CITY_ADJECTIVE_ENDINGS,
    CONSENT_SOURCES,
    EXTRA_MAILBOXES,
    EXTRA_PHONE_LABELS,
    FEMALE_NAMES,
    FORMER_JOBS,
    FULL_FORMS,
    GENDER_FORM,
    GENERATED_ORGANIZATIONS,
    GENERATED_PERSONS,
    HOBBIES,
    INDUSTRIES,
    LEGAL_FORMS,
    MALE_NAMES,
    MOBILE_CODES,
    NAME_ENDINGS,
    NAME_STEMS,
    NON_PROFIT_KINDS,
    NON_PROFITS,
    NOUNS,
    OFFICE_PHONE_LABELS,
    ORGANIZATION_ATTRIBUTES,
    ORGANIZATIONS,
    PEOPLE,
    PERSON_ATTRIBUTES,
    PERSONAL_DOMAINS,
    POSITIONS,
    REGIONS,
    SECOND_JOBS,
    SECOND_POSITIONS,
    SEED,
    SIZES,
    SOLE_TRADER_INDUSTRIES,
    SOURCES,
    STREETS,
    SURNAMES,
    TODAY,
    TRANSLIT,
    UTILITIES,
    YEAR,
    City,
)


def latin(text: str) -> str:
    """Text in Latin letters, words joined by “-”: «Северный ветер» → severnyy-veter."""
    letters = "".join(TRANSLIT.get(char, char) for char in text.lower())
    return re.sub(r"[^a-z0-9]+", "-", letters).strip("-")


def feminine_surname(surname: str) -> str:
    """The female form of a Russian surname; those that do not change stay as they are."""
    if surname.endswith(("ов", "ев", "ёв", "ин", "ын")):
        return surname + "а"
    if surname.endswith(("ский", "цкий", "ской", "цкой")):
        return surname[:-2] + "ая"
    return surname


def company_inn(office: str, serial: int) -> str:
    """A legal entity's INN: tax office (4 digits), serial number (5), check digit."""
    body = f"{office}{serial:05d}"
    return body + inn_number.calc_company_check_digit(body)


def personal_inn(office: str, serial: int) -> str:
    """A sole trader's INN: tax office (4 digits), serial number (6), two check digits."""
    body = f"{office}{serial:06d}"
    return body + inn_number.calc_personal_check_digits(body)


def ogrn_check_digit(body: str) -> str:
    """The check digit of an OGRN (12-digit body) or OGRNIP (14-digit body); "" for the
    OGRNIP bodies whose remainder is 10 or more, which are not used."""
    digit = ogrn_number.calc_check_digit(body + "0")
    return digit if len(digit) == 1 else ""


def in_city(city: City) -> str:
    """«в Казани», «во Владивостоке»."""
    before_consonants = re.match(r"[ВФ][^аеёиоуыэюя]", city.locative)
    return f"{'во' if before_consonants else 'в'} {city.locative}"


def grouped(number: str) -> str:
    """A subscriber number as people write it: 1234567 → 123-45-67, 123456 → 12-34-56."""
    return f"{number[:-4]}-{number[-4:-2]}-{number[-2:]}"


@transaction.atomic
def load() -> list:
    """Create the demo directory once: nothing happens if any organisation exists."""
    if Organization.objects.exists():
        return []
    for order, name in enumerate(CATEGORIES):
        services.reference_save(actor=None, item=Category(order=order), name=name)
    for order, name in enumerate(INDUSTRIES):
        services.reference_save(actor=None, item=Industry(order=order), name=name)
    lines = {line.code: line for line in BusinessLine.objects.all()}
    users = {user.username: user for user in User.objects.all()}
    load_well_known(lines, users)
    define_attributes()
    generator = DemoDirectory(lines, users)
    generator.organizations()
    generator.persons()
    return []


def load_well_known(lines: dict[str, BusinessLine], users: dict[str, User]) -> None:
    """The real companies of ORGANIZATIONS and their people of PEOPLE."""
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


def define_attributes(tables=None) -> None:
    """The custom attributes the generated records fill in (kept if already defined):
    `tables` of (target, rows of code, labels, type, shown in the list, options)."""
    for target, table in tables or (
        (AttributeTarget.ORGANIZATION, ORGANIZATION_ATTRIBUTES),
        (AttributeTarget.PERSON, PERSON_ATTRIBUTES),
    ):
        for order, (code, label_ru, label_en, kind, in_list, options) in enumerate(table):
            if AttributeDefinition.objects.filter(target=target, code=code).exists():
                continue
            services.attribute_definition_save(
                actor=None,
                definition=AttributeDefinition(),
                target=target,
                code=code,
                label_ru=label_ru,
                label_en=label_en,
                type=kind,
                show_in_list=in_list,
                choices=list(options),
                order=order,
            )


@dataclass
class Placed:
    """A generated organisation and what its people's jobs and contacts are made of."""

    organization: Organization
    city: City
    domain: str  # "" for sole traders
    lines: list[BusinessLine]
    owner: User | None
    has_primary: bool = False  # a current employee is the primary contact
    positions: set[str] = field(default_factory=set)

    @property
    def is_sole_trader(self) -> bool:
        return self.organization.legal_form == LegalForm.IP


class DemoDirectory:
    """Generates the fictitious organisations and persons, the same ones for one seed."""

    def __init__(self, lines: dict[str, BusinessLine], users: dict[str, User], seed=SEED):
        self.rng = random.Random(seed)
        self.lines = lines
        self.users = users
        self.industries = {item.name: item for item in Industry.objects.all()}
        self.categories = {item.name: item for item in Category.objects.all()}
        self.inns = set(Organization.objects.values_list("inn", flat=True))
        self.names: set[str] = set()
        self.emails: set[str] = set()
        self.person_names: set[tuple[str, str, str]] = set()
        self.primary: set[tuple[Organization | Person, str]] = set()  # who has a primary kind
        self.placed: list[Placed] = []
        self.persons_created = 0

    def day(self, first: date, last: date) -> date:
        return first + timedelta(days=self.rng.randint(0, (last - first).days))

    # Organisations ------------------------------------------------------------------------

    def organizations(self) -> None:
        """Create the organisations, then branches of some of the joint-stock companies."""
        rng = self.rng
        forms = rng.choices(
            [form for form, _weight, _full in LEGAL_FORMS],
            [weight for _form, weight, _full in LEGAL_FORMS],
            k=GENERATED_ORGANIZATIONS,
        )
        cities = rng.choices(CITIES, [city.weight for city in CITIES], k=GENERATED_ORGANIZATIONS)
        for form, city in zip(forms, cities, strict=True):
            self.placed.append(self.organization(form, city))
        parents = [p for p in self.placed if p.organization.legal_form in BRANCH_OF]
        for parent in rng.sample(parents, BRANCHES):
            self.placed.append(self.branch(parent))

    def organization(self, form: str, city: City) -> Placed:
        """One organisation of the legal form registered in the city, with its contacts."""
        rng, sole_trader = self.rng, form == LegalForm.IP
        if sole_trader:
            entrepreneur = self.person_name()
            short, full, industry = self.sole_trader_name(entrepreneur)
        else:
            short, full, industry = self.company_name(form, city)
        office = f"{city.region_code}{rng.randint(1, city.tax_offices):02d}"
        status = rng.choices(list(OrganizationStatus), [50, 35, 15])[0]
        codes = rng.choices(
            [["software"], ["consulting"], ["software", "consulting"]], [45, 35, 20]
        )[0]
        lines = [self.lines[code] for code in codes]
        owner = self.users.get(self.owner_login(codes))
        domain = "" if sole_trader else f"{latin(short.split('«')[1])}.example"
        organization = services.organization_create(
            actor=owner,
            business_lines=lines,
            short_name=short,
            full_name=full,
            legal_form=form,
            inn=self.unique_inn(office, sole_trader=sole_trader),
            kpp="" if sole_trader else f"{office}01001",
            ogrn=self.ogrn(city, sole_trader=sole_trader),
            website=self.website(domain),
            status=status,
            industry=self.industries.get(industry or rng.choice(INDUSTRIES)),
            responsible=owner,
            categories=self.organization_categories(status),
            attributes=self.organization_attributes(form),
        )
        placed = Placed(organization, city, domain, lines, owner)
        self.addresses(placed)
        if sole_trader:
            self.entrepreneur(placed, entrepreneur)
        else:
            self.organization_contacts(placed)
        return placed

    def branch(self, parent: Placed) -> Placed:
        """A branch in another city: the parent's INN with a KPP of its own."""
        rng, head = self.rng, parent.organization
        core = head.short_name.split("«", 1)[1].rstrip("»")
        city = rng.choice([c for c in CITIES if c.region_code != parent.city.region_code])
        office = f"{city.region_code}{rng.randint(1, city.tax_offices):02d}"
        organization = services.organization_create(
            actor=parent.owner,
            business_lines=parent.lines,
            short_name=f"Филиал {head.short_name} {in_city(city)}",
            full_name=f"Филиал {BRANCH_OF[head.legal_form]} «{core}» в г. {city.locative}",
            legal_form=LegalForm.BRANCH,
            inn=head.inn,
            kpp=f"{office}43001",  # 43: registered as a separate subdivision
            parent=head,
            status=head.status,
            industry=head.industry,
            responsible=parent.owner,
            categories=list(head.categories.all()),
            attributes={"staff": rng.randint(*SIZES[LegalForm.BRANCH][0])},
        )
        placed = Placed(organization, city, parent.domain, parent.lines, parent.owner)
        self.addresses(placed)
        self.organization_contacts(placed, mailbox=latin(city.name))
        return placed

    def company_name(self, form: str, city: City) -> tuple[str, str, str | None]:
        """The short and the full name, not used before, and the industry the name hints at.
        When a state, municipal or non-profit name cannot be found, a company-like one is used."""
        rng = self.rng
        prefix, full_form = LegalForm(form).label, FULL_FORMS[form]
        for attempt in itertools.count():
            special = attempt < 30
            if form == LegalForm.NKO and special:
                prefix, core, industry = rng.choice(NON_PROFITS)
                full_form = NON_PROFIT_KINDS[prefix]
            elif form in (LegalForm.GUP, LegalForm.MUP) and special:
                noun, gender, industry = rng.choice(UTILITIES)
                core = f"{city.adjective}{CITY_ADJECTIVE_ENDINGS[GENDER_FORM[gender]]} {noun}"
            else:
                core, industry = self.commercial_name()
            if core not in self.names:
                self.names.add(core)
                return f"{prefix} «{core}»", f"{full_form} «{core}»", industry
        raise AssertionError("unreachable")

    def commercial_name(self) -> tuple[str, str | None]:
        """«Техноресурс» or «Северный ветер», and the industry the name hints at."""
        rng = self.rng
        if rng.random() < 0.55:
            stem, stem_industry = rng.choice(NAME_STEMS)
            tail, tail_industry = rng.choice(
                [ending for ending in NAME_ENDINGS if ending[0] != stem.lower()]
            )
            return stem + tail, stem_industry or tail_industry
        noun, gender = rng.choice(NOUNS)
        return f"{rng.choice(ADJECTIVES)[GENDER_FORM[gender]]} {noun}", None

    def sole_trader_name(self, name: tuple[str, str, str]) -> tuple[str, str, str | None]:
        """«ИП Кузнецов Андрей Викторович» and the trade the entrepreneur is in."""
        full = " ".join(name)
        industry = self.rng.choice(SOLE_TRADER_INDUSTRIES)
        return f"ИП {full}", f"{FULL_FORMS[LegalForm.IP]} {full}", industry

    def unique_inn(self, office: str, *, sole_trader: bool) -> str:
        while True:
            if sole_trader:
                inn = personal_inn(office, self.rng.randrange(1_000_000))
            else:
                inn = company_inn(office, self.rng.randrange(100_000))
            if inn not in self.inns:
                self.inns.add(inn)
                return inn

    def ogrn(self, city: City, *, sole_trader: bool) -> str:
        """OGRN: sign, year, region, 7 digits, check digit; OGRNIP: 3, year, region, 9 digits,
        check digit."""
        rng = self.rng
        while True:
            year = f"{rng.randint(3, 24):02d}"
            if sole_trader:
                body = f"3{year}{city.region_code}{rng.randrange(10**9):09d}"
            else:
                body = f"{rng.choice('15')}{year}{city.region_code}{rng.randrange(10**7):07d}"
            digit = ogrn_check_digit(body)
            if digit:
                return body + digit

    def website(self, domain: str) -> str:
        if not domain or self.rng.random() < 0.2:
            return ""
        return f"https://{self.rng.choice(['', 'www.'])}{domain}"

    def owner_login(self, codes: list[str]) -> str:
        """The line's salesperson, sometimes their head; mostly the head for both lines."""
        if len(codes) == 2:
            return self.rng.choice(["head_sales", "head_sales", "sales_sw", "sales_cons"])
        seller = "sales_sw" if codes == ["software"] else "sales_cons"
        return self.rng.choice([seller, seller, seller, "head_sales"])

    def organization_categories(self, status: str) -> list[Category]:
        rng, names = self.rng, set()
        if status == OrganizationStatus.CLIENT:
            names.add("Клиент")
        if rng.random() < 0.15:
            names.add("Партнёр")
        if rng.random() < 0.1:
            names.add("Поставщик")
        if status == OrganizationStatus.PROSPECT and rng.random() < 0.05:
            names.add("Конкурент")
        return [self.categories[name] for name in sorted(names)]

    def organization_attributes(self, form: str) -> dict:
        """The headcount of most organisations, where the lead came from for many."""
        rng, values = self.rng, {}
        if rng.random() < 0.85:
            values["staff"] = rng.randint(*SIZES[form][0])
        if rng.random() < 0.75:
            values["source"] = rng.choice(SOURCES)
        return values

    def addresses(self, placed: Placed) -> None:
        """A legal address in the city; for some, an actual one elsewhere in town."""
        city = placed.city
        for kind in ["legal", "actual"] if self.rng.random() < 0.35 else ["legal"]:
            rest = 6 - len(city.postcode)
            services.address_save(
                actor=placed.owner,
                organization=placed.organization,
                kind=kind,
                postcode=f"{city.postcode}{self.rng.randrange(10**rest):0{rest}d}",
                region=REGIONS.get(city.region_code, ""),
                city=city.name,
                street=self.street(),
            )

    def street(self) -> str:
        """«ул. Ленина, д. 12, стр. 2, офис 305»"""
        rng = self.rng
        street = f"{rng.choice(STREETS)}, д. {rng.randint(1, 160)}"
        if rng.random() < 0.3:
            street += rng.choice([f", корп. {rng.randint(1, 4)}", f", стр. {rng.randint(1, 9)}"])
        if rng.random() < 0.6:
            street += rng.choice(
                [f", офис {rng.randint(101, 950)}", f", пом. {rng.randint(1, 40)}"]
            )
        return street

    def organization_contacts(self, placed: Placed, mailbox: str = "info") -> None:
        """The office phone and mailbox; for some a second phone, a fax, a second mailbox."""
        rng, city = self.rng, placed.city
        self.add(placed, ContactKind.PHONE, self.city_phone(city), rng.choice(OFFICE_PHONE_LABELS))
        if rng.random() < 0.4:
            self.add(
                placed, ContactKind.PHONE, self.city_phone(city), rng.choice(EXTRA_PHONE_LABELS)
            )
        if rng.random() < 0.15:
            self.add(placed, ContactKind.FAX, self.city_phone(city))
        self.add(placed, ContactKind.EMAIL, f"{mailbox}@{placed.domain}")
        if rng.random() < 0.3:
            box, label = rng.choice(EXTRA_MAILBOXES)
            self.add(placed, ContactKind.EMAIL, f"{box}@{placed.domain}", label)

    def add(self, placed: Placed, kind: str, value: str, label: str = "", *, person=None):
        """A contact of the organisation, or of the person when given; the first of its kind
        is the primary one."""
        owner = {"person": person} if person else {"organization": placed.organization}
        first = (person or placed.organization, kind) not in self.primary
        self.primary.add((person or placed.organization, kind))
        services.contact_add(
            actor=placed.owner, kind=kind, value=value, label=label, is_primary=first, **owner
        )

    def city_phone(self, city: City) -> str:
        """A landline number in the city: +7 (3452) 12-34-56."""
        code = self.rng.choice(city.area_codes.split())
        length = 10 - len(code)
        number = str(self.rng.randrange(2 * 10 ** (length - 1), 10**length))
        return f"+7 ({code}) {grouped(number)}"

    def mobile_phone(self) -> str:
        """A mobile number: +7 916 123-45-67."""
        number = str(self.rng.randrange(2_000_000, 10_000_000))
        return f"+7 {self.rng.choice(MOBILE_CODES)} {grouped(number)}"

    # Persons ------------------------------------------------------------------------------

    def persons(self) -> None:
        """Contact persons: one in every company, the rest where more people work. Some also
        work in a second organisation, some had a job that ended before the current one."""
        rng = self.rng
        companies = [p for p in self.placed if not p.is_sole_trader]
        weights = [SIZES[p.organization.legal_form][1] for p in companies]
        extra = GENERATED_PERSONS - self.persons_created - len(companies)
        jobs = [self.employee(p) for p in [*companies, *rng.choices(companies, weights, k=extra)]]
        for job in rng.sample(jobs, SECOND_JOBS):
            self.second_job(job, rng.choice([p for p in companies if p is not job.placed]))
        experienced = [job for job in jobs if job.started - career_start(job.person) > YEAR * 2]
        for job in rng.sample(experienced, FORMER_JOBS):
            taken = set(job.person.employments.values_list("organization", flat=True))
            self.former_job(
                job, rng.choice([p for p in companies if p.organization.pk not in taken])
            )

    def person_name(self) -> tuple[str, str, str]:
        """A surname, a first name and a patronymic of one gender, not given before."""
        rng = self.rng
        while True:
            surname, father = rng.choice(SURNAMES), rng.choice(MALE_NAMES)
            if rng.random() < 0.5:
                name = surname, rng.choice(MALE_NAMES)[0], father[1]
            else:
                name = feminine_surname(surname), rng.choice(FEMALE_NAMES), father[2]
            if name not in self.person_names:
                self.person_names.add(name)
                return name

    def person(self, name: tuple[str, str, str], placed: Placed, *, born_by: int = 1998):
        """A person with, for some, a birthday (in `born_by` at the latest), consent to
        mailings or a request not to be contacted, interests and personal contacts."""
        rng = self.rng
        last, first, patronymic = name
        consent = rng.random() < 0.4
        values = {}
        if rng.random() < 0.6:
            values["birthday"] = self.day(date(1960, 1, 1), date(born_by, 12, 31))
        if consent:
            values["consent_source"] = rng.choice(CONSENT_SOURCES)
            values["consent_date"] = self.day(date(2021, 1, 1), TODAY)
        if rng.random() < 0.3:
            hobbies = rng.sample(HOBBIES, rng.choice([1, 1, 2]))
            values["attributes"] = {"hobby": ", ".join(hobbies).capitalize()}
        person = services.person_create(
            actor=placed.owner,
            business_lines=placed.lines,
            last_name=last,
            first_name=first,
            patronymic=patronymic,
            consent_mailing=consent,
            do_not_contact=not consent and rng.random() < 0.06,
            **values,
        )
        self.persons_created += 1
        if rng.random() < 0.3:
            self.add(placed, ContactKind.PHONE, self.mobile_phone(), "Мобильный", person=person)
        if rng.random() < 0.12:
            email = self.email(first, last, rng.choice(PERSONAL_DOMAINS))
            self.add(placed, ContactKind.EMAIL, email, "Личный", person=person)
        if rng.random() < 0.08:
            handle = f"@{latin(first)}_{latin(last)}".replace("-", "_")
            self.add(placed, ContactKind.MESSENGER, handle, "Telegram", person=person)
        return person

    def email(self, first: str, last: str, domain: str) -> str:
        """A mailbox not given before: a.ivanov@…, else anna.ivanova@…, anna.ivanova2@…"""
        first, last = latin(first), latin(last)
        for n in itertools.count(1):
            local = {1: f"{first[0]}.{last}", 2: f"{first}.{last}"}.get(n, f"{first}.{last}{n}")
            if f"{local}@{domain}" not in self.emails:
                self.emails.add(f"{local}@{domain}")
                return f"{local}@{domain}"
        raise AssertionError("unreachable")

    def position(self, placed: Placed) -> tuple[str, str, str]:
        """A position nobody holds in the organisation yet (while any is left), its department
        and the role in purchase decisions, unknown for some."""
        weights = [weight for *_rest, weight in POSITIONS]
        for _attempt in range(20):
            position, department, role, _weight = self.rng.choices(POSITIONS, weights)[0]
            if position not in placed.positions:
                break
        placed.positions.add(position)
        return position, department, "" if self.rng.random() < 0.15 else role

    def employee(self, placed: Placed) -> Job:
        """A new person in their current job."""
        person = self.person(self.person_name(), placed)
        started = self.day(max(date(2012, 1, 1), career_start(person)), TODAY)
        self.employ(person, placed, self.position(placed), started)
        return Job(person, placed, started)

    def entrepreneur(self, placed: Placed, name: tuple[str, str, str]) -> None:
        """The sole trader in their own business; their phone and e-mail are its contacts."""
        registered = 2000 + int(placed.organization.ogrn[1:3])
        person = self.person(name, placed, born_by=min(1998, registered - 20))
        phone, email = (
            self.mobile_phone(),
            self.email(name[1], name[0], self.rng.choice(PERSONAL_DOMAINS)),
        )
        job = ("Индивидуальный предприниматель", "", DecisionRole.DECISION_MAKER)
        started = self.day(date(registered, 1, 1), date(registered, 12, 31))
        self.employ(person, placed, job, started, phone=phone, email=email)
        self.add(placed, ContactKind.PHONE, phone, "Мобильный")
        self.add(placed, ContactKind.EMAIL, email)

    def second_job(self, main: Job, placed: Placed) -> None:
        """A job held together with the main one: on a board, as a consultant, part-time."""
        started = self.day(max(date(2016, 1, 1), career_start(main.person)), TODAY)
        self.employ(main.person, placed, self.rng.choice(SECOND_POSITIONS), started)

    def former_job(self, current: Job, placed: Placed) -> None:
        """A job that ended shortly before the current one began."""
        ended = current.started - timedelta(days=self.rng.randint(7, 120))
        started = max(ended - self.rng.randint(1, 8) * YEAR, career_start(current.person))
        job = self.position(placed)
        self.employ(current.person, placed, job, started, ended=ended, phone="")

    def employ(self, person, placed: Placed, job, started, *, ended=None, phone=None, email=None):
        """Record the job (position, department, decision role) with a work phone and e-mail;
        the organisation's first person in a current job is its primary contact."""
        position, department, role = job
        if phone is None:
            phone = self.city_phone(placed.city) if self.rng.random() < 0.8 else self.mobile_phone()
        if email is None:
            email = self.email(person.first_name, person.last_name, placed.domain)
        services.employment_create(
            actor=placed.owner,
            person=person,
            organization=placed.organization,
            position=position,
            department=department,
            decision_role=role,
            work_phone=phone,
            work_email=email,
            is_primary=ended is None and not placed.has_primary,
            started_on=started,
            ended_on=ended,
        )
        placed.has_primary = placed.has_primary or ended is None


class Job(NamedTuple):
    """A person's current job, which second and former jobs are added next to."""

    person: Person
    placed: Placed
    started: date


def career_start(person: Person) -> date:
    """The earliest a person's first job may begin: at 21, or in 1990 if the age is unknown."""
    if person.birthday is None:
        return date(1990, 1, 1)
    return date(person.birthday.year + 21, 9, 1)
