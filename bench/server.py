"""A production-like Sputnik for the page benchmark: gunicorn with DEBUG off on a free
local port, the SQL statistics header on (SPUTNIK_QUERY_STATS=1), the database of
DATABASE_URL.

    with Server(database_url) as server:
        print(server.port)

Static files are collected once (DEBUG off renders pages through the hashed-name
manifest); they are not measured.
"""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
LOG = ROOT / "var" / "bench" / "gunicorn.log"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def production_env(database_url: str) -> dict[str, str]:
    """The environment settings.py reads for a production run on this machine."""
    env = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "DJANGO_SETTINGS_MODULE")}
    env.update(
        DATABASE_URL=database_url,
        SECRET_KEY="bench-only-secret-key-not-for-production-0123456789abcdef",
        ALLOWED_HOSTS="127.0.0.1,localhost",
        HTTPS="0",  # plain HTTP on the loopback: no redirect, cookies without Secure
        SPUTNIK_QUERY_STATS="1",
        LOG_LEVEL=os.environ.get("LOG_LEVEL", "WARNING"),
        PYTHONUNBUFFERED="1",
    )
    return env


def collect_static(env: dict[str, str]) -> None:
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--no-input", "-v0"],
        cwd=ROOT,
        env=env,
        check=True,
    )


class Server:
    """gunicorn serving sputnik.wsgi until the `with` block ends."""

    def __init__(self, database_url: str, *, workers: int = 2, port: int | None = None):
        self.database_url = database_url
        self.workers = workers
        self.port = port or free_port()
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> Server:
        env = production_env(self.database_url)
        collect_static(env)
        LOG.parent.mkdir(parents=True, exist_ok=True)
        command = [
            str(VENV_BIN / "gunicorn"),
            "sputnik.wsgi",
            f"--bind=127.0.0.1:{self.port}",
            f"--workers={self.workers}",
            "--worker-class=sync",
            "--timeout=600",  # the export and import pages may take a while
            "--keep-alive=30",
        ]
        with LOG.open("w") as log:
            self.process = subprocess.Popen(
                command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
            )
        self._wait()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def _wait(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited ({self.process.returncode}); see {LOG}")
            try:
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                connection.request("GET", "/accounts/login/")
                status = connection.getresponse().status
                connection.close()
                if status == 200:
                    return
                raise RuntimeError(f"the login page answered {status}; see {LOG}")
            except OSError:
                time.sleep(0.3)
        self.stop()
        raise RuntimeError(f"gunicorn did not answer in {timeout:.0f} s; see {LOG}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None
