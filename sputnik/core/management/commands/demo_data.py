from importlib import import_module
from importlib.util import find_spec

from django.apps import apps
from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _


class Command(BaseCommand):
    help = "Load each app's demo data once (business lines, people, organisations …)."

    def handle(self, *args, **options):
        logins = []
        for config in apps.get_app_configs():
            if config.name.startswith("sputnik.") and find_spec(f"{config.name}.demo"):
                logins += import_module(f"{config.name}.demo").load() or []
        from sputnik.access.demo import DEMO_PASSWORD

        header = _("Demo logins (password for all: %(password)s):")
        self.stdout.write(header % {"password": DEMO_PASSWORD})
        for login, _password, role in logins:
            self.stdout.write(f"  {login:<16} {role}")
