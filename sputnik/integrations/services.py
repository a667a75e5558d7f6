"""Every write of the exchange app: starting exports and recording them in the audit."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from itertools import batched
from typing import Any

from auditlog.context import set_actor
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.core.files import File
from django.core.files.base import ContentFile
from django.db import transaction
from django.tasks import task
from django.utils import translation
from django.utils.translation import gettext as _

from sputnik.access.models import SecurityEventKind, User, lines_with_role
from sputnik.access.services import security_event_record
from sputnik.core import bulk
from sputnik.core.audit import client_address
from sputnik.core.models import RunStatus
from sputnik.core.services import run_finish, run_progress, run_start
from sputnik.directory import services as directory
from sputnik.directory.models import (
    AddressKind,
    ContactKind,
    Employment,
    Organization,
    Person,
    Segment,
)
from sputnik.directory.services import segment_add, segment_create

from .importing import (
    FIRST,
    JOB,
    ORGANIZATION,
    PERSON,
    Action,
    Checked,
    DuplicatePolicy,
    ImportKind,
    Options,
    Row,
    check,
    guess_mapping,
    targets,
)
from .models import Export, Import, ImportMapping
from .reading import Table, read_table


@transaction.atomic
def export_start(*, actor: User, kind: str, params: dict[str, str], request=None) -> Export:
    """Queue an .xlsx export of a list (with its filter and sort) for `actor`."""
    run = Export(
        created_by=actor,
        kind=kind,
        params=params,
        language=translation.get_language() or "ru",
        remote_addr=client_address(request),
    )
    run.full_clean()
    run.save()
    transaction.on_commit(lambda: export_task.enqueue(run.pk))
    return run


def export_audit(run: Export) -> None:
    """Record in the security log who exported what and how many rows (when the file is
    ready: only then has anything left the system)."""
    security_event_record(
        SecurityEventKind.EXPORT,
        user=run.created_by,
        remote_addr=run.remote_addr,
        what=run.kind,
        filters=run.params,
        rows=run.done,
    )


def import_audit(run: Import) -> None:
    """Record in the security log who brought which file into the base, and what it did."""
    result = run.result
    security_event_record(
        SecurityEventKind.IMPORT,
        user=run.created_by,
        remote_addr=run.remote_addr,
        what=run.kind,
        file=run.source_name,
        rows=result.get("rows", 0),
        written=result.get("written", 0),
        rejected=result.get("rejected", 0),
        policy=run.policy,
    )


@task()
def export_task(run_id: int) -> None:
    from .excel import write_export

    write_export(run_id)


# Imports -----------------------------------------------------------------------------

MAX_UPLOAD = 50 * 1024 * 1024


@transaction.atomic
def import_create(*, actor: User, kind: str, upload, sheet: str = "", request=None) -> Import:
    """Keep an uploaded file as a draft import, its columns mapped by their headers (with
    the actor's saved mapping for these headers, if there is one)."""
    if kind not in ImportKind.values:
        raise ValidationError({"kind": _("Choose what the rows are.")})
    if upload.size > MAX_UPLOAD:
        raise ValidationError({"source": _("The file is larger than 50 MB.")})
    data = upload.read()
    try:
        table = read_table(data, upload.name, sheet=sheet)
    except ValidationError as error:
        raise ValidationError({"source": error.messages}) from None
    run = Import(
        created_by=actor,
        kind=kind,
        source_name=upload.name[-255:],
        sheet=table.sheet,
        headers=table.headers,
        status=RunStatus.DRAFT,
        language=translation.get_language() or "ru",
        remote_addr=client_address(request),
    )
    saved = best_mapping(actor, kind, table.headers)
    run.mapping = guess_mapping(table.headers, kind, saved.columns if saved else None)
    run.source.save(upload.name[-100:], ContentFile(data), save=False)
    run.save()
    lines = lines_with_role(actor)
    if lines.count() == 1:
        run.business_lines.set(lines)
    return run


@transaction.atomic
def import_sheet(*, actor: User, run: Import, sheet: str) -> Import:
    """Take a draft import's rows from another sheet of its workbook (columns guessed
    again: they are another sheet's)."""
    if run.status != RunStatus.DRAFT:
        raise ValidationError(_("The import has started; it cannot be changed."))
    with run.source.open("rb") as source:
        table = read_table(source.read(), run.source_name, sheet=sheet)
    saved = best_mapping(actor, run.kind, table.headers)
    run.sheet, run.headers = table.sheet, table.headers
    run.mapping = guess_mapping(table.headers, run.kind, saved.columns if saved else None)
    run.save(update_fields=["sheet", "headers", "mapping", "updated_at"])
    return run


def best_mapping(actor: User, kind: str, headers: list[str]) -> ImportMapping | None:
    """The actor's saved mapping that knows most of these headers."""
    best, known = None, 0
    for mapping in ImportMapping.objects.restrict(actor).filter(kind=kind):
        count = sum(1 for header in headers if header in mapping.columns)
        if count > known:
            best, known = mapping, count
    return best


@transaction.atomic
def import_configure(
    *,
    actor: User,
    run: Import,
    mapping: list[str] | None = None,
    save_mapping_as: str = "",
    business_lines=None,
    **options: Any,
) -> Import:
    """Change a draft import's columns and options; refuses a started one."""
    if run.status != RunStatus.DRAFT:
        raise ValidationError(_("The import has started; it cannot be changed."))
    errors: dict[str, list[str]] = {}
    if mapping is not None:
        fields = targets(run.kind)
        mapping = [key or "" for key in mapping][: len(run.headers)]
        mapping += [""] * (len(run.headers) - len(mapping))
        unknown = [key for key in mapping if key and key not in fields]
        chosen = [key for key in mapping if key]
        twice = {fields[key].label for key in chosen if chosen.count(key) > 1 and key in fields}
        if unknown:
            errors.setdefault("mapping", []).append(
                _("Unknown fields: %(keys)s.") % {"keys": ", ".join(unknown)}
            )
        if twice:
            errors.setdefault("mapping", []).append(
                _("Each field can be filled by one column only: %(fields)s.")
                % {"fields": ", ".join(sorted(twice))}
            )
        if not chosen:
            errors.setdefault("mapping", []).append(_("Choose what at least one column fills."))
        run.mapping = mapping
    for name, value in options.items():
        setattr(run, name, value)
    segment = run.segment
    if segment is not None and (
        segment.kind != run.kind
        or segment.dynamic
        or not Segment.objects.restrict(actor, "change").filter(pk=segment.pk).exists()
    ):
        errors.setdefault("segment", []).append(
            _("Choose one of your static lists of the same kind.")
        )
    if business_lines is not None:
        lines = list(business_lines)
        allowed = set(lines_with_role(actor).values_list("pk", flat=True))
        if any(line.pk not in allowed for line in lines):
            errors.setdefault("business_lines", []).append(
                _("You may add records only to your own business lines.")
            )
        run.business_lines.set(lines)
    if errors:
        raise ValidationError(errors)
    run.full_clean(exclude=["source", "created_by"])
    run.save()
    if save_mapping_as:
        columns = {h: k for h, k in zip(run.headers, run.mapping, strict=True) if h and k}
        ImportMapping.objects.update_or_create(
            owner=actor,
            kind=run.kind,
            name=save_mapping_as[:100],
            defaults={"columns": columns},
        )
    return run


def import_check(
    run: Import,
    progress=None,
    *,
    table: Table | None = None,
    limit: int | None = None,
    writing: bool = False,
) -> Checked:
    """Every row of the file (or its first `limit` rows) judged as the import would take
    it now; nothing is written. The rows of a given `table` are used up: each is let go
    once checked, and kept only as `check` keeps them (`writing`: for the import itself,
    otherwise for a preview)."""
    with bulk.few_collections():
        table = table or _table(run)
        rows, total, table.rows = table.rows, len(table.rows), []
        if limit:
            del rows[limit:]
        options = Options(kind=run.kind, mapping=run.mapping, policy=run.policy)
        found = enumerate(_let_go(rows), start=FIRST)
        checked = check(run.created_by, found, options, progress, writing=writing)
        checked.total = total
        return checked


def _let_go(rows: list) -> Iterator:
    """The items of a list, each dropped from it once taken."""
    for position, item in enumerate(rows):
        rows[position] = None
        yield item


def _table(run: Import) -> Table:
    with run.source.open("rb") as source:
        data = source.read()
    return read_table(data, run.source_name, sheet=run.sheet)


def import_start(*, actor: User, run: Import) -> Import:
    """Queue a draft import (or run again one that failed or was interrupted)."""
    if not run.business_lines.exists() and run.policy != DuplicatePolicy.MATCH:
        raise ValidationError(
            {"business_lines": _("Choose the business lines of the new records.")}
        )
    if run.status not in (RunStatus.DRAFT, RunStatus.FAILED) and not run.is_interrupted:
        raise ValidationError(_("The import is already running or done."))
    run.status, run.error, run.done = RunStatus.PENDING, "", 0
    run.save(update_fields=["status", "error", "done", "updated_at"])
    transaction.on_commit(lambda: import_task.enqueue(run.pk))
    return run


@task()
def import_task(run_id: int) -> None:
    import_run(run_id)


class RowFailed(Exception):
    def __init__(self, row: Row, message: str):
        self.row, self.message = row, message
        super().__init__(message)


def import_run(run_id: int) -> None:
    """Check the file again, then write it: in one transaction, so that a failure (or a
    killed worker) leaves the base as it was and the import can run again."""
    run = Import.objects.select_related("created_by", "segment").get(pk=run_id)
    if run.status == RunStatus.DONE:
        return
    checked = None
    with translation.override(run.language), bulk.few_collections():
        try:
            table = _table(run)
            run_start(run, total=len(table.rows))
            checked = import_check(
                run, lambda done: run_progress(run, done), table=table, writing=True
            )
            if checked.rejected and not run.valid_only:
                raise RowFailed(
                    checked.rejected[0],
                    _(
                        "%(count)s rows have errors; nothing was imported. Fix them (the rejected "
                        "rows file names each problem) or choose to import only the valid rows."
                    )
                    % {"count": len(checked.rejected)},
                )
            with transaction.atomic(), set_actor(run.created_by, remote_addr=run.remote_addr):
                result = _write(run, checked)
        except RowFailed as failure:
            _finish_rejected(run, checked, failure)
            return
        except Exception as error:  # noqa: BLE001 - the run row tells the user what broke
            run_finish(run, error=str(error))
            raise
        run.result = {**checked.summary(), **result}
        _save_rejected(run, checked)
        run.done = checked.total
        run_finish(run, fields=["result", "file"])
        import_audit(run)


def _finish_rejected(run: Import, checked: Checked | None, failure: RowFailed) -> None:
    if checked is not None:
        run.result = checked.summary()
        _save_rejected(run, checked)
    message = failure.message
    if failure.row.number and checked is not None and not checked.rejected:
        message = _("Row %(row)s: %(message)s Nothing was imported.") % {
            "row": failure.row.number,
            "message": failure.message,
        }
    run_finish(run, error=message, fields=["result", "file"])


def _save_rejected(run: Import, checked: Checked) -> None:
    rejected = checked.rejected
    if not rejected:
        return
    from .excel import write_rejected

    if any(row.cells is None for row in rejected):
        # Rows the services refused while writing: their cells were let go after the check.
        table = _table(run)
        for row in rejected:
            if row.cells is None:
                row.cells = table.rows[row.number - FIRST]

    with tempfile.TemporaryFile() as raw:
        rows = ((row.cells, row.problems(checked.fields)) for row in rejected)
        write_rejected(run.headers, rows, _("Why rejected"), raw)
        raw.seek(0)
        run.file.save(run.rejected_filename, File(raw), save=False)


def _write(run: Import, checked: Checked) -> dict[str, int]:
    """Write the accepted rows through the directory's services, a chunk of rows at a
    time: new records in bulk, updates one by one. With `valid_only` a row the services
    refuse is rejected on its own; otherwise it stops the whole import."""
    actor, lines = run.created_by, list(run.business_lines.all())
    accepted = checked.accepted
    named = {row.same_as for row in accepted if row.same_as is not None}
    writer = _Writer(actor, lines, run.policy, run.valid_only, named)
    members: list[int] = []
    for chunk in batched(accepted, WRITE_CHUNK):
        members += writer.write(list(chunk), run.kind)
    segment = run.segment
    if run.segment_name and members:
        segment = segment_create(
            actor=actor,
            name=run.segment_name,
            kind=run.kind,
            business_lines=lines or list(lines_with_role(actor)[:1]),
        )
    if segment is not None and members:
        model = Organization if run.kind == ImportKind.ORGANIZATIONS else Person
        segment_add(actor=actor, segment=segment, records=model.objects.filter(pk__in=members))
    return {"written": len(set(members)), "segment": segment.pk if segment else None}


WRITE_CHUNK = 1000


def _messages(error: ValidationError) -> str:
    """A refusal of the services in a line, each problem with the field it concerns."""
    if hasattr(error, "error_dict"):
        return "; ".join(
            f"{_field_label(name)}: {' '.join(messages)}"
            if name != "__all__"
            else " ".join(messages)
            for name, messages in error.message_dict.items()
        )
    return " ".join(error.messages)


def _field_label(name: str) -> str:
    """The name a person knows a field by, in the import's language."""
    for model in (Organization, Person, Employment):
        try:
            return str(model._meta.get_field(name).verbose_name)
        except FieldDoesNotExist:
            continue
    return name


class _Writer:
    """Writes checked rows: their organisations, persons and the persons' jobs there."""

    def __init__(self, actor: User, lines: list, policy: str, valid_only: bool, named: set[int]):
        self.actor, self.lines, self.policy, self.valid_only = actor, lines, policy, valid_only
        # By row number, for later rows of the same organisation: only its id and name,
        # and only of the rows that later rows name.
        self.organizations: dict[int, tuple[int, str]] = {}
        self.named = named

    def write(self, rows: list[Row], kind: str) -> list[int]:
        """The ids of the rows' records of `kind` (organisations or persons)."""
        organizations: dict[int, Organization] = {}
        persons: dict[int, Person] = {}
        self._organizations(rows, organizations)
        self._persons(rows, persons)
        self._jobs([row for row in rows if not row.rejected], persons, organizations)
        found = organizations if kind == ImportKind.ORGANIZATIONS else persons
        return [found[row.number].pk for row in rows if not row.rejected and row.number in found]

    def _one(self, row: Row, write):
        """One row's write in its own savepoint; a refusal rejects the row or stops all."""
        try:
            with transaction.atomic():
                return write()
        except ValidationError as error:
            if not self.valid_only:
                raise RowFailed(row, _messages(error)) from error
            row.error("", _messages(error))
            return None

    def _many(self, rows: list[Row], items: list[dict], bulk, single) -> list:
        """New records in bulk; if the bulk is refused, one by one to find the culprit."""
        try:
            with transaction.atomic():
                # The check brought the rows' phones and e-mails to their normal form.
                return bulk(
                    actor=self.actor,
                    business_lines=self.lines,
                    items=items,
                    contacts_normalized=True,
                )
        except ValidationError:
            return [
                self._one(
                    row,
                    lambda item=item: single(actor=self.actor, business_lines=self.lines, **item),
                )
                for row, item in zip(rows, items, strict=True)
            ]

    def _organizations(self, rows: list[Row], organizations: dict[int, Organization]) -> None:
        """The rows' organisations (created, updated or found), by row number."""
        new = [row for row in rows if row.organization_action == Action.CREATE]
        items = []
        for row in new:
            plain, extra = _split_organization(row.group(ORGANIZATION))
            items.append({**plain, **extra})
        created = self._many(
            new, items, directory.organizations_bulk_create, directory.organization_create
        )
        for row, organization in zip(new, created, strict=True):
            if organization is not None:
                organizations[row.number] = organization
        for row in rows:
            action = row.organization_action
            if action == Action.UPDATE:
                organization = self._one(row, lambda row=row: self._update_organization(row))
            elif action == Action.SAME:
                organization = organizations.get(row.same_as) or self._earlier(row.same_as)
            elif action in (Action.SKIP, Action.MATCH):
                organization = row.organization
            else:
                continue
            if organization is not None:
                organizations[row.number] = organization
        for number, organization in organizations.items():
            if number in self.named:
                self.organizations[number] = (organization.pk, organization.short_name)

    def _earlier(self, number: int) -> Organization | None:
        """The organisation of a row of an earlier chunk, as far as it is remembered."""
        if number not in self.organizations:
            return None
        pk, name = self.organizations[number]
        return Organization(pk=pk, short_name=name)

    def _update_organization(self, row: Row) -> Organization:
        organization, plain, extra = _changes(row, Organization, _split_organization)
        organization = directory.organization_update(
            actor=self.actor, organization=organization, expected_version=None, **plain
        )
        _add_contacts(self.actor, organization, extra["contacts"])
        for address in extra["addresses"]:
            address.pop("kind")
            directory.address_save(
                actor=self.actor, organization=organization, kind=AddressKind.LEGAL, **address
            )
        return organization

    def _persons(self, rows: list[Row], persons: dict[int, Person]) -> None:
        new = [row for row in rows if row.person_action == Action.CREATE and not row.rejected]
        items = []
        for row in new:
            plain, contacts = _split_person(row.group(PERSON))
            items.append({**plain, "contacts": contacts})
        created = self._many(new, items, directory.persons_bulk_create, directory.person_create)
        for row, person in zip(new, created, strict=True):
            if person is not None:
                persons[row.number] = person
        for row in rows:
            if row.rejected:
                continue
            if row.person_action == Action.UPDATE:
                person = self._one(row, lambda row=row: self._update_person(row))
            elif row.person_action in (Action.SKIP, Action.MATCH):
                person = row.person
            else:
                continue
            if person is not None:
                persons[row.number] = person

    def _update_person(self, row: Row) -> Person:
        person, plain, contacts = _changes(row, Person, _split_person)
        person = directory.person_update(
            actor=self.actor, person=person, expected_version=None, **plain
        )
        _add_contacts(self.actor, person, contacts)
        return person

    def _jobs(
        self, rows: list[Row], persons: dict[int, Person], organizations: dict[int, Organization]
    ) -> None:
        """A job for each row with both a person and an organisation, unless the person
        already works there (an update policy then updates the job)."""
        if self.policy == DuplicatePolicy.MATCH:
            return
        pairs = [
            (row, persons[row.number], organizations[row.number])
            for row in rows
            if row.number in persons and row.number in organizations
        ]
        # Only persons already in the base can have jobs: one a row creates has none yet
        # (and a file names each person once).
        current = _current_jobs(
            [(person, org) for row, person, org in pairs if row.person_action != Action.CREATE]
        )
        new = []
        planned = Employment()  # stands for the jobs about to be created
        for row, person, organization in pairs:
            values = row.group(JOB)
            job = current.get((person.pk, organization.pk))
            if job is None:
                new.append((person, organization, values))
                current[(person.pk, organization.pk)] = planned
            elif values and job.pk and self.policy == DuplicatePolicy.UPDATE:
                self._one(
                    row,
                    lambda job=job, values=values: directory.employment_update(
                        actor=self.actor, employment=job, expected_version=None, **values
                    ),
                )
        if new:
            directory.employments_bulk_create(actor=self.actor, items=new)


def _current_jobs(pairs: list[tuple[Person, Organization]]) -> dict[tuple[int, int], Employment]:
    """The current jobs of these persons in these organisations, by (person, organisation)."""
    if not pairs:
        return {}
    jobs = Employment.objects.filter(
        person__in={person.pk for person, _org in pairs},
        organization__in={org.pk for _person, org in pairs},
        ended_on__isnull=True,
    )
    return {(job.person_id, job.organization_id): job for job in jobs}


def _changes(row: Row, model, split):
    """The stored record a row updates, the row's values for it (custom attributes
    merged into the stored ones) and the rest of what `split` separates."""
    group = ORGANIZATION if model is Organization else PERSON
    record = model.objects.get(pk=(row.organization if model is Organization else row.person).pk)
    plain, rest = split(row.group(group))
    plain.pop("id", None)
    if "attributes" in plain:
        plain["attributes"] = {**record.attributes, **plain["attributes"]}
    return record, plain, rest


def _attributes_of(values: dict[str, Any]) -> dict[str, Any]:
    return {k.removeprefix("attr."): values.pop(k) for k in list(values) if k.startswith("attr.")}


def _split_organization(values: dict[str, Any]) -> tuple[dict, dict]:
    values = dict(values)
    contacts = [{"kind": ContactKind.PHONE, "value": v} for v in values.pop("phones", [])]
    contacts += [{"kind": ContactKind.EMAIL, "value": v} for v in values.pop("emails", [])]
    # Only the parts of the address the row has: an update keeps the others.
    address = {
        part: values.pop(column)
        for column, part in (("city", "city"), ("address", "street"))
        if column in values
    }
    addresses = [{"kind": AddressKind.LEGAL, **address}] if address else []

    attributes = _attributes_of(values)
    if attributes:
        values["attributes"] = attributes
    return values, {"contacts": contacts, "addresses": addresses}


def _split_person(values: dict[str, Any]) -> tuple[dict, list[dict]]:
    values = dict(values)
    contacts = [{"kind": ContactKind.PHONE, "value": v} for v in values.pop("phones", [])]
    contacts += [{"kind": ContactKind.EMAIL, "value": v} for v in values.pop("emails", [])]
    attributes = _attributes_of(values)
    if attributes:
        values["attributes"] = attributes
    return values, contacts


def _add_contacts(actor: User, owner, items: list[dict]) -> None:
    """Phones and e-mails the record does not have yet (an update adds, never removes)."""
    have = set(owner.contacts.values_list("kind", "value"))
    field = owner._meta.model_name
    for item in items:
        if (item["kind"], item["value"]) not in have:
            directory.contact_add(actor=actor, **item, **{field: owner})
