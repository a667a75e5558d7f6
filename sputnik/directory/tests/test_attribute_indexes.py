"""The index on each sortable custom attribute: built and dropped with its definition, by
the migration for databases that had definitions before, kept through `seed_scale`'s
bulk load, used by the sorted list, and the list's order unchanged by it."""

import importlib
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.db import connection

from sputnik.core.testing import clients_for
from sputnik.directory import attribute_indexes, services
from sputnik.directory.models import AttributeDefinition, Organization, Person
from sputnik.directory.tests.factories import OrganizationFactory, PersonFactory, define_attribute
from sputnik.sales.scale.writer import writer_for_connection

pytestmark = pytest.mark.django_db

ORGANIZATIONS = Organization._meta.db_table


def indexes_on(table: str) -> set[str]:
    """The names of this feature's indexes the database lists for `table`."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = %s", [table])
        else:
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = %s", [table]
            )
        names = {name for (name,) in cursor.fetchall()}
    return {name for name in names if name.startswith(attribute_indexes.PREFIX)}


def expected(definition, model=Organization) -> set[str]:
    return {index.name for index in attribute_indexes.indexes_for(definition, model, connection)}


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run what a write leaves for after its commit, as a real commit would."""

    def run(write, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return write(*args, **kwargs)

    return run


def change(definition, **values):
    return services.attribute_definition_save(actor=None, definition=definition, **values)


def test_a_sortable_attribute_gets_an_index_per_direction(committed):
    staff = committed(define_attribute, "staff", "integer", show_in_list=True)
    hobby = committed(define_attribute, "hobby", "string", target="person", show_in_list=True)
    assert indexes_on(ORGANIZATIONS) == expected(staff)
    assert len(expected(staff)) == 2 and any(name.endswith("_desc") for name in expected(staff))
    assert indexes_on(Person._meta.db_table) == expected(hobby, Person)


@pytest.mark.django_db(transaction=True)
def test_after_a_real_commit_the_index_is_built_outside_the_transaction():
    """On PostgreSQL concurrently, so writes to the table go on meanwhile; it is valid."""
    staff = define_attribute("staff", "integer", show_in_list=True)
    assert indexes_on(ORGANIZATIONS) == expected(staff)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT bool_and(x.indisvalid) FROM pg_index x "
                "JOIN pg_class i ON i.oid = x.indexrelid WHERE i.relname = ANY(%s)",
                [sorted(expected(staff))],
            )
            assert cursor.fetchone()[0] is True


def test_attributes_the_list_does_not_sort_by_get_none(committed):
    committed(define_attribute, "staff", "integer")  # not a column of the list
    committed(define_attribute, "story", "text", show_in_list=True)
    committed(define_attribute, "holding", "organization", show_in_list=True)
    committed(define_attribute, "contract", "string", target="deal", show_in_list=True)
    assert indexes_on(ORGANIZATIONS) == set()


def test_retiring_or_hiding_an_attribute_drops_its_index_and_restoring_rebuilds_it(committed):
    staff = committed(define_attribute, "staff", "integer", show_in_list=True)
    built = indexes_on(ORGANIZATIONS)
    committed(change, staff, is_active=False)
    assert indexes_on(ORGANIZATIONS) == set()
    committed(change, staff, is_active=True)
    assert indexes_on(ORGANIZATIONS) == built
    committed(change, staff, show_in_list=False)
    assert indexes_on(ORGANIZATIONS) == set()


def test_another_attribute_keeps_its_index(committed):
    staff = committed(define_attribute, "staff", "integer", show_in_list=True)
    tier = committed(define_attribute, "tier", "string", show_in_list=True)
    committed(change, tier, is_active=False)
    assert indexes_on(ORGANIZATIONS) == expected(staff)


def test_a_changed_type_gets_a_new_index_and_a_deleted_definition_loses_it(committed):
    staff = committed(define_attribute, "staff", "integer", show_in_list=True)
    integer = indexes_on(ORGANIZATIONS)
    # The service keeps the type fixed; a change made behind it is caught up with.
    AttributeDefinition.objects.filter(pk=staff.pk).update(type="decimal")
    staff.refresh_from_db()
    committed(change, staff, label_en="Staff")
    assert indexes_on(ORGANIZATIONS) == expected(staff) and not integer & expected(staff)
    staff.delete()
    attribute_indexes.sync("organization")
    assert indexes_on(ORGANIZATIONS) == set()


def test_the_migration_builds_indexes_for_definitions_made_before_it(db):
    staff = define_attribute("staff", "integer", show_in_list=True)  # no commit: no index
    assert indexes_on(ORGANIZATIONS) == set()
    migration = importlib.import_module("sputnik.directory.migrations.0006_attribute_sort_indexes")
    editor = SimpleNamespace(connection=connection)
    migration.create(apps, editor)
    assert indexes_on(ORGANIZATIONS) == expected(staff)
    migration.drop(apps, editor)
    assert indexes_on(ORGANIZATIONS) == set()


def test_the_bulk_loader_puts_the_indexes_back(committed):
    """`seed_scale` drops a table's indexes while it loads and rebuilds them after."""
    staff = committed(define_attribute, "staff", "integer", show_in_list=True)
    writer = writer_for_connection()
    writer.start([ORGANIZATIONS])
    assert indexes_on(ORGANIZATIONS) == set()
    writer.finish([ORGANIZATIONS], say=lambda _message: None)
    assert indexes_on(ORGANIZATIONS) == expected(staff)


# The list sorted by an attribute --------------------------------------------------------

VALUES = {"Альфа": 1200, "Бета": 20, "Гамма": None, "Дельта": 3, "Эпсилон": 20}


@pytest.fixture
def listed(committed, make_user, line_a, line_b):
    committed(define_attribute, "staff", "integer", show_in_list=True)
    committed(define_attribute, "tier", "choice", show_in_list=True, choices=["A", "B"])
    for name, staff in VALUES.items():
        attributes = {} if staff is None else {"staff": staff, "tier": "AB"[staff % 2]}
        OrganizationFactory(business_lines=[line_a], short_name=name, attributes=attributes)
    OrganizationFactory(business_lines=[line_b], short_name="Чужая", attributes={"staff": 1})
    return clients_for(make_user(lines={line_a: "write"}))[0]


def names_sorted(page, sort: str) -> list[str]:
    rows = page.get(f"/organizations/?o={sort}").context["object_list"]
    return [organization.short_name for organization in rows]


def test_numbers_sort_as_numbers_with_empty_values_last_and_ties_in_the_order_added(listed):
    assert names_sorted(listed, "attr_staff") == ["Дельта", "Бета", "Эпсилон", "Альфа", "Гамма"]
    assert names_sorted(listed, "-attr_staff") == ["Альфа", "Бета", "Эпсилон", "Дельта", "Гамма"]
    assert names_sorted(listed, "-attr_tier") == ["Дельта", "Альфа", "Бета", "Эпсилон", "Гамма"]


@pytest.mark.parametrize("sort", ["attr_staff", "-attr_staff", "attr_tier", "-attr_tier"])
def test_the_sorted_list_reads_its_rows_from_the_index(listed, sort):
    """The list's own query (line restriction and all), asked how it would run with the
    sort forbidden or made dear: it must name the attribute's index, or the database would
    sort every visible row."""
    sent = []

    def keep(execute, sql, params, many, context):
        sent.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(keep):
        listed.get(f"/organizations/?o={sort}")
    alias = f'AS "{sort.lstrip("-")}"'
    # As sent, with its parameters: SQLite matches an indexed expression only to one
    # written out in the statement.
    ((sql, params),) = [(q, p) for q, p in sent if alias in q and "ORDER BY" in q]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL enable_sort = off")
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute(f"EXPLAIN {sql}", params)
        else:
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        plan = " ".join(str(row) for row in cursor.fetchall())
    suffix = "_desc" if sort.startswith("-") else ""
    code = sort.lstrip("-").removeprefix("attr_")
    definition = AttributeDefinition.objects.get(code=code)
    (name,) = [n for n in expected(definition) if n.endswith("_desc") == bool(suffix)]
    assert name in plan
    assert "Sort" not in plan and "TEMP B-TREE" not in plan


def test_people_sorted_by_an_attribute_keep_their_order(committed, make_user, line_a):
    committed(define_attribute, "born", "date", target="person", show_in_list=True)
    for name, born in (("Ершов", "1990-05-01"), ("Бобров", None), ("Аксёнов", "1985-01-02")):
        PersonFactory(
            business_lines=[line_a],
            last_name=name,
            attributes={"born": born} if born else {},
        )
    page = clients_for(make_user(lines={line_a: "write"}))[0]
    rows = page.get("/persons/?o=-attr_born").context["object_list"]
    assert [person.last_name for person in rows] == ["Ершов", "Аксёнов", "Бобров"]


def test_the_sort_key_is_written_alike_whatever_order_django_lists_json_types_in(db, monkeypatch):
    """Django lists JSON's own types from a set, in an order that changes from process to
    process; an index built by one process must match the queries of every other."""
    if connection.vendor != "sqlite":
        pytest.skip("Only SQLite's form of a JSON key lists the types.")
    staff = define_attribute("staff", "integer", show_in_list=True)
    names = expected(staff)
    types = connection.ops.jsonfield_datatype_values
    monkeypatch.setattr(connection.ops, "jsonfield_datatype_values", tuple(sorted(types))[::-1])
    assert expected(staff) == names
