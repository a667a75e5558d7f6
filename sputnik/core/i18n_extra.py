"""Strings Django shows that its own Russian catalogue lacks: marked here so that
makemessages puts them in ours, which Django reads before its own (LOCALE_PATHS)."""

from django.utils.translation import gettext_noop

EXTRA = [
    gettext_noop("- Select an option -"),  # Django 6.1's empty choice of a select
]
