"""Errors that services raise and both the UI and the API translate for the user."""

from django.core.exceptions import PermissionDenied
from django.utils import formats, timezone
from django.utils.translation import gettext as _


class StaleEdit(Exception):
    """Someone saved the record after the editor loaded it; nothing was written."""

    def __init__(self, current):
        self.current = current
        super().__init__(self.message)

    @property
    def message(self) -> str:
        who = getattr(self.current, "updated_by", None)
        name = who.short_name if who else _("another user")
        changed = getattr(self.current, "updated_at", None) or timezone.now()
        when = formats.date_format(timezone.localtime(changed), "SHORT_DATETIME_FORMAT")
        return _(
            "This record was changed by %(who)s at %(when)s while you were editing it. "
            "Your changes were not saved: reload the record and apply them again."
        ) % {"who": name, "when": when}


class NotVisibleAfterWrite(PermissionDenied):
    """A write would leave the record outside what its author may see; it is undone."""

    def __init__(self):
        super().__init__(
            _("You cannot save this: the result would be outside your business lines.")
        )
