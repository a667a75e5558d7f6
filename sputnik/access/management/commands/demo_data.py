from django.core.management.base import BaseCommand

from sputnik.access import demo


class Command(BaseCommand):
    help = "Load the demo business lines, departments and one user per role (once)."

    def handle(self, *args, **options):
        logins = demo.load()
        self.stdout.write(f"Demo logins (password for all: {demo.DEMO_PASSWORD}):")
        for login, _password, role in logins:
            self.stdout.write(f"  {login:<16} {role}")
