from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from sputnik.access import demo


class Command(BaseCommand):
    help = "Load the demo business lines, departments and one user per role (once)."

    def handle(self, *args, **options):
        logins = demo.load()
        header = _("Demo logins (password for all: %(password)s):")
        self.stdout.write(header % {"password": demo.DEMO_PASSWORD})
        for login, _password, role in logins:
            self.stdout.write(f"  {login:<16} {role}")
