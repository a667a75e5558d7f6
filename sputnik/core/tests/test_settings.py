"""Production settings: secret required, strong hashing, no deploy-check warnings."""

import gc
import importlib
import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings
from django.core.signals import request_finished

from sputnik.core import collection

ROOT = Path(__file__).resolve().parents[3]


def run_manage(*args, **env):
    unwanted = {"DEBUG", "SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    environment = {k: v for k, v in os.environ.items() if k not in unwanted}
    environment.update(env)
    return subprocess.run(
        [sys.executable, "-W", "ignore", "manage.py", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_refuses_to_start_without_secret_key():
    result = run_manage("check", DEBUG="0")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_deploy_check_is_clean_with_production_settings(tmp_path):
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="0",
        SECRET_KEY="x" * 64 + "production-secret-0123456789",
        ALLOWED_HOSTS="crm.example.com",
        DATABASE_URL=f"sqlite:///{tmp_path / 'deploy.sqlite3'}",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_web_processes_keep_their_database_connection_on_both_databases(tmp_path):
    """A new SQLite connection per request parsed the schema again, ran the pragmas and
    started with a cold page cache: ~6 ms of every request."""
    show = "from django.conf import settings; print(settings.DATABASES['default']['CONN_MAX_AGE'])"
    for url in (f"sqlite:///{tmp_path / 'kept.sqlite3'}", "postgres://crm@db.example.com/crm"):
        result = run_manage("shell", "-c", show, DEBUG="1", DATABASE_URL=url)
        assert result.returncode == 0, result.stderr
        assert int(result.stdout.strip().splitlines()[-1]) >= 60


def test_sqlite_connections_keep_8_mb_of_pages_and_cut_their_log_back(tmp_path):
    """The default 2 MB let one page's reads evict each other (the board's cards, a
    search's names); a connection kept open keeps the write-ahead log, so it is cut back
    to 64 MB after each checkpoint."""
    show = (
        "from django.db import connection; cursor = connection.cursor(); "
        "print(cursor.execute('PRAGMA cache_size').fetchone()[0], "
        "cursor.execute('PRAGMA journal_size_limit').fetchone()[0])"
    )
    url = f"sqlite:///{tmp_path / 'cached.sqlite3'}"
    result = run_manage("shell", "-c", show, DEBUG="1", DATABASE_URL=url)
    assert result.returncode == 0, result.stderr
    pages, log = map(int, result.stdout.strip().splitlines()[-1].split())
    assert pages <= -8192  # negative: KiB
    assert 0 < log <= 64 * 1024 * 1024


def test_argon2_hashes_new_passwords_in_production():
    production = [h for h in settings.PASSWORD_HASHERS if "MD5" not in h]
    assert production[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"


def test_secure_headers_on_every_page(client, db):
    response = client.get("/accounts/login/")
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "script-src 'self' 'nonce-" in policy
    assert "frame-ancestors 'none'" in policy


def test_the_web_process_freezes_what_it_started_with():
    """Full garbage collections skip the objects made at start-up and run between
    requests (sputnik/wsgi.py)."""
    gc.unfreeze()
    sys.modules.pop("sputnik.wsgi", None)
    thresholds = gc.get_threshold()
    try:
        assert gc.get_freeze_count() == 0
        importlib.import_module("sputnik.wsgi")
        assert gc.get_freeze_count() > 10_000
        assert gc.get_threshold()[2] == collection.IN_REQUEST_AFTER
        assert collection.collect_between_requests in request_finished._live_receivers(None)[0]
    finally:
        gc.unfreeze()
        gc.set_threshold(*thresholds)
        request_finished.disconnect(dispatch_uid=collection.__name__)
