"""Start the periodic background work (reminder sweep, morning digest …) that is not yet
waiting in the queue. Safe to run any number of times; `make run` runs it before the
worker starts, and a deployment runs it after each migrate."""

from django.core.management.base import BaseCommand

from sputnik.core.scheduling import PERIODIC, ensure_periodic


class Command(BaseCommand):
    help = "Enqueue the periodic tasks that have no run waiting."

    def handle(self, *args, **options):
        started = ensure_periodic()
        if options["verbosity"] == 0:
            return
        for path in PERIODIC:
            state = "started" if path in started else "already waiting"
            self.stdout.write(f"{path}: {state}", self.style.SUCCESS if path in started else None)
