"""The floor of each benchmarked operation: the least SQL, written by hand, that yields what
the page or the API answer shows (the same rows and columns, under the same business-line
restriction), run through a raw DB-API connection. The app's SQL time is compared with it.

Each floor is a function of the picked records (`Picks`) returning the statements to run
in order; `Dialect` holds the few spellings PostgreSQL and SQLite do not share. Writes are
run inside a transaction that is rolled back, so they leave nothing behind.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field

Statement = tuple[str, tuple]
PAGE = 50  # rows per list page


@dataclass(frozen=True)
class Dialect:
    vendor: str  # "postgresql" or "sqlite"

    @property
    def pg(self) -> bool:
        return self.vendor == "postgresql"

    def agg(self, expression: str) -> str:
        """Values of the group joined by ", "."""
        if self.pg:
            return f"string_agg({expression}, ', ')"
        return f"group_concat({expression}, ', ')"

    def sort_int(self, column: str, key: str) -> str:
        """A number attribute as the list sorts by it: the very expression of its index."""
        if self.pg:
            return f"(({column} ->> '{key}'))::bigint"
        path = f"'$.\"{key}\"'"
        return (
            f"CAST((CASE WHEN JSON_TYPE({column}, {path}) IN ('null','true','false') "
            f"THEN JSON_TYPE({column}, {path}) ELSE JSON_EXTRACT({column}, {path}) END) AS bigint)"
        )

    def contains(self, column: str) -> str:
        """`column` contains the parameter (a name fragment), case-insensitively."""
        if self.pg:  # served by the trigram GIN index on lower(column)
            return f"lower({column}) LIKE %s"
        return f"{column} LIKE %s"

    def param(self, sql: str) -> str:
        return sql if self.pg else sql.replace("%s", "?")


@dataclass
class Picks:
    """The records and values the benchmark uses, chosen once per run."""

    lines: list[int]  # business lines bench.sales sees
    sales: int
    head_team: list[int]  # bench.head and the employees of the lines they manage
    organization: int
    heavy: int  # the visible organisation with the most contacts
    person: int
    segment_criteria: dict = field(default_factory=dict)
    count_cap: int = 10_000  # lists count up to here (CappedPaginator.cap)
    attribute: str = ""  # an integer attribute of organisations the list sorts by
    deep_offset: int = 0
    deep_after: tuple = ()  # (name, id) of the last row before the deep page, for "Next"
    name_fragment: str = ""
    inn: str = ""
    phone: str = ""
    email: str = ""
    pipeline: int = 0
    deal: int = 0
    interaction: int = 0
    now: str = ""  # ISO moment of the run
    tomorrow: str = ""  # start of tomorrow (local time), ISO
    week_end: str = ""  # start of the day after the coming week, ISO


# Access conditions -------------------------------------------------------------------


def ids(values) -> str:
    return ", ".join(str(int(v)) for v in values) or "NULL"


def org_visible(p: Picks, alias: str = "o") -> str:
    return (
        "EXISTS (SELECT 1 FROM directory_organization_business_lines ol "
        f"WHERE ol.organization_id = {alias}.id AND ol.businessline_id IN ({ids(p.lines)}))"
    )


def person_visible(p: Picks, alias: str = "pe") -> str:
    return (
        "EXISTS (SELECT 1 FROM directory_person_business_lines pl "
        f"WHERE pl.person_id = {alias}.id AND pl.businessline_id IN ({ids(p.lines)}))"
    )


def undesirable(alias: str = "o") -> str:
    return (
        "EXISTS (SELECT 1 FROM directory_blacklistentry b WHERE b.removed_at IS NULL AND "
        f"(b.organization_id = {alias}.id OR ({alias}.inn <> '' AND b.inn = {alias}.inn)))"
    )


# Organisation lists -----------------------------------------------------------------


def organization_page(
    d: Dialect,
    p: Picks,
    *,
    where: str = "",
    order: str = "o.short_name, o.id",
    offset: int = 0,
    after: tuple = (),
) -> list[Statement]:
    """The capped count and one page: name, legal form, INN, status, categories, industry,
    responsible, attributes (custom columns) and the undesirable flag. `after`: the page
    starts after the row of this (name, id), as "Next" reads it; it narrows the page, not
    the count. Written as a row comparison, the least SQL for it (the app spells it out
    as `a >= x AND (a > x OR (a = x AND b > y))`, which the ORM can express)."""
    condition = f"{org_visible(p)} {where}"
    count = (
        f"SELECT COUNT(*) FROM (SELECT 1 FROM directory_organization o WHERE {condition} "
        f"LIMIT {p.count_cap + 1}) t"
    )
    categories = (
        f"(SELECT {d.agg('c.name')} FROM directory_organization_categories oc "
        "JOIN directory_category c ON c.id = oc.category_id WHERE oc.organization_id = o.id)"
    )
    page = (
        "SELECT o.id, o.short_name, o.legal_form, o.inn, o.status, o.attributes, i.name, "
        f"u.last_name, u.first_name, {categories}, {undesirable()} "
        "FROM directory_organization o "
        "LEFT JOIN directory_industry i ON i.id = o.industry_id "
        "LEFT JOIN access_user u ON u.id = o.responsible_id "
        f"WHERE {condition} {'AND (o.short_name, o.id) > (%s, %s)' if after else ''} "
        f"ORDER BY {order} LIMIT {PAGE} OFFSET {offset}"
    )
    return [(count, ()), (page, tuple(after))]


def list_first(d, p):
    return organization_page(d, p)


def list_deep(d, p):
    return organization_page(d, p, offset=p.deep_offset)


def list_next(d, p):
    """The deep page as "Next" reaches it: from the row after the page before."""
    return organization_page(d, p, after=p.deep_after)


def list_by_line(d, p):
    line = (
        "AND EXISTS (SELECT 1 FROM directory_organization_business_lines fl "
        f"WHERE fl.organization_id = o.id AND fl.businessline_id = {int(p.lines[0])})"
    )
    return organization_page(d, p, where=line)


def list_by_attribute(d, p):
    key = d.sort_int("o.attributes", p.attribute)
    return organization_page(d, p, order=f"{key} NULLS LAST, o.id")


def segment_page(d, p):
    """A dynamic list of organisations: the capped count and the first 50 names."""
    where = "".join(
        f" AND o.{name}_id = {int(value)}" if name in ("industry", "responsible") else ""
        for name, value in p.segment_criteria.items()
    )
    if "status" in p.segment_criteria:
        where += f" AND o.status = '{p.segment_criteria['status']}'"
    condition = f"{org_visible(p)}{where}"
    return [
        (
            f"SELECT COUNT(*) FROM (SELECT 1 FROM directory_organization o WHERE {condition} "
            f"LIMIT {p.count_cap + 1}) t",
            (),
        ),
        (
            f"SELECT o.id, o.short_name FROM directory_organization o WHERE {condition} "
            f"ORDER BY o.short_name, o.id LIMIT {PAGE}",
            (),
        ),
    ]


# Search -----------------------------------------------------------------------------

FOUND = 25  # results per group on the search page

ORG_ROW = "SELECT o.id, o.short_name, o.inn, o.status FROM directory_organization o"
PERSON_ROW = (
    "SELECT pe.id, pe.last_name, pe.first_name, pe.patronymic, "
    "(SELECT og.short_name FROM directory_employment e JOIN directory_organization og "
    "ON og.id = e.organization_id WHERE e.person_id = pe.id AND e.ended_on IS NULL "
    "ORDER BY e.is_primary DESC LIMIT 1) FROM directory_person pe"
)


def search_name(d, p):
    fragment = f"%{p.name_fragment.lower() if d.pg else p.name_fragment}%"
    if d.pg:
        org_match = f"({d.contains('o.short_name')} OR {d.contains('o.full_name')})"
        person_match = f"({d.contains('pe.last_name')} OR {d.contains('pe.first_name')})"
        org_params = person_params = (fragment, fragment)
    else:  # the FTS5 trigram tables the app searches too
        org_match = (
            "o.id IN (SELECT rowid FROM directory_organization_search "
            "WHERE directory_organization_search MATCH %s)"
        )
        person_match = (
            "pe.id IN (SELECT rowid FROM directory_person_search "
            "WHERE directory_person_search MATCH %s)"
        )
        quoted = '"' + p.name_fragment.replace('"', "") + '"'
        org_params = person_params = (quoted,)
    return [
        (
            f"{ORG_ROW} WHERE {org_match} AND {org_visible(p)} ORDER BY o.short_name LIMIT {FOUND}",
            org_params,
        ),
        (
            f"{PERSON_ROW} WHERE {person_match} AND {person_visible(p)} "
            f"ORDER BY pe.last_name LIMIT {FOUND}",
            person_params,
        ),
    ]


def search_inn(d, p):
    return [
        (f"{ORG_ROW} WHERE o.inn = %s AND {org_visible(p)} LIMIT {FOUND}", (p.inn,)),
    ]


def _by_contact(p: Picks, kinds: str, job_column: str, value: str) -> list[Statement]:
    owners = (
        "SELECT {owner} FROM directory_contactpoint WHERE kind IN ({kinds}) AND value = %s "
        "UNION SELECT {owner} FROM directory_employment WHERE {job} = %s"
    )
    orgs = owners.format(owner="organization_id", kinds=kinds, job=job_column)
    persons = owners.format(owner="person_id", kinds=kinds, job=job_column)
    return [
        (
            f"{ORG_ROW} WHERE o.id IN ({orgs}) AND {org_visible(p)} "
            f"ORDER BY o.short_name LIMIT {FOUND}",
            (value, value),
        ),
        (
            f"{PERSON_ROW} WHERE pe.id IN ({persons}) AND {person_visible(p)} "
            f"ORDER BY pe.last_name LIMIT {FOUND}",
            (value, value),
        ),
    ]


def search_phone(d, p):
    return _by_contact(p, "'phone', 'fax'", "work_phone", p.phone)


def search_email(d, p):
    return _by_contact(p, "'email'", "work_email", p.email)


# Cards ------------------------------------------------------------------------------


def card_rows(d: Dialect, p: Picks, organization: int) -> list[Statement]:
    """What the organisation card shows: its fields with industry, parent and responsible,
    categories and lines, contacts, addresses, people, open deals and the next contact."""
    org = int(organization)
    lines = ids(p.lines)
    return [
        (
            "SELECT o.*, i.name, par.short_name, u.last_name, u.first_name, "
            f"(SELECT {d.agg('c.name')} FROM directory_organization_categories oc "
            "JOIN directory_category c ON c.id = oc.category_id WHERE oc.organization_id = o.id), "
            f"(SELECT {d.agg('bl.name')} FROM directory_organization_business_lines ob "
            "JOIN access_businessline bl ON bl.id = ob.businessline_id "
            f"WHERE ob.organization_id = o.id), {undesirable()} "
            "FROM directory_organization o LEFT JOIN directory_industry i ON i.id = o.industry_id "
            "LEFT JOIN directory_organization par ON par.id = o.parent_id "
            "LEFT JOIN access_user u ON u.id = o.responsible_id "
            f"WHERE o.id = {org} AND {org_visible(p)}",
            (),
        ),
        (
            "SELECT kind, label, value, is_primary FROM directory_contactpoint "
            f"WHERE organization_id = {org}",
            (),
        ),
        (
            "SELECT kind, postcode, region, city, street FROM directory_address "
            f"WHERE organization_id = {org}",
            (),
        ),
        (
            "SELECT e.id, e.position, e.work_phone, e.work_email, e.ended_on, pe.id, "
            "pe.last_name, pe.first_name, pe.patronymic FROM directory_employment e "
            f"JOIN directory_person pe ON pe.id = e.person_id WHERE e.organization_id = {org} "
            "ORDER BY e.ended_on IS NOT NULL, pe.last_name, pe.first_name",
            (),
        ),
        (
            "SELECT dl.id, dl.name, dl.amount, dl.currency, s.name, u.last_name "
            "FROM sales_deal dl JOIN sales_stage s ON s.id = dl.stage_id "
            "JOIN sales_pipeline pi ON pi.id = dl.pipeline_id "
            "LEFT JOIN access_user u ON u.id = dl.responsible_id "
            f"WHERE dl.organization_id = {org} AND dl.closed_at IS NULL "
            f"AND dl.business_line_id IN ({lines}) "
            'ORDER BY pi."order", s."order", dl.created_at DESC, dl.id DESC LIMIT 11',
            (),
        ),
        (
            "SELECT it.id, it.kind, it.subject, it.due_at, u.last_name FROM sales_interaction it "
            "LEFT JOIN access_user u ON u.id = it.responsible_id "
            f"WHERE it.organization_id = {org} AND it.status = 'planned' "
            f"AND it.business_line_id IN ({lines}) ORDER BY it.due_at, it.id LIMIT 1",
            (),
        ),
    ]


def card(d, p):
    return card_rows(d, p, p.organization)


def dossier(d, p):
    """The card of the heaviest organisation plus its timeline's first 25 entries: contacts
    with responsible, result and deal, and stage changes of its deals."""
    org, lines = int(p.heavy), ids(p.lines)
    timeline = [
        (
            "SELECT it.id, it.kind, it.direction, it.status, it.subject, it.notes, "
            "it.occurred_at, u.last_name, u.first_name, r.name, dl.name "
            "FROM sales_interaction it LEFT JOIN access_user u ON u.id = it.responsible_id "
            "LEFT JOIN sales_interactionresult r ON r.id = it.result_id "
            "LEFT JOIN sales_deal dl ON dl.id = it.deal_id "
            f"WHERE it.organization_id = {org} AND it.business_line_id IN ({lines}) "
            "ORDER BY it.occurred_at DESC, it.id DESC LIMIT 26",
            (),
        ),
        (
            "SELECT sc.id, sc.at, dl.name, f.name, t.name FROM sales_stagechange sc "
            "JOIN sales_deal dl ON dl.id = sc.deal_id "
            "LEFT JOIN sales_stage f ON f.id = sc.from_stage_id "
            "JOIN sales_stage t ON t.id = sc.to_stage_id "
            f"WHERE dl.organization_id = {org} AND dl.business_line_id IN ({lines}) "
            "ORDER BY sc.at DESC, sc.id DESC LIMIT 26",
            (),
        ),
    ]
    return card_rows(d, p, org) + timeline


def person_card(d, p):
    person = int(p.person)
    return [
        (
            f"SELECT pe.*, (SELECT {d.agg('bl.name')} FROM directory_person_business_lines pb "
            "JOIN access_businessline bl ON bl.id = pb.businessline_id "
            "WHERE pb.person_id = pe.id) FROM directory_person pe "
            f"WHERE pe.id = {person} AND {person_visible(p)}",
            (),
        ),
        (
            "SELECT kind, label, value, is_primary FROM directory_contactpoint "
            f"WHERE person_id = {person}",
            (),
        ),
        (
            "SELECT e.id, e.position, e.work_phone, e.work_email, e.ended_on, o.id, "
            f"o.short_name, {undesirable()} FROM directory_employment e "
            "JOIN directory_organization o ON o.id = e.organization_id "
            f"WHERE e.person_id = {person} AND {org_visible(p)}",
            (),
        ),
    ]


# Sales ------------------------------------------------------------------------------


def kanban(d, p):
    """The first pipeline's stages, each column's count and sum, and its first 25 cards."""
    lines, pipeline = ids(p.lines), int(p.pipeline)
    open_deals = (
        f"dl.pipeline_id = {pipeline} AND dl.closed_at IS NULL AND dl.business_line_id IN ({lines})"
    )
    return [
        (f'SELECT id, name, "order", outcome FROM sales_stage WHERE pipeline_id = {pipeline}', ()),
        (
            "SELECT dl.stage_id, dl.currency, COUNT(*), SUM(dl.amount) FROM sales_deal dl "
            f"WHERE {open_deals} GROUP BY dl.stage_id, dl.currency",
            (),
        ),
        (
            "SELECT * FROM (SELECT dl.id, dl.name, dl.amount, dl.currency, dl.expected_close, "
            "dl.stage_id, o.short_name, u.last_name, u.first_name, "
            "EXISTS (SELECT 1 FROM sales_interaction it WHERE it.deal_id = dl.id "
            "AND it.status = 'planned' AND it.due_at < %s) AS overdue, "
            "ROW_NUMBER() OVER (PARTITION BY dl.stage_id ORDER BY dl.expected_close IS NULL, "
            "dl.expected_close, dl.id DESC) AS place FROM sales_deal dl "
            "JOIN directory_organization o ON o.id = dl.organization_id "
            f"LEFT JOIN access_user u ON u.id = dl.responsible_id WHERE {open_deals}) cards "
            f"WHERE place <= {BOARD_COLUMN} ORDER BY stage_id, place",
            (p.now,),
        ),
    ]


BOARD_COLUMN = 25  # cards per column on the board


def my_work(d, p, responsible: list[int], team: bool = False):
    """Counts (up to 999) of overdue, today's and the week's planned contacts, the first 20
    overdue and the next 40 coming (the page's first rows per section), with organisation,
    responsible and deal (and for a head, overdue contacts per employee, up to 999 each)."""
    visible = f"it.status = 'planned' AND it.business_line_id IN ({ids(p.lines)})"
    planned = f"{visible} AND it.responsible_id IN ({ids(responsible)})"
    row = (
        "SELECT it.id, it.kind, it.subject, it.due_at, o.short_name, u.last_name, dl.name "
        "FROM sales_interaction it JOIN directory_organization o ON o.id = it.organization_id "
        "LEFT JOIN access_user u ON u.id = it.responsible_id "
        "LEFT JOIN sales_deal dl ON dl.id = it.deal_id "
    )
    capped = "SELECT COUNT(*) FROM (SELECT 1 FROM sales_interaction it WHERE {} LIMIT 1000) t"
    statements = [
        (capped.format(f"{planned} AND it.due_at < %s"), (p.now,)),
        (capped.format(f"{planned} AND it.due_at >= %s AND it.due_at < %s"), (p.now, p.tomorrow)),
        (
            capped.format(f"{planned} AND it.due_at >= %s AND it.due_at < %s"),
            (p.tomorrow, p.week_end),
        ),
        first_rows(d, row, visible, responsible, "it.due_at < %s", "DESC", 20, (p.now,)),
        first_rows(
            d,
            row,
            visible,
            responsible,
            "it.due_at >= %s AND it.due_at < %s",
            "",
            40,
            (p.now, p.week_end),
        ),
    ]
    if team:
        each = f"{visible} AND it.responsible_id = u.id AND it.due_at < %s"
        statements.append(
            (
                "SELECT u.id, (SELECT COUNT(*) FROM (SELECT 1 FROM sales_interaction it "
                f"WHERE {each} LIMIT 1000) t) AS n FROM access_user u "
                f"WHERE u.id IN ({ids(responsible)}) ORDER BY n DESC",
                (p.now,),
            )
        )
    return statements


def first_rows(d, row, visible, responsible, when, direction, limit, params):
    """The first `limit` of the `visible` planned contacts of `responsible` by due time.
    For a team on PostgreSQL, each employee's first rows from their index range, then
    those sorted: one ordered read of the whole team would sort every contact of the week."""

    def order(alias):
        return f"{alias}.due_at {direction}, {alias}.id {direction}"

    if not d.pg or len(responsible) == 1:
        where = f"{visible} AND it.responsible_id IN ({ids(responsible)}) AND {when}"
        return f"{row} WHERE {where} ORDER BY {order('it')} LIMIT {limit}", params
    firsts = (
        f"SELECT f.id FROM unnest(ARRAY[{ids(responsible)}]) AS r(id) CROSS JOIN LATERAL ("
        f"SELECT it.id, it.due_at FROM sales_interaction it WHERE {visible} "
        f"AND it.responsible_id = r.id AND {when} ORDER BY {order('it')} LIMIT {limit}) f "
        f"ORDER BY {order('f')} LIMIT {limit}"
    )
    return f"{row} WHERE it.id IN ({firsts}) ORDER BY {order('it')}", params


def my_work_sales(d, p):
    return my_work(d, p, [p.sales])


def my_work_head(d, p):
    return my_work(d, p, p.head_team, team=True)


# API --------------------------------------------------------------------------------


def _org_details(where: str) -> list[Statement]:
    return [
        (
            f"SELECT organization_id, kind, label, value, is_primary FROM directory_contactpoint "
            f"WHERE organization_id IN ({where})",
            (),
        ),
        (
            f"SELECT organization_id, kind, postcode, region, city, street FROM directory_address "
            f"WHERE organization_id IN ({where})",
            (),
        ),
        (
            f"SELECT organization_id, businessline_id FROM directory_organization_business_lines "
            f"WHERE organization_id IN ({where})",
            (),
        ),
    ]


def api_organizations(d, p):
    page = (
        f"SELECT o.id FROM directory_organization o WHERE {org_visible(p)} "
        f"ORDER BY o.id DESC LIMIT {PAGE + 1}"
    )
    return [
        (f"SELECT o.*, {undesirable()} FROM directory_organization o WHERE o.id IN ({page})", ()),
        *_org_details(page),
    ]


def api_organization(d, p):
    org = int(p.organization)
    return [
        (
            f"SELECT o.*, {undesirable()} FROM directory_organization o "
            f"WHERE o.id = {org} AND {org_visible(p)}",
            (),
        ),
        *_org_details(str(org)),
    ]


def _deals(where: str) -> list[Statement]:
    return [
        (f"SELECT * FROM sales_deal dl WHERE {where}", ()),
        (
            "SELECT deal_id, person_id FROM sales_deal_persons WHERE deal_id IN "
            f"(SELECT dl.id FROM sales_deal dl WHERE {where})",
            (),
        ),
    ]


def api_deals(d, p):
    return _deals(f"dl.business_line_id IN ({ids(p.lines)}) ORDER BY dl.id DESC LIMIT {PAGE + 1}")


def api_deal(d, p):
    return _deals(f"dl.id = {int(p.deal)} AND dl.business_line_id IN ({ids(p.lines)})")


def _interactions(where: str, order: str = "") -> list[Statement]:
    return [
        (f"SELECT * FROM sales_interaction it WHERE {where} {order}", ()),
        (
            "SELECT interaction_id, person_id FROM sales_interaction_persons "
            "WHERE interaction_id IN "
            f"(SELECT it.id FROM sales_interaction it WHERE {where} {order})",
            (),
        ),
    ]


def api_interactions(d, p):
    return _interactions(
        f"it.business_line_id IN ({ids(p.lines)})", f"ORDER BY it.id DESC LIMIT {PAGE + 1}"
    )


def api_interaction(d, p):
    return _interactions(
        f"it.id = {int(p.interaction)} AND it.business_line_id IN ({ids(p.lines)})"
    )


# Writes (rolled back) ---------------------------------------------------------------


def create_organization(d, p):
    """The organisation row and its line; the INN checked for duplicates first."""
    now = p.now
    returning = " RETURNING id" if d.pg else ""
    return [
        ("SELECT id FROM directory_organization WHERE inn = %s", ("7700000000",)),
        (
            "INSERT INTO directory_organization (created_at, updated_at, version, short_name, "
            "full_name, legal_form, inn, kpp, ogrn, country, website, status, notes, attributes)"
            " VALUES (%s, %s, 1, 'ООО «Пол»', '', 'ooo', '7700000000', '', '', 'RU', '', "
            f"'prospect', '', '{{}}'){returning}",
            (now, now),
        ),
        (
            "INSERT INTO directory_organization_business_lines (organization_id, businessline_id)"
            f" SELECT MAX(id), {int(p.lines[0])} FROM directory_organization",
            (),
        ),
    ]


def log_interaction(d, p):
    now = p.now
    return [
        (
            "INSERT INTO sales_interaction (created_at, updated_at, version, kind, direction, "
            "subject, notes, status, happened_at, occurred_at, business_line_id, "
            "organization_id, responsible_id, duration_minutes) VALUES (%s, %s, 1, 'call', "
            f"'out', 'Пол', '', 'done', %s, %s, {int(p.lines[0])}, {int(p.organization)}, "
            f"{int(p.sales)}, NULL)",
            (now, now, now, now),
        ),
    ]


FLOORS: dict[str, Callable[[Dialect, Picks], list[Statement]]] = {
    "list_first": list_first,
    "list_deep": list_deep,
    "list_next": list_next,
    "list_by_line": list_by_line,
    "list_by_attribute": list_by_attribute,
    "search_name": search_name,
    "search_inn": search_inn,
    "search_phone": search_phone,
    "search_email": search_email,
    "card": card,
    "dossier": dossier,
    "person_card": person_card,
    "segment": segment_page,
    "kanban": kanban,
    "my_work_sales": my_work_sales,
    "my_work_head": my_work_head,
    "api_organizations": api_organizations,
    "api_organization": api_organization,
    "api_deals": api_deals,
    "api_deal": api_deal,
    "api_interactions": api_interactions,
    "api_interaction": api_interaction,
    "api_create_organization": create_organization,
    "log_interaction": log_interaction,
}
WRITES = {"api_create_organization", "log_interaction"}


def measure(connection, dialect: Dialect, name: str, picks: Picks, repeat: int) -> float:
    """Median milliseconds of running the floor's statements (all rows fetched), after
    one untimed run that warms the caches as the app's warm-up requests do."""
    statements = [(dialect.param(sql), params) for sql, params in FLOORS[name](dialect, picks)]
    times = []
    for attempt in range(repeat + 1):
        cursor = connection.cursor()
        started = time.perf_counter()
        for sql, params in statements:
            cursor.execute(sql, params)
            if cursor.description is not None:
                cursor.fetchall()
        elapsed = time.perf_counter() - started
        if name in WRITES:
            connection.rollback()
        else:
            connection.commit()  # ends the read transaction psycopg opened
        cursor.close()
        if attempt:
            times.append(elapsed * 1000)
    return statistics.median(times)
