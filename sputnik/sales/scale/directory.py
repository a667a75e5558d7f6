"""Organisations with their addresses, contacts and people, in one pass.

A first, light pass draws each organisation's form, business lines and responsible
employee; the counts of jobs are then apportioned (sole traders have one person, big
companies many, the busiest organisations most). The second pass writes every
organisation with its categories, lines, addresses, contacts, new persons and their jobs.
Persons met earlier are kept in a bounded pool, from which some take a second job or had
a former one elsewhere. What later passes need is kept in compact arrays per
organisation: its lines (a bit mask), responsible and the range of its own persons.
"""

from __future__ import annotations

import datetime
import random
from array import array
from bisect import bisect
from dataclasses import dataclass

from sputnik.directory.demo.tables import (
    BRANCH_OF,
    CITIES,
    CONSENT_SOURCES,
    EXTRA_MAILBOXES,
    EXTRA_PHONE_LABELS,
    FULL_FORMS,
    HOBBIES,
    INDUSTRIES,
    LEGAL_FORMS,
    MOBILE_CODES,
    OFFICE_PHONE_LABELS,
    PERSONAL_DOMAINS,
    POSITIONS,
    REGIONS,
    SECOND_POSITIONS,
    SIZES,
    SOLE_TRADER_INDUSTRIES,
    STREETS,
)
from sputnik.directory.models import (
    Address,
    BlacklistEntry,
    ContactPoint,
    Employment,
    LegalForm,
    Organization,
    Person,
)

from . import words
from .names import Name, NameBook
from .numbers import Identifiers, activity_weights, apportion
from .setup import World

DAY = 86400  # seconds; moments are whole seconds since the epoch, days day numbers
EMPTY = "{}"
FORMS = [form for form, _weight, _full in LEGAL_FORMS] + [LegalForm.FOREIGN]
FORM_WEIGHTS = [weight for _form, weight, _full in LEGAL_FORMS] + [2]
FOREIGN = [("DE", "GmbH"), ("CN", "Co., Ltd."), ("KZ", "ТОО"), ("BY", "ООО"), ("TR", "A.Ş.")]
POOL = 5000  # persons remembered for second and former jobs
SAMPLE = 3000  # organisations and persons kept per line for static lists
LEGAL_LABELS = {form.value: str(form.label) for form in LegalForm}
SOURCES = words.ORGANIZATION_ATTRIBUTES[1][5]
AREA_CODES = {city.name: city.area_codes.split() for city in CITIES}
BIRTH_DAYS = {
    year: (datetime.date(year, 1, 1) - datetime.date(1970, 1, 1)).days for year in range(1940, 2030)
}
# The line indexes of each bit mask of the eight lines.
MASKS = [[i for i in range(8) if mask >> i & 1] for mask in range(256)]


@dataclass
class Directory:
    """What the sales generators need about the organisations written."""

    first_id: int
    lines: bytearray  # bit i set: in the line of index i
    responsible: array
    person_start: array  # id of the organisation's first own person
    person_current: array  # how many of them (from the first) work there now
    activity: array
    org_sample: list[list[int]]
    person_sample: list[list[int]]


def line_indexes(mask: int) -> list[int]:
    return MASKS[mask]


class DirectoryGenerator:
    def __init__(self, writer, world: World, book: NameBook, seed: int, now, sizes):
        self.w, self.world, self.book, self.now, self.sizes = writer, world, book, now, sizes
        self.now = int(now.timestamp())
        self.rng = random.Random(f"{seed}-directory")
        self.random = self.rng.random
        self.ids = Identifiers(self.rng)
        self.positions = [p[:3] for p in POSITIONS]
        self.cum_positions = _cumulative([p[3] for p in POSITIONS])
        self.industry_ids = [world.industries[name] for name in INDUSTRIES]
        self.line_ids = world.line_ids
        self.client, self.partner, self.supplier = (
            world.categories[name] for name in ("Клиент", "Партнёр", "Поставщик")
        )
        self.hobbies = [writer.json({"hobby": hobby}) for hobby in HOBBIES]
        self.domains: dict[str, int] = {}
        self.branches: dict[int, int] = {}
        self.cum_cities = _cumulative([city.weight for city in CITIES])
        self.cum_forms = _cumulative(FORM_WEIGHTS)
        self._tables()

    def _tables(self) -> None:
        w = self.w
        business = ["created_at", "updated_at", "created_by_id", "updated_by_id", "version"]
        self.organizations = w.table(
            Organization,
            ["id", *business, "short_name", "full_name", "legal_form", "inn", "kpp", "ogrn"]
            + ["country", "website", "industry_id", "status", "parent_id", "responsible_id"]
            + ["notes", "attributes"],
        )
        through = Organization.business_lines.through
        self.organization_lines = w.table(through, ["organization_id", "businessline_id"])
        through = Organization.categories.through
        self.organization_categories = w.table(through, ["organization_id", "category_id"])
        self.persons = w.table(
            Person,
            ["id", *business, "last_name", "first_name", "patronymic", "gender", "birthday"]
            + ["consent_mailing", "consent_source", "consent_date", "do_not_contact", "notes"]
            + ["attributes"],
        )
        self.person_lines = w.table(Person.business_lines.through, ["person_id", "businessline_id"])
        self.addresses = w.table(
            Address,
            ["created_at", "updated_at", "organization_id", "kind", "postcode", "region"]
            + ["city", "street"],
        )
        self.contacts = w.table(
            ContactPoint,
            ["created_at", "updated_at", "organization_id", "person_id", "kind", "label"]
            + ["value", "is_primary"],
        )
        self.employments = w.table(
            Employment,
            [*business, "person_id", "organization_id", "position", "department"]
            + ["decision_role", "work_email", "work_phone", "is_primary", "started_on"]
            + ["ended_on"],
        )
        self.blacklist = w.table(
            BlacklistEntry,
            ["created_at", "updated_at", "organization_id", "inn", "name", "reason"]
            + ["added_by_id", "removed_at", "removed_by_id", "removal_reason"],
        )

    # The light pass ---------------------------------------------------------------------

    def skeleton(self, count: int) -> tuple[bytearray, array, bytearray]:
        """Lines, responsible and whether a sole trader, for every organisation."""
        rng, world = random.Random(self.rng.random()), self.world
        rnd = rng.random
        lines, responsible, sole = bytearray(count), array("l", bytes(8 * count)), bytearray(count)
        cumulative = _cumulative(world.line_weights)
        whole = cumulative[-1]
        sole_share = FORM_WEIGHTS[FORMS.index(LegalForm.IP)] / sum(FORM_WEIGHTS)
        for i in range(count):
            first = bisect(cumulative, rnd() * whole)
            mask = 1 << first
            if rnd() < 0.25:
                mask |= 1 << bisect(cumulative, rnd() * whole)
            lines[i] = mask
            draw = rnd()
            if draw < 0.95:
                sellers = world.sellers[first]
                responsible[i] = sellers[int(rnd() * len(sellers))]
            elif draw < 0.98:
                responsible[i] = world.heads[first]
            sole[i] = rnd() < sole_share
        return lines, responsible, sole

    # The full pass ------------------------------------------------------------------------

    def run(self, first_org: int, first_person: int, progress) -> Directory:
        sizes, rng = self.sizes, self.rng
        count = sizes.organizations
        lines, responsible, sole = self.skeleton(count)
        activity = activity_weights(random.Random(rng.random()), count, 0.55, 0.0005)
        mean = sum(activity) / count if count else 0.0
        main_total = min(sizes.persons, sizes.employments)
        sole_count = min(sum(sole), main_total)
        company_weights = [
            0.0 if sole[i] else 2.0 * (activity[i] + mean) + 0.2 * mean for i in range(count)
        ]
        companies = sum(1 for i in range(count) if not sole[i])
        spare = max(0, main_total - sole_count - companies)
        extra_main = apportion(spare, company_weights, rng.random())
        second = apportion(sizes.employments - main_total, company_weights, rng.random())
        self.directory = Directory(
            first_id=first_org,
            lines=lines,
            responsible=responsible,
            person_start=array("l", bytes(8 * count)),
            person_current=array("l", bytes(8 * count)),
            activity=activity,
            org_sample=[[] for _ in self.world.line_ids],
            person_sample=[[] for _ in self.world.line_ids],
        )
        self.pool: list[list] = []
        self.deferred = 0  # jobs elsewhere waiting for persons of other organisations
        self.joint_stock: list[tuple] = []
        self.next_person = first_person
        self.main_left = main_total
        step = max(1, count // 20)
        for i in range(count):
            people = 1 + extra_main[i] if not sole[i] else 1
            people = min(people, self.main_left)
            self.main_left -= people
            self.organization(i, people, second[i], bool(sole[i]))
            if (i + 1) % step == 0:
                progress(self.organizations, i + 1, count)
        for _ in range(self.deferred):  # a single organisation: nobody works elsewhere
            self.other_job(Place(first_org, -1, None, self.now, None, 0, "", CITIES[0]))
        for _ in range(sizes.persons - (self.next_person - first_person)):
            self.unemployed(rng.randrange(count))
        return self.directory

    def moment_of(self, i: int) -> int:
        """Organisations were entered over six years, in the order of their ids."""
        span = 6 * 365 * DAY
        share = i / max(1, self.sizes.organizations)
        return int(self.now - span + span * share - 36000 * self.random())

    def organization(self, i: int, people: int, extra: int, sole: bool) -> None:
        rng, rnd, w, world, d = self.rng, self.random, self.w, self.world, self.directory
        org_id = d.first_id + i
        created = self.moment_of(i)
        updated = min(self.now, created + int(DAY * 400 * rnd()))
        city = CITIES[bisect(self.cum_cities, rnd() * self.cum_cities[-1])]
        office = f"{city.region_code}{1 + int(rnd() * city.tax_offices):02d}"
        owner = d.responsible[i] or None
        parent_id = entrepreneur = None
        draw = rnd()
        status = "prospect" if draw < 0.5 else "client" if draw < 0.85 else "former"
        industry = self.industry_ids[int(rnd() * len(self.industry_ids))]
        attributes = EMPTY
        if sole:
            entrepreneur = self.book.person(rng)
            full = f"{entrepreneur.last} {entrepreneur.first} {entrepreneur.patronymic}"
            form, short = LegalForm.IP, f"ИП {full}"
            full_name = f"{FULL_FORMS[LegalForm.IP]} {full}"
            inn, kpp = self.ids.personal_inn(office), ""
            ogrn, country, domain = self.ids.ogrn(city.region_code, sole_trader=True), "RU", ""
            trade = SOLE_TRADER_INDUSTRIES[int(rnd() * len(SOLE_TRADER_INDUSTRIES))]
            industry = world.industries[trade] if trade else industry
        elif self.joint_stock and rnd() < 0.03:
            (parent_id, parent_index, inn, core, status, industry, parent_form, domain) = (
                self.joint_stock[int(rnd() * len(self.joint_stock))]
            )
            d.lines[i], d.responsible[i] = d.lines[parent_index], d.responsible[parent_index]
            owner = d.responsible[i] or None
            form = LegalForm.BRANCH
            short = f"Филиал {LEGAL_LABELS[parent_form]} «{core}» ({city.name})"
            full_name = f"Филиал {BRANCH_OF[parent_form]} «{core}» в г. {city.locative}"
            number = self.branches[parent_id] = self.branches.get(parent_id, 0) + 1
            kpp = f"{office}43{number % 1000:03d}"
            ogrn, country = "", "RU"
        else:
            form = LegalForm.IP
            while form == LegalForm.IP:
                form = FORMS[bisect(self.cum_forms, rnd() * self.cum_forms[-1])]
            core = self.book.company_core(rng)
            if form == LegalForm.FOREIGN:
                country, suffix = FOREIGN[int(rnd() * len(FOREIGN))]
                title = self.book.core_latin(core).replace("-", " ").title()
                short = full_name = f"{title} {suffix}"
                inn = kpp = ogrn = ""
            else:
                country = "RU"
                short = f"{LEGAL_LABELS[form]} «{core}»"
                full_name = f"{FULL_FORMS.get(form, FULL_FORMS[LegalForm.NKO])} «{core}»"
                inn, kpp = self.ids.company_inn(office), f"{office}01001"
                ogrn = self.ids.ogrn(city.region_code, sole_trader=False)
                attributes = self.attributes(form, created)
            domain = self.domain(core)
            if form in BRANCH_OF:
                entry = (org_id, i, inn, core, status, industry, form, domain)
                if len(self.joint_stock) < POOL:
                    self.joint_stock.append(entry)
                else:
                    self.joint_stock[int(rnd() * POOL)] = entry
        website = f"https://{domain}" if domain and rnd() < 0.8 else ""
        notes = words.ORGANIZATION_NOTES[int(rnd() * 4)] if rnd() < 0.05 else ""
        stamp = w.moment(created)
        self.organizations.add(
            (org_id, stamp, w.moment(updated), owner, owner, 1, short, full_name, form, inn,
             kpp, ogrn, country, website, industry, status, parent_id, owner, notes, attributes)
        )  # fmt: skip
        mask = d.lines[i]
        for index in MASKS[mask]:
            self.organization_lines.add((org_id, world.line_ids[index]))
            self.sample(d.org_sample[index], org_id)
        if status == "client":
            self.organization_categories.add((org_id, self.client))
        draw = rnd()
        if draw < 0.2:
            kind = self.partner if draw < 0.12 else self.supplier
            self.organization_categories.add((org_id, kind))
        if country == "RU":
            self.org_addresses(org_id, stamp, city)
        if i % 2000 == 150:  # one in 2,000 is undesirable
            reason = words.BLACKLIST_REASONS[int(rnd() * 3)]
            self.blacklist.add(
                (stamp, stamp, org_id, inn, short, reason, world.security, None, None, "")
            )
        place = Place(org_id, i, stamp, created, owner, mask, domain, city)
        if sole and people:
            self.sole_trader(place, entrepreneur)
        elif sole:
            self.contacts.add((stamp, stamp, org_id, None, "phone", "", self.mobile_phone(), True))
        else:
            self.org_contacts(place)
            self.staff(place, people)
        extra += self.deferred
        self.deferred = 0
        for _ in range(extra):
            self.other_job(place)
        w.due()

    def domain(self, core: str) -> str:
        spelled = self.book.core_latin(core) or "company"
        seen = self.domains.get(spelled, 0)
        self.domains[spelled] = seen + 1
        return f"{spelled}{seen or ''}.example"

    def attributes(self, form: str, created: int) -> str:
        rnd, values = self.random, {}
        low, high = SIZES.get(form, SIZES[LegalForm.OOO])[0]
        if rnd() < 0.85:
            values["staff"] = int(low + (high - low) * rnd() ** 3)
        if rnd() < 0.7:
            values["source"] = SOURCES[int(rnd() * len(SOURCES))]
        if rnd() < 0.6:
            values["founded"] = self.w.day(created // DAY - 100 - int(rnd() * 9000))
        if rnd() < 0.5:
            draw = rnd()
            values["tier"] = "A" if draw < 0.1 else "B" if draw < 0.4 else "C"
        if rnd() < 0.4:
            values["okved"] = words.OKVED[int(rnd() * len(words.OKVED))]
        return self.w.json(values) if values else EMPTY

    def sample(self, kept: list[int], value: int) -> None:
        if len(kept) < SAMPLE:
            kept.append(value)
        elif self.random() < 0.01:
            kept[int(self.random() * SAMPLE)] = value

    def org_addresses(self, org_id: int, stamp, city) -> None:
        rnd = self.random
        region = REGIONS.get(city.region_code, "")
        rest = 6 - len(city.postcode)
        for kind in ("legal", "actual") if rnd() < 0.35 else ("legal",):
            street = f"{STREETS[int(rnd() * len(STREETS))]}, д. {1 + int(rnd() * 160)}"
            if rnd() < 0.6:
                street += f", офис {101 + int(rnd() * 850)}"
            postcode = f"{city.postcode}{int(rnd() * 10**rest):0{rest}d}"
            self.addresses.add((stamp, stamp, org_id, kind, postcode, region, city.name, street))

    def city_phone(self, city) -> str:
        codes = AREA_CODES[city.name]
        code = codes[int(self.random() * len(codes))]
        low = 2 * 10 ** (9 - len(code))
        return f"+7{code}{low + int(self.random() * 4 * low)}"

    def mobile_phone(self) -> str:
        code = MOBILE_CODES[int(self.random() * len(MOBILE_CODES))]
        return f"+7{code}{2_000_000 + int(self.random() * 7_999_999)}"

    def org_contacts(self, place: Place) -> None:
        rnd, add, org, stamp = self.random, self.contacts.add, place.org_id, place.stamp
        label = OFFICE_PHONE_LABELS[int(rnd() * 3)]
        add((stamp, stamp, org, None, "phone", label, self.city_phone(place.city), True))
        if rnd() < 0.4:
            label = EXTRA_PHONE_LABELS[int(rnd() * 4)]
            add((stamp, stamp, org, None, "phone", label, self.city_phone(place.city), False))
        if rnd() < 0.1:
            add((stamp, stamp, org, None, "fax", "", self.city_phone(place.city), True))
        add((stamp, stamp, org, None, "email", "", f"info@{place.domain}", True))
        if rnd() < 0.3:
            box, label = EXTRA_MAILBOXES[int(rnd() * 3)]
            add((stamp, stamp, org, None, "email", label, f"{box}@{place.domain}", False))

    # People -------------------------------------------------------------------------------

    def new_person(self, place: Place, name: Name, born_by: int = 2000) -> int:
        """Write a person (with personal contacts for some) in the organisation's lines."""
        rnd, w = self.random, self.w
        pid = self.next_person
        self.next_person += 1
        birthday, born = None, 1975
        if rnd() < 0.6:
            born = 1955 + int(rnd() * (born_by - 1954))
            birthday = w.day(BIRTH_DAYS[born] + int(rnd() * 365))
        consent = rnd() < 0.4
        source, consent_date = "", None
        if consent:
            source = CONSENT_SOURCES[int(rnd() * len(CONSENT_SOURCES))]
            consent_date = w.day(place.created // DAY + int(rnd() * 300))
        attributes = EMPTY
        if rnd() < 0.2:
            attributes = self.hobbies[int(rnd() * len(self.hobbies))]
        stamp, owner = place.stamp, place.owner
        do_not_contact = not consent and rnd() < 0.05
        self.persons.add(
            (pid, stamp, stamp, owner, owner, 1, name.last, name.first, name.patronymic,
             name.gender, birthday, consent, source, consent_date, do_not_contact, "",
             attributes)
        )  # fmt: skip
        for index in MASKS[place.mask]:
            self.person_lines.add((pid, self.line_ids[index]))
            self.sample(self.directory.person_sample[index], pid)
        draw = rnd()
        if draw < 0.3:
            self.contacts.add(
                (stamp, stamp, None, pid, "phone", "Мобильный", self.mobile_phone(), True)
            )
        if draw < 0.1:
            domain = PERSONAL_DOMAINS[int(rnd() * 3)]
            email = f"{name.first_latin}.{name.last_latin}{int(rnd() * 100)}@{domain}"
            self.contacts.add((stamp, stamp, None, pid, "email", "Личный", email, True))
        if draw < 0.05:
            handle = f"@{name.first_latin}_{name.last_latin}".replace("-", "_")
            self.contacts.add((stamp, stamp, None, pid, "messenger", "Telegram", handle, True))
        entry = [pid, place.mask, name, place.index, born]
        if len(self.pool) < POOL:
            self.pool.append(entry)
        else:
            self.pool[int(rnd() * POOL)] = entry
        return pid

    def job(self, place: Place, pid, name: Name, job, started, ended, primary, phone="", email=""):
        """A job: `started` and `ended` are day numbers."""
        w = self.w
        position, department, role = job
        if not phone:
            phone = self.city_phone(place.city) if self.random() < 0.8 else self.mobile_phone()
        if not email:
            domain = place.domain or PERSONAL_DOMAINS[0]
            email = f"{name.first_latin[:1]}.{name.last_latin}@{domain}"
        stamp, owner = place.stamp, place.owner
        self.employments.add(
            (stamp, stamp, owner, owner, 1, pid, place.org_id, position, department, role,
             email, phone, primary, w.day(started), w.day(ended))
        )  # fmt: skip

    def staff(self, place: Place, people: int) -> None:
        """The organisation's own persons: the current ones first, then those who left."""
        rnd, d, today = self.random, self.directory, self.now // DAY
        left = sum(1 for _ in range(people - 1) if rnd() < 0.08)
        current = people - left
        d.person_start[place.index] = self.next_person
        d.person_current[place.index] = current
        for number in range(people):
            name = self.book.person(self.rng)
            pid = self.new_person(place, name)
            started = place.created // DAY - 30 - int(rnd() * 3000)
            ended = None
            if number >= current:
                ended = min(today - 1, started + 90 + int(rnd() * 2400))
            position, department, role = self.positions[
                bisect(self.cum_positions, rnd() * self.cum_positions[-1])
            ]
            if rnd() < 0.15:
                role = ""
            self.job(place, pid, name, (position, department, role), started, ended, number == 0)

    def sole_trader(self, place: Place, name: Name) -> None:
        d = self.directory
        d.person_start[place.index] = self.next_person
        d.person_current[place.index] = 1
        pid = self.new_person(place, name, born_by=1998)
        phone = self.mobile_phone()
        domain = PERSONAL_DOMAINS[int(self.random() * 3)]
        email = f"{name.first_latin}.{name.last_latin}@{domain}"
        stamp = place.stamp
        self.contacts.add((stamp, stamp, place.org_id, None, "phone", "Мобильный", phone, True))
        self.contacts.add((stamp, stamp, place.org_id, None, "email", "", email, True))
        job = ("Индивидуальный предприниматель", "", "decision_maker")
        started = place.created // DAY - int(self.random() * 300)
        self.job(place, pid, name, job, started, None, True, phone=phone, email=email)

    def other_job(self, place: Place) -> None:
        """A person of another organisation also works here, or used to."""
        rnd, today = self.random, self.now // DAY
        entry = None
        for _attempt in range(5):
            candidate = self.pool[int(rnd() * len(self.pool))] if self.pool else None
            if candidate is not None and candidate[3] != place.index:
                entry = candidate
                break
        if entry is None:
            self.deferred += 1
            return
        pid, mask, name = entry[0], entry[1], entry[2]
        added = place.mask & ~mask
        for index in MASKS[added]:
            self.person_lines.add((pid, self.line_ids[index]))
        entry[1] = mask | added
        earliest = max(BIRTH_DAYS[min(entry[4], 2000)] + 21 * 365, BIRTH_DAYS[1995])
        started = earliest + int(rnd() * max(1, today - earliest))
        if rnd() < 0.6:
            position = SECOND_POSITIONS[int(rnd() * len(SECOND_POSITIONS))]
            self.job(place, pid, name, position, started, None, False)
        else:
            job = self.positions[bisect(self.cum_positions, rnd() * self.cum_positions[-1])]
            ended = min(today - 1, started + 60 + int(rnd() * 2000))
            self.job(place, pid, name, job, started, ended, False)

    def unemployed(self, index: int) -> None:
        """A person with no job on record (more persons were asked for than jobs)."""
        d = self.directory
        created = self.moment_of(index)
        place = Place(
            d.first_id + index,
            index,
            self.w.moment(created),
            created,
            d.responsible[index] or None,
            d.lines[index],
            "",
            CITIES[0],
        )
        self.new_person(place, self.book.person(self.rng))


@dataclass(slots=True)
class Place:
    """The organisation being written, as its people's rows need it."""

    org_id: int
    index: int
    stamp: object
    created: int  # seconds since the epoch
    owner: int | None
    mask: int
    domain: str
    city: object


def _cumulative(weights) -> list[float]:
    total, result = 0.0, []
    for weight in weights:
        total += weight
        result.append(total)
    return result
