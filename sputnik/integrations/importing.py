"""What an import understands: the fields a column can fill, how a header is recognised,
how a cell becomes a value, and how a row is judged against the base before anything is
written (INT-1).

A row holds an organisation, a person, or both and the person's job there. Rows are
checked in bulk — lookups of existing INNs, e-mails and phones go to the database per
chunk of rows, not per row — and each row ends with errors and warnings per column and
the action it will take.
"""

from __future__ import annotations

import datetime
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from itertools import batched
from types import MappingProxyType
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from sputnik.core.models import model_permission
from sputnik.directory import validation
from sputnik.directory.attributes import clean_value, definitions
from sputnik.directory.models import (
    AttributeDefinition,
    AttributeTarget,
    AttributeType,
    Category,
    ContactKind,
    ContactPoint,
    Employment,
    Gender,
    Industry,
    LegalForm,
    Organization,
    OrganizationStatus,
    Person,
)
from sputnik.directory.search import search

CHUNK = 1000
FIRST = 2  # the number of the first row under the header
SAMPLE_ROWS = 20  # shown by the preview when no row has anything to say
NAME_CANDIDATES = 20  # found by the search before names are compared exactly


class ImportKind(models.TextChoices):
    ORGANIZATIONS = "organizations", gettext_lazy("Organisations (with a contact person)")
    PERSONS = "persons", gettext_lazy("Persons (with their organisation)")


class DuplicatePolicy(models.TextChoices):
    SKIP = "skip", gettext_lazy("Skip: leave the record in the base as it is")
    UPDATE = "update", gettext_lazy("Update the record in the base with the row's values")
    CREATE = "create", gettext_lazy("Create a new record anyway (persons only)")
    MATCH = "match", gettext_lazy("Only find records in the base: create and change nothing")


class Action(models.TextChoices):
    CREATE = "create", gettext_lazy("new")
    UPDATE = "update", gettext_lazy("update")
    SKIP = "skip", gettext_lazy("already in the base")
    MATCH = "match", gettext_lazy("found")
    SAME = "same", gettext_lazy("as in an earlier row")
    EXCLUDED = "excluded", gettext_lazy("not marked")
    REJECT = "reject", gettext_lazy("rejected")


ORGANIZATION, PERSON, JOB, CONTROL = "organization", "person", "job", "control"


def may_import(user, kind: str, policy: str = DuplicatePolicy.SKIP) -> bool:
    """Adding records needs the add permission; only finding them, the view permission."""
    action = "view" if policy == DuplicatePolicy.MATCH else "add"
    model = Organization if kind == ImportKind.ORGANIZATIONS else Person
    return user.has_perm(model_permission(model, action))


# Cells -------------------------------------------------------------------------------


@dataclass
class Fixed:
    """A value repaired on the way in, with a note for the person importing."""

    value: Any
    note: str


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime | datetime.date):
        return value.strftime("%d.%m.%Y")
    return str(value).strip()


def text(limit: int) -> Callable[[Any], str]:
    def parse(value: Any) -> str:
        result = _text(value)
        if len(result) > limit:
            raise ValidationError(_("At most %(limit)s characters.") % {"limit": limit})
        return result

    return parse


def parse_inn(value: Any) -> str | Fixed:
    raw = validation.digits(_text(value))
    if raw.isdigit() and len(raw) in (9, 11):
        # A spreadsheet stored the INN as a number and dropped its leading zero.
        try:
            restored = validation.clean_inn("0" + raw)
        except ValidationError:
            pass
        else:
            return Fixed(restored, _("Leading zero restored: %(inn)s.") % {"inn": restored})
    return validation.clean_inn(raw)


def parse_id(value: Any) -> int | None:
    raw = _text(value)
    if not raw:
        return None
    if not raw.isdigit() or len(raw) > 18:
        raise ValidationError(_("An ID is a whole number."))
    return int(raw)


DATE_FORMATS = ("%d.%m.%Y", "%d.%m.%y", "%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y")


def parse_date(value: Any) -> datetime.date | None:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    raw = _text(value)
    if not raw:
        return None
    for pattern in DATE_FORMATS:
        try:
            return datetime.datetime.strptime(raw, pattern).date()
        except ValueError:
            continue
    raise ValidationError(_("“%(value)s” is not a date (dd.mm.yyyy).") % {"value": raw})


YES = {"да", "д", "yes", "y", "true", "1", "+", "x", "х", "✓", "v", "истина"}
NO = {"нет", "н", "no", "n", "false", "0", "-", "ложь"}


def parse_bool(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    raw = _text(value).lower()
    if not raw:
        return None
    if raw in YES:
        return True
    if raw in NO:
        return False
    raise ValidationError(_("“%(value)s” is neither yes nor no.") % {"value": raw})


def _items(value: Any) -> list[str]:
    return [item.strip() for item in re.split(r"[,;\n]", _text(value)) if item.strip()]


def contacts(normalize: Callable[[str], str]) -> Callable[[Any], list[str]]:
    """Several phones or e-mails in one cell, separated by commas or semicolons."""

    def parse(value: Any) -> list[str]:
        return list(dict.fromkeys(normalize(item) for item in _items(value)))

    return parse


def choice(options: type[models.TextChoices]) -> Callable[[Any], str]:
    """A choice by its code or its label in either language ("ООО", "Client", "клиент")."""

    def parse(value: Any) -> str:
        raw = _text(value)
        if not raw:
            return ""
        wanted = _key(raw)
        for code, label in options.choices:
            if wanted in (_key(code), _key(str(label))):
                return code
        labels = ", ".join(str(label) for code, label in options.choices if code)
        raise ValidationError(
            _("“%(value)s” is not one of: %(options)s.") % {"value": raw, "options": labels}
        )

    return parse


def parse_gender(value: Any) -> str:
    raw = _key(_text(value))
    if raw in ("м", "муж", "мужской", "m", "male"):
        return Gender.MALE
    if raw in ("ж", "жен", "женский", "f", "female"):
        return Gender.FEMALE
    return choice(Gender)(value)


def references(model: type[models.Model], *, many: bool) -> Callable[[Any], Any]:
    """Reference items (categories, industries) by name; unknown names are refused."""

    found: dict[str, models.Model] = {}

    def parse(value: Any):
        names = _items(value) if many else [_text(value)] if _text(value) else []
        if names and not found:
            found.update({_key(item.name): item for item in model.objects.all()})
        unknown = [name for name in names if _key(name) not in found]
        if unknown:
            raise ValidationError(
                _("Not in the reference list: %(names)s.") % {"names": ", ".join(unknown)}
            )
        items = [found[_key(name)] for name in names]
        return items if many else (items[0] if items else None)

    return parse


def attribute(definition: AttributeDefinition) -> Callable[[Any], Any]:
    """A custom attribute's cell in the form `clean_value` takes."""
    kind = definition.type

    def parse(value: Any):
        if kind == AttributeType.DATE:
            value = parse_date(value)
        elif kind == AttributeType.BOOLEAN:
            value = parse_bool(value)
        elif kind == AttributeType.MULTI_CHOICE:
            value = _items(value)
        elif isinstance(value, float) or kind in (
            AttributeType.INTEGER,
            AttributeType.ORGANIZATION,
        ):
            value = _text(value)
        elif isinstance(value, str):
            value = value.strip()
        return clean_value(definition, value)

    return parse


# Fields ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """A field a column can fill, and the headers that name it."""

    key: str
    label: str
    group: str
    parse: Callable[[Any], Any]
    headers: tuple[str, ...] = ()

    @property
    def group_label(self) -> str:
        return str(GROUPS[self.group])


GROUPS = {
    ORGANIZATION: gettext_lazy("Organisation"),
    PERSON: gettext_lazy("Person"),
    JOB: gettext_lazy("Job"),
    CONTROL: gettext_lazy("Import"),
}


def targets(kind: str) -> dict[str, Target]:
    """Every field of an import of `kind`, in the order the mapping offers them. Header
    synonyms are Russian and English; the export's own headers are among them, so an
    exported file maps itself."""
    person_first = kind == ImportKind.PERSONS
    phones = ("телефон", "телефоны", "phone", "phones", "тел")
    emails = ("email", "e-mail", "e-mails", "emails", "почта", "эл. почта", "электронная почта")
    org_full = ("полное наименование", "полное название", "full legal name")
    person_full = ("фио", "ф.и.о.", "контактное лицо", "contact person", "контакт")
    found = [
        Target(
            "org.id",
            _("Organisation ID"),
            ORGANIZATION,
            parse_id,
            ("id организации", "organisation id") + (() if person_first else ("id",)),
        ),
        Target(
            "org.short_name",
            _("Name"),
            ORGANIZATION,
            text(255),
            (
                "наименование",
                "название",
                "организация",
                "компания",
                "контрагент",
                "клиент",
                "краткое наименование",
                "name",
                "organisation",
                "organization",
                "company",
                "short name",
            ),
        ),
        Target(
            "org.full_name",
            _("Full legal name"),
            ORGANIZATION,
            text(500),
            org_full + (() if person_first else ("full name",)),
        ),
        Target(
            "org.legal_form",
            _("Legal form"),
            ORGANIZATION,
            choice(LegalForm),
            ("опф", "организационно-правовая форма", "форма собственности", "legal form"),
        ),
        Target("org.inn", _("INN"), ORGANIZATION, parse_inn, ("инн", "inn", "tin")),
        Target("org.kpp", _("KPP"), ORGANIZATION, text(9), ("кпп", "kpp")),
        Target(
            "org.ogrn",
            _("OGRN / OGRNIP"),
            ORGANIZATION,
            text(15),
            ("огрн", "огрнип", "огрн / огрнип", "ogrn", "ogrn / ogrnip"),
        ),
        Target(
            "org.status",
            _("Status"),
            ORGANIZATION,
            choice(OrganizationStatus),
            ("статус", "status"),
        ),
        Target(
            "org.website",
            _("Website"),
            ORGANIZATION,
            text(200),
            ("сайт", "веб-сайт", "website", "site", "www"),
        ),
        Target(
            "org.phones",
            _("Organisation phones"),
            ORGANIZATION,
            contacts(validation.normalize_phone),
            ("телефон организации", "organisation phone") + (() if person_first else phones),
        ),
        Target(
            "org.emails",
            _("Organisation e-mails"),
            ORGANIZATION,
            contacts(validation.normalize_email),
            ("e-mail организации", "organisation e-mail") + (() if person_first else emails),
        ),
        Target("org.city", _("City"), ORGANIZATION, text(200), ("город", "city")),
        Target(
            "org.address",
            _("Address"),
            ORGANIZATION,
            text(300),
            ("адрес", "юридический адрес", "address", "legal address"),
        ),
        Target(
            "org.categories",
            _("Categories"),
            ORGANIZATION,
            references(Category, many=True),
            ("категория", "категории", "category", "categories"),
        ),
        Target(
            "org.industry",
            _("Industry"),
            ORGANIZATION,
            references(Industry, many=False),
            ("отрасль", "industry"),
        ),
        Target(
            "org.notes",
            _("Notes on the organisation"),
            ORGANIZATION,
            text(10000),
            ("примечание", "комментарий", "notes"),
        ),
        Target(
            "person.id",
            _("Person ID"),
            PERSON,
            parse_id,
            ("id контакта", "person id") + (("id",) if person_first else ()),
        ),
        Target(
            "person.full_name",
            _("Full name (surname, first name, patronymic)"),
            PERSON,
            text(450),
            person_full + (("full name",) if person_first else ()),
        ),
        Target(
            "person.last_name", _("Surname"), PERSON, text(150), ("фамилия", "surname", "last name")
        ),
        Target("person.first_name", _("First name"), PERSON, text(150), ("имя", "first name")),
        Target(
            "person.patronymic",
            _("Patronymic"),
            PERSON,
            text(150),
            ("отчество", "patronymic", "middle name"),
        ),
        Target("person.gender", _("Gender"), PERSON, parse_gender, ("пол", "gender")),
        Target(
            "person.birthday",
            _("Birthday"),
            PERSON,
            parse_date,
            ("дата рождения", "день рождения", "birthday", "date of birth"),
        ),
        Target(
            "person.phones",
            _("Personal phones"),
            PERSON,
            contacts(validation.normalize_phone),
            ("мобильный", "мобильный телефон", "личный телефон", "mobile")
            + (phones if person_first else ()),
        ),
        Target(
            "person.emails",
            _("Personal e-mails"),
            PERSON,
            contacts(validation.normalize_email),
            ("личный e-mail", "personal e-mail") + (emails if person_first else ()),
        ),
        Target(
            "person.consent_mailing",
            _("Agrees to mailings"),
            PERSON,
            parse_bool,
            ("согласие на рассылку", "согласен на рассылку", "agrees to mailings"),
        ),
        Target(
            "person.do_not_contact",
            _("Do not contact"),
            PERSON,
            parse_bool,
            ("не беспокоить", "do not contact"),
        ),
        Target(
            "job.position", _("Position"), JOB, text(200), ("должность", "position", "job title")
        ),
        Target(
            "job.department",
            _("Department"),
            JOB,
            text(200),
            ("отдел", "подразделение", "department"),
        ),
        Target("job.work_phone", _("Work phone"), JOB, text(40), ("рабочий телефон", "work phone")),
        Target(
            "job.work_email",
            _("Work e-mail"),
            JOB,
            text(254),
            ("рабочий e-mail", "рабочая почта", "work e-mail"),
        ),
        Target(
            "include",
            _("Include (rows marked yes are imported)"),
            CONTROL,
            parse_bool,
            ("включить", "в список", "отметка", "include", "selected"),
        ),
    ]
    for target, group in (
        (AttributeTarget.ORGANIZATION, ORGANIZATION),
        (AttributeTarget.PERSON, PERSON),
    ):
        for definition in definitions(target):
            prefix = "org" if group == ORGANIZATION else "person"
            found.append(
                Target(
                    f"{prefix}.attr.{definition.code}",
                    definition.label,
                    group,
                    attribute(definition),
                    (definition.label.lower(), definition.code),
                )
            )
    return {target.key: target for target in found}


def _key(header: str) -> str:
    """A header as compared: lower case, ё as е, spaces and quotes squeezed."""
    header = str(header).lower().replace("ё", "е").replace("\xa0", " ")
    header = re.sub(r"[\"'«»*:]", "", header)
    return re.sub(r"\s+", " ", header).strip()


def guess_mapping(headers: list[str], kind: str, saved: dict[str, str] | None = None) -> list:
    """The field each column most likely fills ("" for none), each field once: a saved
    mapping's choice first, then a header equal to one of a field's names."""
    fields = targets(kind)
    by_header = {_key(name): key for key, target in fields.items() for name in target.headers}
    by_header.update({_key(target.label): key for key, target in fields.items()})
    saved = {_key(header): key for header, key in (saved or {}).items() if key in fields}
    mapping, used = [], set()
    for header in headers:
        key = saved.get(_key(header)) or by_header.get(_key(header), "")
        if key in used:
            key = ""
        used.add(key)
        mapping.append(key)
    return mapping


# Rows --------------------------------------------------------------------------------


# What a row without errors (or warnings) has of them: one shared, read-only mapping
# instead of two empty dictionaries on each of a hundred thousand rows.
NONE: Mapping[str, list[str]] = MappingProxyType({})
NO_VALUES: Mapping[str, Any] = MappingProxyType({})  # of a row a preview does not show


@dataclass(slots=True)
class Row:
    number: int
    cells: list[Any] | None  # None once let go (see `check`)
    values: dict[str, Any] | Mapping[str, Any] = field(default_factory=dict)
    errors: Mapping[str, list[str]] = NONE
    warnings: Mapping[str, list[str]] = NONE
    organization_action: str = ""
    person_action: str = ""
    organization: Organization | None = None
    person: Person | None = None
    same_as: int | None = None  # the earlier row with the same organisation

    @property
    def rejected(self) -> bool:
        return bool(self.errors)

    @property
    def organization_action_label(self) -> str:
        return Action(self.organization_action).label if self.organization_action else ""

    @property
    def person_action_label(self) -> str:
        return Action(self.person_action).label if self.person_action else ""

    @property
    def excluded(self) -> bool:
        return self.organization_action == Action.EXCLUDED

    def error(self, key: str, message: str) -> None:
        if self.errors is NONE:
            self.errors = {}
        self.errors.setdefault(key, []).append(str(message))

    def warn(self, key: str, message: str) -> None:
        if self.warnings is NONE:
            self.warnings = {}
        self.warnings.setdefault(key, []).append(str(message))

    def group(self, name: str) -> dict[str, Any]:
        """The row's values of one group, keyed by field name ("short_name", "attr.x")."""
        prefix = {ORGANIZATION: "org.", PERSON: "person.", JOB: "job."}[name]
        return {k.removeprefix(prefix): v for k, v in self.values.items() if k.startswith(prefix)}

    def problems(self, fields: dict[str, Target]) -> str:
        """Every error of the row in one line, each with its column's field."""
        return "; ".join(
            f"{fields[key].label}: {' '.join(messages)}" if key in fields else " ".join(messages)
            for key, messages in self.errors.items()
        )


@dataclass
class Options:
    kind: str
    mapping: list[str]
    policy: str = DuplicatePolicy.SKIP


@dataclass
class Checked:
    rows: list[Row]
    fields: dict[str, Target]
    mapped: set[str]
    total: int = 0  # rows in the file (more than `rows` when only the first were checked)

    def count(self, attribute: str, action: str) -> int:
        return sum(1 for row in self.rows if not row.rejected and getattr(row, attribute) == action)

    @property
    def rejected(self) -> list[Row]:
        return [row for row in self.rows if row.rejected]

    @property
    def accepted(self) -> list[Row]:
        return [row for row in self.rows if not row.rejected and not row.excluded]

    def summary(self) -> dict[str, int]:
        result = {
            "rows": len(self.rows),
            "rejected": len(self.rejected),
            "excluded": sum(1 for row in self.rows if row.excluded),
        }
        warned = sum(1 for row in self.rows if row.warnings and not row.rejected)
        result["warned"] = warned
        for prefix, attribute in (
            ("organizations", "organization_action"),
            ("persons", "person_action"),
        ):
            for action in (Action.CREATE, Action.UPDATE, Action.SKIP, Action.MATCH):
                result[f"{prefix}_{action}"] = self.count(attribute, action)
        return result


def check(
    user,
    table_rows: Iterable[tuple[int, list]],
    options: Options,
    progress: Callable[[int], None] | None = None,
    *,
    writing: bool = False,
) -> Checked:
    """Parse and judge every row: nothing is written. `table_rows` are (row number, cells).

    A hundred thousand checked rows are a good part of the memory, so rows keep only what
    someone will look at. A preview (the default) keeps the cells and values of the rows
    it shows, those with errors or warnings and the first SAMPLE_ROWS, and the actions of
    all. An import (`writing`) keeps the values of every row, to write them, and the
    cells of rejected rows only (for the file of rejected rows)."""
    fields = targets(options.kind)
    mapping = [key if key in fields else "" for key in options.mapping]
    mapped = set(filter(None, mapping))
    checked = Checked(rows=[], fields=fields, mapped=mapped)
    judge = _Judge(user, options, mapped)
    done = 0
    shared: dict[str, str] = {}
    for chunk in batched(table_rows, CHUNK):
        rows = [_parse(number, cells, mapping, fields, shared) for number, cells in chunk]
        judge.rows(rows)
        for row in rows:
            if not _shown(row, writing):
                row.cells = None
                if not writing:
                    row.values = NO_VALUES
        checked.rows.extend(rows)
        done += len(rows)
        if progress:
            progress(done)
    return checked


def _shown(row: Row, writing: bool) -> bool:
    if row.rejected:
        return True
    return not writing and bool(row.warnings or row.number < FIRST + SAMPLE_ROWS)


def _parse(
    number: int, cells: list, mapping: list[str], fields: dict[str, Target], shared: dict
) -> Row:
    row = Row(number=number, cells=cells)
    for key, value in zip(mapping, cells, strict=False):
        if not key:
            continue
        try:
            parsed = fields[key].parse(value)
        except ValidationError as error:
            row.error(key, " ".join(error.messages))
            continue
        if isinstance(parsed, Fixed):
            row.warn(key, parsed.note)
            parsed = parsed.value
        if parsed not in ("", None, []):
            row.values[key] = parsed
    if "person.full_name" in row.values:
        parts = row.values.pop("person.full_name").split()
        for key, part in zip(NAME_PARTS, parts, strict=False):
            row.values.setdefault(key, part)
        if len(parts) > 3:
            row.values["person.patronymic"] = " ".join(parts[2:])
    _share(row.values, shared)
    return row


# Values most files repeat from row to row: first names, patronymics, positions, cities,
# custom attributes (choices, dates). Each kept once, not once a row: a hundred thousand
# checked rows wait in memory for the import to write them.
REPEATED = {"person.first_name", "person.patronymic", "job.position", "job.department", "org.city"}
SHARED_MAX = 50_000  # distinct values kept for sharing; beyond that, values stay as they are


def _share(values: dict[str, Any], shared: dict[str, str]) -> None:
    for key, value in values.items():
        if type(value) is str and (key in REPEATED or ".attr." in key):
            found = shared.get(value)
            if found is not None:
                values[key] = found
            elif len(shared) < SHARED_MAX:
                shared[value] = value


# The keys a full name fills, made once (not three new strings on every row).
NAME_PARTS = ("person.last_name", "person.first_name", "person.patronymic")


class _Judge:
    """Decides what each row does, remembering the rows already seen."""

    def __init__(self, user, options: Options, mapped: set[str]):
        self.user, self.policy, self.kind = user, options.policy, options.kind
        self.has_org = any(key.startswith("org.") for key in mapped)
        self.has_person = any(key.startswith("person.") for key in mapped)
        self.has_include = "include" in mapped
        self.seen_inn: dict[str, int] = {}
        self.seen_org_names: dict[str, int] = {}
        self.seen_person: dict[str, int] = {}
        self.visible_orgs = Organization.objects.restrict(user)
        self.changeable_orgs = Organization.objects.restrict(user, "change")
        self.visible_persons = Person.objects.restrict(user)
        self.changeable_persons = Person.objects.restrict(user, "change")
        self.required = {
            group: [d.code for d in definitions(target) if d.required]
            for group, target in (
                (ORGANIZATION, AttributeTarget.ORGANIZATION),
                (PERSON, AttributeTarget.PERSON),
            )
        }
        if options.policy == DuplicatePolicy.MATCH:
            self.org_required, self.person_required = (), ()
        else:
            self.org_required = ("org.short_name",)
            self.person_required = ("person.last_name",)

    def rows(self, rows: list[Row]) -> None:
        if self.has_include:
            for row in rows:
                if not row.values.get("include"):
                    row.organization_action = row.person_action = Action.EXCLUDED
            rows = [row for row in rows if not row.excluded]
        if self.has_org:
            self._organizations(rows)
        if self.has_person:
            self._persons(rows)
        for row in rows:
            if row.rejected:
                row.organization_action = row.person_action = Action.REJECT

    def _valid_new(self, row: Row, values: dict, group: str) -> bool:
        """Whether the row's organisation (or person) can be created: its required fields
        are there and the model accepts its values."""
        model, message = NEW[group]
        for key in self.org_required if group == ORGANIZATION else self.person_required:
            if not values.get(key.split(".", 1)[1]):
                row.error(key, message())
        if not row.rejected:
            _validate_new(row, model, values, group, self.required[group])
        return not row.rejected

    # Organisations

    def _organizations(self, rows: list[Row]) -> None:
        ids = {row.values["org.id"] for row in rows if "org.id" in row.values}
        by_id = self.visible_orgs.in_bulk(ids) if ids else {}
        inns = {row.values["org.inn"] for row in rows if "org.inn" in row.values}
        by_inn: dict[str, list[Organization]] = defaultdict(list)
        for organization in Organization.objects.filter(inn__in=inns):
            by_inn[organization.inn].append(organization)
        names = {
            row.values["org.short_name"]
            for row in rows
            if "org.short_name" in row.values
            and "org.inn" not in row.values
            and "org.id" not in row.values
        }
        by_name = self._by_name(names)
        candidates = {o.pk for found in by_inn.values() for o in found} | set(by_id)
        candidates |= {pk for pks in by_name.values() for pk in pks}
        visible = set(self.visible_orgs.filter(pk__in=candidates).values_list("pk", flat=True))
        changeable = (
            set(self.changeable_orgs.filter(pk__in=candidates).values_list("pk", flat=True))
            if self.policy == DuplicatePolicy.UPDATE
            else set()
        )
        for row in rows:
            values = row.group(ORGANIZATION)
            if not values:
                continue
            key = values.get("inn", "") + "/" + values.get("kpp", "")
            if (
                values.get("inn")
                and key in self.seen_inn
                or (
                    not values.get("inn")
                    and values.get("short_name", "").lower() in self.seen_org_names
                    and self.has_person
                )
            ):
                first = self.seen_inn.get(key) or self.seen_org_names.get(
                    values.get("short_name", "").lower()
                )
                if self.has_person and row.group(PERSON):
                    row.same_as = first
                    row.organization_action = Action.SAME
                else:
                    row.error(
                        "org.inn" if values.get("inn") else "org.short_name",
                        _("Repeats row %(row)s.") % {"row": first},
                    )
                continue
            existing = self._existing_organization(row, values, by_id, by_inn, by_name, visible)
            if row.rejected:
                continue
            if values.get("inn"):
                self.seen_inn[key] = row.number
            elif values.get("short_name"):
                self.seen_org_names[values["short_name"].lower()] = row.number
            self._organization_action(row, values, existing, visible, changeable)

    def _by_name(self, names: set[str]) -> dict[str, list[int]]:
        """Organisations of these names among those visible: rows without an INN find
        their organisation so. Only finding (a list from a file of names) forgives letter
        case and ё — the search narrows, an exact comparison decides; otherwise the name
        must be the same."""
        found: dict[str, list[int]] = {}
        if self.policy != DuplicatePolicy.MATCH:
            for chunk in batched(sorted(names), CHUNK):
                same = self.visible_orgs.filter(short_name__in=chunk)
                for pk, name in same.values_list("pk", "short_name"):
                    found.setdefault(name, []).append(pk)
            return found
        for name in names:
            hits = search(self.user, name, limit=NAME_CANDIDATES).organizations
            found[name] = [
                o.pk for o in hits if _key(name) in (_key(o.short_name), _key(o.full_name))
            ]
        return found

    def _existing_organization(self, row, values, by_id, by_inn, by_name, visible):
        if "id" in values:
            existing = by_id.get(values["id"])
            if existing is None:
                row.error("org.id", _("No organisation with this ID among those you see."))
            return existing
        if values.get("inn"):
            same = by_inn.get(values["inn"], [])
            kpp = values.get("kpp", "")
            exact = [o for o in same if o.kpp == kpp] or [o for o in same if not o.kpp or not kpp]
            if exact:
                existing = exact[0]
                if existing.pk not in visible:
                    if self.policy == DuplicatePolicy.SKIP:
                        row.warn(
                            "org.inn",
                            _(
                                "Already in the base, in a business line you do "
                                "not see: the row's organisation is skipped."
                            ),
                        )
                        row.organization_action = Action.SKIP
                        return None
                    row.error(
                        "org.inn",
                        _(
                            "An organisation with this INN is in a business "
                            "line you have no access to."
                        ),
                    )
                    return None
                return existing
            return None
        if values.get("short_name"):
            pks = by_name.get(values["short_name"], [])
            if len(pks) > 1:
                row.error(
                    "org.short_name",
                    _("Ambiguous: %(count)s organisations have this name; give the INN.")
                    % {"count": len(pks)},
                )
                return None
            if pks:
                return Organization(pk=pks[0], short_name=values["short_name"])
        return None

    def _organization_action(self, row, values, existing, visible, changeable) -> None:
        if row.organization_action:  # skipped as invisible
            return
        policy = self.policy
        if existing is None:
            if policy == DuplicatePolicy.MATCH:
                row.error(
                    "org.inn" if values.get("inn") else "org.short_name",
                    _("Not found among the organisations you see."),
                )
                return
            if "id" in values:
                return
            if self._valid_new(row, values, ORGANIZATION):
                row.organization_action = Action.CREATE
            return
        row.organization = existing
        key = "org.inn" if values.get("inn") else "org.short_name"
        if policy == DuplicatePolicy.MATCH:
            row.organization_action = Action.MATCH
        elif policy == DuplicatePolicy.UPDATE:
            if existing.pk not in changeable:
                row.error(key, _("You may not change this organisation."))
                return
            row.organization_action = Action.UPDATE
        else:
            # Skipped, also under "create anyway": that is for persons; an organisation
            # is the one in the base.
            row.organization_action = Action.SKIP
            if "id" not in values:
                row.warn(key, _("Already in the base: %(name)s.") % {"name": existing})

    # Persons

    def _persons(self, rows: list[Row]) -> None:
        keys = {key for row in rows for key in _person_keys(row)}
        by_key = _persons_by_contact(keys)
        ids = {row.values["person.id"] for row in rows if "person.id" in row.values}
        by_id = self.visible_persons.in_bulk(ids) if ids else {}
        candidates = {pk for pks in by_key.values() for pk in pks}
        visible = self.visible_persons.in_bulk(candidates)
        changeable = (
            set(
                self.changeable_persons.filter(pk__in=candidates | set(by_id)).values_list(
                    "pk", flat=True
                )
            )
            if self.policy == DuplicatePolicy.UPDATE
            else set()
        )
        by_name = self._persons_by_name(rows)
        for row in rows:
            values = row.group(PERSON)
            if not values or row.rejected:
                continue
            keys = _person_keys(row)
            first = next((self.seen_person[k] for k in keys if k in self.seen_person), None)
            if first is not None:
                row.error("person.emails", _("The same person as in row %(row)s.") % {"row": first})
                continue
            for key in keys:
                self.seen_person[key] = row.number
            existing = None
            if "id" in values:
                existing = by_id.get(values["id"])
                if existing is None:
                    row.error("person.id", _("No person with this ID among those you see."))
                    continue
            else:
                pks = sorted({pk for key in keys for pk in by_key.get(key, ())})
                if pks:
                    existing = visible.get(pks[0])
                    if existing is None and self.policy != DuplicatePolicy.CREATE:
                        if self.policy == DuplicatePolicy.SKIP:
                            row.person_action = Action.SKIP
                            row.warn(
                                "person.emails",
                                _(
                                    "Already in the base, in a business line you do not see: "
                                    "the row's person is skipped."
                                ),
                            )
                            continue
                        row.error(
                            "person.emails",
                            _(
                                "A person with this e-mail or phone is in a business line you "
                                "have no access to."
                            ),
                        )
                        continue
                elif self.policy == DuplicatePolicy.MATCH:
                    existing = self._match_by_name(row, values, by_name)
                    if row.rejected:
                        continue
            self._person_action(row, values, existing, changeable)

    def _persons_by_name(self, rows: list[Row]) -> dict[tuple, list[int]]:
        """Persons by their full name (see `_by_name`), for rows without e-mail or phone."""
        if self.policy != DuplicatePolicy.MATCH:
            return {}
        found: dict[tuple, list[int]] = {}
        for row in rows:
            values = row.group(PERSON)
            if not values.get("last_name") or _person_keys(row) or "id" in values:
                continue
            name = _person_name(values)
            query = " ".join(name)
            hits = search(self.user, query, limit=NAME_CANDIDATES).persons
            found[name] = [
                p.pk
                for p in hits
                if tuple(_key(part) for part in (p.last_name, p.first_name, p.patronymic))[
                    : len(name)
                ]
                == name
            ]
        return found

    def _match_by_name(self, row, values, by_name) -> Person | None:
        pks = by_name.get(_person_name(values), [])
        if len(pks) > 1:
            row.error(
                "person.last_name",
                _("Ambiguous: %(count)s persons have this name; give an e-mail or a phone.")
                % {"count": len(pks)},
            )
            return None
        if not pks:
            row.error("person.last_name", _("Not found among the persons you see."))
            return None
        return Person(pk=pks[0], last_name=values["last_name"])

    def _person_action(self, row, values, existing, changeable) -> None:
        policy = self.policy
        if existing is None:
            if "id" in values:
                return
            if policy == DuplicatePolicy.MATCH:
                row.error("person.emails", _("Not found among the persons you see."))
                return
            if self._valid_new(row, values, PERSON):
                row.person_action = Action.CREATE
            return
        if policy == DuplicatePolicy.CREATE and "id" not in values:
            row.warn(
                "person.emails",
                _("%(name)s has the same e-mail or phone; a new person is created anyway.")
                % {"name": existing},
            )
            row.person_action = Action.CREATE
            return
        row.person = existing
        if policy == DuplicatePolicy.MATCH:
            row.person_action = Action.MATCH
        elif policy == DuplicatePolicy.UPDATE:
            if existing.pk not in changeable:
                row.error("person.emails", _("You may not change this person."))
                return
            row.person_action = Action.UPDATE
        else:
            row.person_action = Action.SKIP
            row.warn("person.emails", _("Already in the base: %(name)s.") % {"name": existing})


def _person_name(values: dict) -> tuple[str, ...]:
    """Surname, then first name and patronymic as far as they are given, as compared."""
    name = []
    for part in ("last_name", "first_name", "patronymic"):
        if not values.get(part):
            break
        name.append(_key(values[part]))
    return tuple(name)


def _person_keys(row: Row) -> list[str]:
    keys = [*row.values.get("person.emails", []), *row.values.get("person.phones", [])]
    for name, normalize in (
        ("job.work_email", validation.normalize_email),
        ("job.work_phone", validation.normalize_phone),
    ):
        if name in row.values:
            try:
                keys.append(normalize(row.values[name]))
            except ValidationError as error:
                row.error(name, " ".join(error.messages))
    return [key for key in keys if key]


def _persons_by_contact(keys: set[str]) -> dict[str, set[int]]:
    """Person ids by normalised e-mail or phone: personal contacts and work contacts."""
    found: dict[str, set[int]] = defaultdict(set)
    for chunk in batched(sorted(keys), CHUNK):
        contacts = ContactPoint.objects.filter(
            person__isnull=False,
            value__in=chunk,
            kind__in=(ContactKind.EMAIL, ContactKind.PHONE),
        )
        for value, pk in contacts.values_list("value", "person_id"):
            found[value].add(pk)
        jobs = Employment.objects.filter(Q(work_email__in=chunk) | Q(work_phone__in=chunk))
        for email, phone, pk in jobs.values_list("work_email", "work_phone", "person_id"):
            for value in (email, phone):
                if value in chunk:
                    found[value].add(pk)
    return found


NEW = {
    ORGANIZATION: (Organization, lambda: _("Required for a new organisation.")),
    PERSON: (Person, lambda: _("Required for a new person.")),
}

MODEL_FIELDS = {
    ORGANIZATION: (
        "short_name",
        "full_name",
        "legal_form",
        "inn",
        "kpp",
        "ogrn",
        "website",
        "status",
        "notes",
    ),
    PERSON: (
        "last_name",
        "first_name",
        "patronymic",
        "gender",
        "birthday",
        "consent_mailing",
        "do_not_contact",
    ),
}


def _validate_new(row: Row, model, values: dict, group: str, required: list[str]) -> None:
    """What the model itself refuses (lengths, formats), before anything is written."""
    prefix = "org." if group == ORGANIZATION else "person."
    language = get_language()
    # The model's `clean_fields()` over these fields, without building a model object.
    for model_field in _checked_fields(model, group):
        name = model_field.name
        if name not in values:
            problem = _default_problem(model_field, language)
            if problem:
                row.error(prefix + name, problem)
            continue
        raw = values[name]
        if model_field.blank and raw in model_field.empty_values:
            continue
        try:
            model_field.clean(raw, None)
        except ValidationError as error:
            row.error(prefix + name, " ".join(error.messages))
    if values.get("legal_form") == LegalForm.IP and len(values.get("inn", "")) == 10:
        row.error(prefix + "inn", _("A sole trader's INN has 12 digits."))
    for code in required:
        if f"attr.{code}" not in values:
            row.error(f"{prefix}attr.{code}", _("This attribute is required."))


@cache
def _default_problem(model_field: models.Field, language: str | None) -> str:
    """Why the field's default is refused ("" when it is not): the same on every row
    that leaves the field out, so worked out once (in each language)."""
    raw = model_field.get_default()
    if model_field.blank and raw in model_field.empty_values:
        return ""
    try:
        model_field.clean(raw, None)
    except ValidationError as error:
        return " ".join(error.messages)
    return ""


@cache
def _checked_fields(model, group: str) -> list[models.Field]:
    return [field for field in model._meta.fields if field.name in MODEL_FIELDS[group]]
