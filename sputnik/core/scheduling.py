"""Work at a time: deferred tasks, and periodic ones that re-enqueue themselves.

There are no threads or timers in the web process: a task that must run later is
enqueued with `run_after`, and a periodic task enqueues its next run when it runs.
`manage.py schedule` (run before the worker starts) makes sure every periodic chain is
alive, and is safe to run any number of times.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.tasks import Task
from django.utils import timezone

logger = logging.getLogger(__name__)


def enqueue_at(task: Task, when: datetime | None, *args, **kwargs) -> None:
    """Run `task` at `when` (now when it has passed or is None).

    A backend that cannot defer (the immediate backend of the tests) runs due work at
    once and leaves future work to the periodic sweeps that catch it up.
    """
    if when is None or when <= timezone.now():
        task.enqueue(*args, **kwargs)
    elif task.get_backend().supports_defer:
        task.using(run_after=when).enqueue(*args, **kwargs)


@dataclass(frozen=True)
class Periodic:
    """A task without arguments that runs again at `next_run(now)` after each run."""

    task: Task
    next_run: Callable[[datetime], datetime]

    def enqueue_next(self) -> None:
        enqueue_at(self.task, self.next_run(timezone.now()))


PERIODIC: dict[str, Periodic] = {}


def periodic(next_run: Callable[[datetime], datetime]):
    """Register a task as periodic; call `reschedule(task)` at the start of its run."""

    def register(task: Task) -> Task:
        PERIODIC[task.module_path] = Periodic(task, next_run)
        return task

    return register


def every(interval: timedelta) -> Callable[[datetime], datetime]:
    return lambda now: now + interval


def daily_at(hour: int, minute: int = 0) -> Callable[[datetime], datetime]:
    """The next moment the local clock shows hour:minute."""

    def next_run(now: datetime) -> datetime:
        local = timezone.localtime(now)
        at = local.replace(hour=hour, minute=minute, second=0, microsecond=0)
        return at if at > local else at + timedelta(days=1)

    return next_run


def reschedule(task: Task) -> None:
    """Enqueue the next run of a periodic task (a backend that cannot defer skips it)."""
    entry = PERIODIC[task.module_path]
    if entry.task.get_backend().supports_defer:
        entry.enqueue_next()


def ensure_periodic() -> list[str]:
    """Start every periodic chain that has no run waiting or running; names started."""
    started = []
    for path, entry in PERIODIC.items():
        if not entry.task.get_backend().supports_defer or _waiting(path):
            continue
        entry.enqueue_next()
        started.append(path)
    return started


def _waiting(task_path: str) -> bool:
    """Whether the database backend holds a run of the task that is yet to finish."""
    try:
        from django_tasks_db.models import DBTaskResult
    except ImportError:  # another backend keeps its own queue
        return False
    return DBTaskResult.objects.filter(
        task_path=task_path, status__in=["READY", "RUNNING"]
    ).exists()
