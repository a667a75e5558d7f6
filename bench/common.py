"""What the benchmarks share: a throwaway database and the process's peak memory."""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def setup(database: str | None) -> None:
    """Django on `database` (a DATABASE_URL) or on a new temporary SQLite file, migrated."""
    os.environ.setdefault("DEBUG", "1")
    if database is None:
        database = f"sqlite:///{tempfile.mkdtemp(prefix='sputnik-bench-')}/bench.sqlite3"
    os.environ["DATABASE_URL"] = database
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sputnik.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    # DEBUG (needed for settings without a production secret) would keep every query's
    # text in memory; a worker in production does not.
    settings.DEBUG = False

    call_command("migrate", verbosity=0)


def started_up(doc: str) -> argparse.Namespace:
    """The command line of a benchmark (--rows, --database), with Django set up on it."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--database", help="a DATABASE_URL; a temporary SQLite file if none")
    args = parser.parse_args()
    setup(args.database)
    return args


def bench_user(all_lines_role: str = "read"):
    """A salesperson with one business line of their own."""
    from django.contrib.auth.models import Group

    from sputnik.access.models import BusinessLine, RoleCode, User

    line = BusinessLine.objects.create(name="Bench", code="bench")
    user = User.objects.create_user(
        "bench", password="bench-bench-42", all_lines_role=all_lines_role
    )
    user.groups.add(*Group.objects.filter(name=RoleCode.SALESPERSON))
    return user, line


def define_attributes() -> None:
    from sputnik.directory import services
    from sputnik.directory.models import AttributeDefinition

    for code, kind in (("staff", "integer"), ("founded", "date")):
        services.attribute_definition_save(
            actor=None,
            definition=AttributeDefinition(),
            target="organization",
            code=code,
            type=kind,
            label_ru=code,
            label_en=code,
        )


def peak_rss_mb() -> float:
    """The process's peak resident memory so far (Linux reports kilobytes)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e3
