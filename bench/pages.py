"""Page benchmark: every main page and API call of Sputnik timed over real HTTP against
gunicorn (DEBUG off) as an ordinary salesperson, with the SQL the app ran (from the
Server-Timing header of SPUTNIK_QUERY_STATS) and the floor — the hand-written SQL giving
the same information (bench/floors.py) — plus the Excel export and import benchmarks.

    .venv/bin/python bench/pages.py --database sqlite:///var/bench/scale-100k.sqlite3
    .venv/bin/python bench/pages.py --database postgres://…/sputnik --scale 1m

It signs in as `bench.sales` (and `bench.head` for the team view) — the users the
`seed_scale` command creates — or, on a database without them (the demo), as the
salesperson and the head of sales it finds. Prints one table and writes it as JSON to
var/bench/results-<scale>-<vendor>.json (and --json).

The app's SQL time is what `cursor.execute` took inside the server. On PostgreSQL that
includes reading every row; on SQLite rows are stepped later, while Django fetches them,
so there the app's figure (and its ratio to the floor, which fetches all rows) is low.
"""

from __future__ import annotations

import argparse
import datetime
import http.client
import json
import math
import os
import platform
import re
import statistics
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
sys.path[:0] = [str(ROOT), str(BENCH)]

import floors  # noqa: E402
from server import Server  # noqa: E402

TIMING = re.compile(r'db;dur=(?P<ms>[\d.]+);desc="(?P<count>\d+) queries"')
PASSWORD = "bench-Pages-2024!"  # noqa: S105 - set on the bench users of a bench database
TARGETS = {"page": 50, "api": 50, "write": 50, "search": 100}
RATIO_TARGET = 2.0
EXPORT_TARGET, IMPORT_TARGET, MEMORY_TARGET = 20_000, 5_000, 300


# HTTP -------------------------------------------------------------------------------


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes
    ms: float

    def stats(self) -> tuple[int | None, float | None]:
        found = TIMING.search(self.headers.get("server-timing", ""))
        return (int(found["count"]), float(found["ms"])) if found else (None, None)


class Browser:
    """One keep-alive connection with its cookies (a session) or an API token."""

    def __init__(self, port: int, token: str = ""):
        self.port, self.token = port, token
        self.cookies: dict[str, str] = {}
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=600)

    def request(self, method: str, path: str, body=None, headers=None) -> Answer:
        sent = {"Accept-Language": "ru", **(headers or {})}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if self.token:
            sent["Authorization"] = f"Token {self.token}"
        if isinstance(body, dict):
            body = json.dumps(body).encode()
            sent["Content-Type"] = "application/json"
        for attempt in (1, 2):
            try:
                started = time.perf_counter()
                self.connection.request(method, path, body=body, headers=sent)
                response = self.connection.getresponse()
                data = response.read()
                ms = (time.perf_counter() - started) * 1000
                break
            except (http.client.RemoteDisconnected, ConnectionError):
                self.connection.close()  # the worker closed an idle connection: reconnect
                if attempt == 2:
                    raise
        for value in response.msg.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(value).items():
                self.cookies[name] = morsel.value
        headers = {k.lower(): v for k, v in response.getheaders()}
        return Answer(response.status, headers, data, ms)

    def form(self, path: str, fields: dict, referer_path: str | None = None) -> Answer:
        """POST a form the way a browser does, with the CSRF token of the session."""
        token = self.cookies.get("csrftoken", "")
        body = urlencode({"csrfmiddlewaretoken": token, **fields}, doseq=True).encode()
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "X-CSRFToken": token,
            "Referer": f"http://127.0.0.1:{self.port}{referer_path or path}",
        }
        return self.request("POST", path, body, headers)

    def sign_in(self, username: str, password: str) -> None:
        """Through the real login page (and the one-time-code step if the user has one)."""
        page = self.request("GET", "/accounts/login/")
        assert page.status == 200, f"login page: {page.status}"
        answer = self.form("/accounts/login/", {"username": username, "password": password})
        if answer.status != 302:
            raise RuntimeError(f"{username} could not sign in ({answer.status})")
        location = answer.headers.get("location", "")
        if "/accounts/otp/" in location:
            self.request("GET", "/accounts/otp/")
            answer = self.form("/accounts/otp/", {"token": one_time_code(username)})
            if answer.status != 302:
                raise RuntimeError(f"{username}: the one-time code was refused")


def one_time_code(username: str) -> str:
    from django_otp.oath import TOTP
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user__username=username, confirmed=True).first()
    if device is None:
        raise RuntimeError(f"{username} must set up a second factor: pick another user")
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


# Picking users and records ----------------------------------------------------------


def setup_django(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DEBUG", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sputnik.settings")
    import django

    django.setup()
    from django.conf import settings

    settings.DEBUG = False  # no query log in the bench process


def bench_users():
    """(salesperson, head of sales): the seeded bench users, or the demo's."""
    from django.db.models import Count, Q

    from sputnik.access.models import RoleCode, User

    users = User.objects.filter(is_active=True)
    sales = users.filter(username="bench.sales").first()
    head = users.filter(username="bench.head").first()
    if sales is None:
        sales = (
            users.filter(groups__name=RoleCode.SALESPERSON, all_lines_role="")
            .annotate(lines=Count("line_memberships", filter=Q(line_memberships__role="write")))
            .filter(lines=1)
            .order_by("pk")
            .first()
        )
    if head is None:
        head = users.filter(groups__name=RoleCode.HEAD_OF_SALES).order_by("pk").first()
    if sales is None or head is None:
        raise SystemExit("No salesperson with one line or no head of sales: seed the database.")
    for user in (sales, head):
        user.set_password(PASSWORD)
        user.save(update_fields=["password"])
    return sales, head


def api_token(user) -> str:
    from rest_framework.authtoken.models import Token

    return Token.objects.get_or_create(user=user)[0].key


def bench_segment(user, lines) -> tuple[int, dict]:
    """A dynamic list of the salesperson's clients in their most common industry."""
    from django.db.models import Count

    from sputnik.directory import services
    from sputnik.directory.models import Organization, Segment

    name = "Бенчмарк: клиенты отрасли"
    found = Segment.objects.filter(owner=user, name=name, dynamic=True).first()
    if found is not None:
        return found.pk, found.criteria
    visible = Organization.objects.restrict(user).filter(industry__isnull=False)
    top = visible.values("industry").annotate(n=Count("pk")).order_by("-n", "industry").first()
    criteria = {"status": "client", **({"industry": str(top["industry"])} if top else {})}
    segment = services.segment_create(
        actor=user,
        name=name,
        kind="organizations",
        business_lines=lines,
        dynamic=True,
        criteria=criteria,
    )
    return segment.pk, segment.criteria


def name_fragment(name: str) -> str:
    """The longest word of a name (a legal form and quotes left out), as a user types it."""
    words = re.findall(r"[A-Za-zА-Яа-яЁё]{4,}", name)
    words = [w for w in words if w.lower() not in {"общество", "ограниченной", "ответственностью"}]
    return max(words, key=len) if words else name[:5]


def pick(sales, head) -> tuple[floors.Picks, dict]:
    """The records every operation uses, chosen by query, deterministically."""
    from django.db.models import Count
    from django.utils import timezone

    from sputnik.access.models import BusinessLine
    from sputnik.directory.models import (
        AttributeDefinition,
        ContactPoint,
        Employment,
        Organization,
        Person,
    )
    from sputnik.sales.models import Deal, Interaction, Pipeline
    from sputnik.sales.work_views import day_start, team_of

    lines = sorted(BusinessLine.objects.restrict(sales).values_list("pk", flat=True))
    orgs = Organization.objects.restrict(sales).order_by("pk")
    total = orgs.count()
    if not total:
        raise SystemExit(f"{sales.username} sees no organisation: seed the database.")
    organization = orgs[total // 2]
    heavy = (
        Interaction.objects.restrict(sales)
        .values("organization")
        .annotate(n=Count("pk"))
        .order_by("-n", "organization")
        .first()
    )
    people = Employment.objects.restrict(sales).filter(ended_on__isnull=True)
    job = (
        people.filter(organization=organization).order_by("pk").first()
        or people.order_by("pk").first()
    )
    person = job.person_id if job else Person.objects.restrict(sales).order_by("pk").first().pk
    phone = (
        ContactPoint.objects.restrict(sales)
        .filter(kind="phone", organization__isnull=False)
        .order_by("pk")
        .first()
    )
    email = ContactPoint.objects.restrict(sales).filter(kind="email").order_by("pk").first()
    attribute = (
        AttributeDefinition.objects.filter(target="organization", type="integer", is_active=True)
        .order_by("pk")
        .first()
    )
    pipeline = Pipeline.objects.restrict(sales).filter(is_active=True).first()
    team = team_of(head) or []
    now = timezone.now()
    today = timezone.localdate()
    segment, criteria = bench_segment(sales, lines)
    from sputnik.core.pagination import CappedPaginator

    picks = floors.Picks(
        lines=lines,
        sales=sales.pk,
        head_team=[head.pk, *(u.pk for u in team)],
        organization=organization.pk,
        heavy=heavy["organization"] if heavy else organization.pk,
        person=person,
        segment_criteria=criteria,
        count_cap=CappedPaginator.cap,
        attribute=attribute.code if attribute else "",
        deep_offset=0,
        name_fragment=name_fragment(organization.short_name),
        inn=organization.inn,
        phone=phone.value if phone else "+74950000000",
        email=email.value if email else "nobody@example.com",
        pipeline=pipeline.pk if pipeline else 0,
        deal=Deal.objects.restrict(sales).order_by("-pk").values_list("pk", flat=True).first() or 0,
        interaction=Interaction.objects.restrict(sales)
        .order_by("-pk")
        .values_list("pk", flat=True)
        .first()
        or 0,
        now=now.isoformat(),
        tomorrow=day_start(today + datetime.timedelta(days=1)).isoformat(),
        week_end=day_start(today + datetime.timedelta(days=8)).isoformat(),
    )
    pages = min(total, picks.count_cap) // floors.PAGE
    deep_page = max(1, min(1000, pages))
    picks.deep_offset = (deep_page - 1) * floors.PAGE
    picks.deep_after, deep_next = ("", 0), "1"
    if deep_page > 1:  # the link "Next" of the page before leads there from its last row
        paginator = CappedPaginator(Organization.objects.restrict(sales), floors.PAGE)
        before = paginator.page(deep_page - 1)
        last = before[len(before) - 1]
        picks.deep_after, deep_next = (last.short_name, last.pk), before.next_param()
    extra = {
        "segment": segment,
        "deep_page": deep_page,
        "deep_next": deep_next,
        "visible_organizations": total,
    }
    return picks, extra


INN_OFFICE = 9900  # a tax office code no seeded organisation uses


class InnSource:
    """Valid, unused company INNs for the organisations the benchmark creates."""

    def __init__(self):
        from sputnik.directory.models import Organization

        prefix = f"{INN_OFFICE}"
        used = Organization.objects.filter(inn__startswith=prefix).values_list("inn", flat=True)
        self.serial = max((int(inn[4:9]) for inn in used if len(inn) == 10), default=0)

    def __call__(self) -> str:
        from sputnik.directory.demo import company_inn

        self.serial += 1
        return company_inn(str(INN_OFFICE), self.serial)


# Operations -------------------------------------------------------------------------


@dataclass
class Operation:
    name: str
    label: str
    kind: str  # page, search, api, write
    who: str  # sales, head, api
    method: str
    path: str
    body: object = None  # a dict, or a callable giving one per request
    ok: tuple[int, ...] = (200,)
    headers: dict = field(default_factory=dict)


def operations(p: floors.Picks, extra: dict, inns: InnSource) -> list[Operation]:
    attribute = f"attr_{p.attribute}" if p.attribute else ""
    line = p.lines[0]
    now = datetime.datetime.now(datetime.UTC).isoformat()
    ops = [
        Operation(
            "list_first", "Organisations, first page", "page", "sales", "GET", "/organizations/"
        ),
        Operation(
            "list_deep",
            f"Organisations, page {extra['deep_page']}",
            "page",
            "sales",
            "GET",
            f"/organizations/?page={extra['deep_page']}",
        ),
        Operation(
            "list_next",
            f"Organisations, page {extra['deep_page']} by “Next”",
            "page",
            "sales",
            "GET",
            "/organizations/?" + urlencode({"page": extra["deep_next"]}),
        ),
        Operation(
            "list_by_line",
            "Organisations by business line",
            "page",
            "sales",
            "GET",
            f"/organizations/?business_line={line}",
        ),
    ]
    if attribute:
        ops.append(
            Operation(
                "list_by_attribute",
                f"Organisations sorted by {attribute}",
                "page",
                "sales",
                "GET",
                f"/organizations/?o={attribute}",
            )
        )
    ops += [
        Operation(
            "search_name",
            f"Search: name «{p.name_fragment}»",
            "search",
            "sales",
            "GET",
            "/search/?" + urlencode({"q": p.name_fragment}),
        ),
        Operation(
            "search_inn",
            "Search: INN",
            "search",
            "sales",
            "GET",
            "/search/?" + urlencode({"q": p.inn}),
        ),
        Operation(
            "search_phone",
            "Search: phone",
            "search",
            "sales",
            "GET",
            "/search/?" + urlencode({"q": p.phone}),
        ),
        Operation(
            "search_email",
            "Search: e-mail",
            "search",
            "sales",
            "GET",
            "/search/?" + urlencode({"q": p.email}),
        ),
        Operation(
            "card", "Organisation card", "page", "sales", "GET", f"/organizations/{p.organization}/"
        ),
        Operation(
            "dossier",
            "Dossier (most contacts)",
            "page",
            "sales",
            "GET",
            f"/organizations/{p.heavy}/dossier/",
        ),
        Operation("person_card", "Person card", "page", "sales", "GET", f"/persons/{p.person}/"),
        Operation(
            "segment",
            "Dynamic list: count + first page",
            "page",
            "sales",
            "GET",
            f"/lists/{extra['segment']}/",
        ),
    ]
    if p.pipeline:
        ops.append(
            Operation(
                "kanban", "Kanban", "page", "sales", "GET", f"/deals/board/?pipeline={p.pipeline}"
            )
        )
    ops += [
        Operation("my_work_sales", "My work (salesperson)", "page", "sales", "GET", "/work/"),
        Operation(
            "my_work_head", "My work (head, team)", "page", "head", "GET", "/work/?employee=team"
        ),
        Operation(
            "api_organizations",
            "API: organisations list",
            "api",
            "api",
            "GET",
            "/api/v1/organizations/",
        ),
        Operation(
            "api_organization",
            "API: organisation",
            "api",
            "api",
            "GET",
            f"/api/v1/organizations/{p.organization}/",
        ),
        Operation("api_deals", "API: deals list", "api", "api", "GET", "/api/v1/deals/"),
        Operation(
            "api_interactions",
            "API: interactions list",
            "api",
            "api",
            "GET",
            "/api/v1/interactions/",
        ),
    ]
    if p.deal:
        ops.append(
            Operation("api_deal", "API: deal", "api", "api", "GET", f"/api/v1/deals/{p.deal}/")
        )
    if p.interaction:
        ops.append(
            Operation(
                "api_interaction",
                "API: interaction",
                "api",
                "api",
                "GET",
                f"/api/v1/interactions/{p.interaction}/",
            )
        )
    ops += [
        Operation(
            "api_create_organization",
            "API: create organisation",
            "write",
            "api",
            "POST",
            "/api/v1/organizations/",
            body=lambda: {
                "short_name": f"ООО «Бенчмарк {time.time_ns()}»",
                "inn": inns(),
                "business_lines": [line],
            },
            ok=(201,),
        ),
        Operation(
            "log_interaction",
            "Log a contact (API)",
            "write",
            "api",
            "POST",
            "/api/v1/interactions/",
            body=lambda: {
                "organization": p.organization,
                "business_line": line,
                "kind": "call",
                "direction": "out",
                "status": "done",
                "subject": "Бенчмарк: звонок",
                "happened_at": now,
            },
            ok=(201,),
        ),
    ]
    return ops


@dataclass
class Row:
    name: str
    label: str
    kind: str
    p50: float | None = None
    p95: float | None = None
    max: float | None = None
    queries: int | None = None
    queries_range: tuple[int, int] | None = None
    sql_ms: float | None = None
    floor_ms: float | None = None
    ratio: float | None = None
    target: str = ""
    met: bool | None = None
    error: str = ""
    figures: dict = field(default_factory=dict)


def percentile(values: list[float], share: float) -> float:
    """The nearest-rank percentile: the smallest value with `share` of them at or below
    it (p95 of 20 is the 19th; `round()` would have rounded 19.5 to the 20th, the max)."""
    ordered = sorted(values)
    rank = math.ceil(round(share * len(ordered), 9))
    return ordered[min(len(ordered), max(1, rank)) - 1]


def run_operation(op: Operation, browser: Browser, repeat: int, warmup: int) -> Row:
    row = Row(op.name, op.label, op.kind)
    times, counts, sql = [], [], []
    for attempt in range(warmup + repeat):
        body = op.body() if callable(op.body) else op.body
        answer = browser.request(op.method, op.path, body, op.headers)
        if answer.status not in op.ok:
            snippet = answer.body[:300].decode("utf-8", "replace").replace("\n", " ")
            row.error = f"{op.method} {op.path} → {answer.status}: {snippet}"
            return row
        if attempt >= warmup:
            times.append(answer.ms)
            count, ms = answer.stats()
            if count is not None:
                counts.append(count)
                sql.append(ms)
    row.p50, row.p95, row.max = statistics.median(times), percentile(times, 0.95), max(times)
    if counts:
        row.queries = int(statistics.median(counts))
        row.queries_range = (min(counts), max(counts))
        row.sql_ms = statistics.median(sql)
    limit = TARGETS[op.kind]
    row.target = f"p95 ≤ {limit} ms, ratio ≤ {RATIO_TARGET:g}"
    return row


def add_floor(row: Row, connection, dialect, picks, repeat: int) -> None:
    if row.error or row.name not in floors.FLOORS:
        return
    try:
        row.floor_ms = floors.measure(connection, dialect, row.name, picks, repeat)
    except Exception as error:  # a floor that does not run is reported, not fatal
        connection.rollback()
        row.error = f"floor: {error}"
        return
    if row.sql_ms is not None and row.floor_ms:
        row.ratio = row.sql_ms / row.floor_ms
    limit = TARGETS[row.kind]
    row.met = row.p95 <= limit and (row.ratio is None or row.ratio <= RATIO_TARGET)


# Export and import (bench/export.py, bench/imports.py) -------------------------------


def file_benchmarks(database_url: str, export_rows: int, import_rows: int) -> list[Row]:
    """The export and import benchmarks in their own throwaway database of the same kind
    (they create their own bench user and line), folded into the table."""
    rows = []
    with scratch_database(database_url) as scratch:
        for script, count, name in (
            ("export.py", export_rows, "export"),
            ("imports.py", import_rows, "import"),
        ):
            if count:
                rows.append(file_benchmark(script, count, name, scratch))
    return rows


class scratch_database:
    """A temporary SQLite file, or a temporary PostgreSQL database beside the bench one."""

    def __init__(self, database_url: str):
        self.url = database_url
        self.pg = database_url.startswith(("postgres://", "postgresql://"))
        self.made: list[str] = []

    def __enter__(self):
        return self

    def make(self) -> str | None:
        if not self.pg:
            return None  # the scripts make a temporary SQLite file themselves
        import psycopg

        name = f"sputnik_bench_scratch_{os.getpid()}_{len(self.made)}"
        with psycopg.connect(self.url, autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
        self.made.append(name)
        return urlsplit(self.url)._replace(path=f"/{name}").geturl()

    def __exit__(self, *exc):
        if not self.made:
            return
        import psycopg

        with psycopg.connect(self.url, autocommit=True) as admin:
            for name in self.made:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}"')


def file_benchmark(script: str, count: int, name: str, scratch: scratch_database) -> Row:
    label = f"Excel export, {count:,} rows" if name == "export" else f"Import, {count:,} rows"
    row = Row(name, label, name, target="")
    command = [sys.executable, str(BENCH / script), "--rows", str(count)]
    database = scratch.make()
    if database:
        command += ["--database", database]
    env = {**os.environ, "DEBUG": "1"}
    env.pop("DATABASE_URL", None)
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    output = done.stdout + done.stderr
    row.figures["output"] = done.stdout.strip().splitlines()
    if done.returncode:
        row.error = f"{script} failed: {output.strip().splitlines()[-1:]}"
        return row
    pattern = (
        r"(?:exported|imported \(checked again and written\)) [\d,]+ rows in [\d.]+ s: ([\d,]+)"
    )
    rate = re.search(pattern, output)
    memory = re.findall(r"(\d+) MB after", output)
    row.figures["rows_per_s"] = float(rate[1].replace(",", "")) if rate else None
    row.figures["peak_mb"] = float(memory[-1]) if memory else None
    target = EXPORT_TARGET if name == "export" else IMPORT_TARGET
    row.target = f"≥ {target:,} rows/s, ≤ {MEMORY_TARGET} MB"
    rate_value, peak = row.figures["rows_per_s"], row.figures["peak_mb"]
    row.met = bool(rate_value and peak and rate_value >= target and peak <= MEMORY_TARGET)
    return row


# Machine and data -------------------------------------------------------------------


def machine(connection, vendor: str) -> dict:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        kb = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text())[1])
    except OSError:
        kb = 0
    cursor = connection.cursor()
    cursor.execute("SELECT version()" if vendor == "postgresql" else "SELECT sqlite_version()")
    version = cursor.fetchone()[0]
    connection.commit()
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "ram_gb": round(kb / 1024 / 1024, 1),
        "python": platform.python_version(),
        "database": f"{vendor} {version}",
        "os": platform.platform(),
        # Other work on the machine skews every figure: the 1/5/15-minute load averages.
        "load_average": [round(load, 2) for load in os.getloadavg()],
    }


SIZED = [
    "directory_organization",
    "directory_person",
    "directory_employment",
    "directory_contactpoint",
    "sales_deal",
    "sales_interaction",
    "directory_segment",
    "access_user",
]


def data_sizes(connection) -> dict[str, int]:
    sizes = {}
    cursor = connection.cursor()
    for table in SIZED:
        cursor.execute(f"SELECT COUNT(*) FROM {table}")  # noqa: S608 - fixed table names
        sizes[table] = cursor.fetchone()[0]
    connection.commit()
    return sizes


def raw_connection(database_url: str):
    """A DB-API connection of the bench process, apart from Django's."""
    from django.db import connection

    settings = connection.settings_dict
    if connection.vendor == "postgresql":
        import psycopg

        return psycopg.connect(database_url), "postgresql"
    import sqlite3

    raw = sqlite3.connect(settings["NAME"])
    raw.execute("PRAGMA journal_mode=WAL")
    return raw, "sqlite"


# Output -----------------------------------------------------------------------------


def fmt(value, digits: int = 1) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    return str(value)


def table(rows: list[Row]) -> str:
    header = [
        "operation", "p50", "p95", "max", "queries", "SQL ms", "floor ms", "ratio",
        "rows/s", "peak MB", "target", "met?",
    ]  # fmt: skip
    lines = []
    for row in rows:
        queries = fmt(row.queries)
        if row.queries_range and row.queries_range[0] != row.queries_range[1]:
            queries += f" ({row.queries_range[0]}–{row.queries_range[1]})"
        cells = [
            row.label, fmt(row.p50), fmt(row.p95), fmt(row.max), queries, fmt(row.sql_ms),
            fmt(row.floor_ms, 2), fmt(row.ratio), fmt(row.figures.get("rows_per_s"), 0),
            fmt(row.figures.get("peak_mb"), 0), row.target,
            "ERROR" if row.error else {True: "yes", False: "NO", None: "—"}[row.met],
        ]  # fmt: skip
        lines.append(cells)
    widths = [max(len(str(c)) for c in column) for column in zip(header, *lines, strict=True)]
    out = [" | ".join(h.ljust(w) for h, w in zip(header, widths, strict=True))]
    out.append("-+-".join("-" * w for w in widths))
    out += [
        " | ".join(str(c).ljust(w) for c, w in zip(cells, widths, strict=True)) for cells in lines
    ]
    errors = [f"  {row.label}: {row.error}" for row in rows if row.error]
    return "\n".join(out + (["", "Errors:", *errors] if errors else []))


# The data set ------------------------------------------------------------------------


def manage(database_url: str, *command: str) -> None:
    env = {**os.environ, "DEBUG": "1", "DATABASE_URL": database_url}
    subprocess.run([sys.executable, "manage.py", *command], cwd=ROOT, env=env, check=True)


def prepared(database_url: str | None, scale: str) -> str:
    """The database to measure, seeded at `scale` first if it has no organisations: a
    SQLite file under var/bench/ (built once, reused when complete) unless a DATABASE_URL
    is given."""
    if not database_url:
        path = ROOT / "var" / "bench" / f"scale-{scale}.sqlite3"
        complete = path.with_name(path.name + ".complete")
        if not complete.exists():
            building = path.with_name(path.name + ".building")
            for leftover in (building, Path(f"{building}-wal"), Path(f"{building}-shm")):
                leftover.unlink(missing_ok=True)
            url = f"sqlite:///{building}"
            print(f"building {path} (seed_scale --scale {scale}) …", flush=True)
            manage(url, "migrate", "--no-input", "-v0")
            manage(url, "seed_scale", "--scale", scale)
            manage(url, "shell", "-c", "from django.db import connection as c; "
                   "c.cursor().execute('PRAGMA journal_mode=DELETE')")  # fmt: skip
            building.replace(path)
            complete.write_text(datetime.datetime.now(datetime.UTC).isoformat())
        url = f"sqlite:///{path}"
        manage(url, "migrate", "--no-input", "-v0")  # a data set built before newer indexes
        return url
    manage(database_url, "migrate", "--no-input", "-v0")
    if not organizations_in(database_url):
        print(f"seeding the empty database (seed_scale --scale {scale}) …", flush=True)
        manage(database_url, "seed_scale", "--scale", scale)
    return database_url


def organizations_in(database_url: str) -> bool:
    if database_url.startswith(("postgres://", "postgresql://")):
        import psycopg

        with psycopg.connect(database_url) as connection:
            found = connection.execute("SELECT EXISTS (SELECT 1 FROM directory_organization)")
            return bool(found.fetchone()[0])
    import sqlite3

    connection = sqlite3.connect(database_url.removeprefix("sqlite:///"))
    try:
        return bool(connection.execute("SELECT 1 FROM directory_organization LIMIT 1").fetchone())
    finally:
        connection.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database",
        default=os.environ.get("DATABASE_URL"),
        help="the DATABASE_URL of a seeded database (default: $DATABASE_URL)",
    )
    parser.add_argument(
        "--scale",
        default=os.environ.get("BENCH_SCALE", "custom"),
        help="a label for the data size (100k, 1m …), used in the file name",
    )
    parser.add_argument("--repeat", type=int, default=30, help="timed requests per operation")
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--export-rows", type=int, default=10_000, help="0 skips the export")
    parser.add_argument("--import-rows", type=int, default=100_000, help="0 skips the import")
    parser.add_argument("--only", nargs="*", help="names of operations to run")
    parser.add_argument("--json", help="also write the results here")
    parser.add_argument(
        "--prepare",
        action="store_true",
        help="seed the database at --scale first if it is empty (without a database: build "
        "var/bench/scale-<scale>.sqlite3 once)",
    )
    args = parser.parse_args()
    if args.prepare:
        args.database = prepared(args.database, args.scale)
    if not args.database:
        raise SystemExit("--database (or DATABASE_URL) is required")

    setup_django(args.database)
    sales, head = bench_users()
    token = api_token(sales)
    picks, extra = pick(sales, head)
    inns = InnSource()
    connection, vendor = raw_connection(args.database)
    dialect = floors.Dialect(vendor)
    info = {"machine": machine(connection, vendor), "data": data_sizes(connection)}
    print(f"{info['machine']['database']}; {info['data']}", flush=True)
    print(f"as {sales.username} (lines {picks.lines}) and {head.username}", flush=True)

    rows: list[Row] = []
    with Server(args.database, workers=args.workers) as server:
        browsers = {
            "sales": Browser(server.port),
            "head": Browser(server.port),
            "api": Browser(server.port, token),
        }
        browsers["sales"].sign_in(sales.username, PASSWORD)
        browsers["head"].sign_in(head.username, PASSWORD)
        for op in operations(picks, extra, inns):
            if args.only and op.name not in args.only:
                continue
            row = run_operation(op, browsers[op.who], args.repeat, args.warmup)
            add_floor(row, connection, dialect, picks, args.repeat)
            print(
                f"  {row.label}: p95 {fmt(row.p95)} ms, {fmt(row.queries)} queries, "
                f"SQL {fmt(row.sql_ms)} ms, floor {fmt(row.floor_ms, 2)} ms"
                + (f" — {row.error}" if row.error else ""),
                flush=True,
            )
            rows.append(row)
    only_files = not args.only or {"export", "import"} & set(args.only)
    if only_files:
        print("  export and import …", flush=True)
        rows += file_benchmarks(args.database, args.export_rows, args.import_rows)

    print()
    print(table(rows))
    result = {
        "scale": args.scale,
        "vendor": vendor,
        "when": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "users": {"sales": sales.username, "head": head.username},
        "repeat": args.repeat,
        "picks": asdict(picks),
        **extra,
        **info,
        "rows": [asdict(row) for row in rows],
    }
    out = ROOT / "var" / "bench" / f"results-{args.scale}-{vendor}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    for path in filter(None, [out, args.json and Path(args.json)]):
        Path(path).write_text(json.dumps(result, ensure_ascii=False, indent=2, default=str))
    print(f"\nwritten {out}" + (f" and {args.json}" if args.json else ""))


if __name__ == "__main__":
    main()
