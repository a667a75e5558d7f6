from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AccessConfig(AppConfig):
    name = "sputnik.access"
    label = "access"
    verbose_name = _("People and access")

    def ready(self):
        from sputnik.core import stamps
        from sputnik.core.audit import register_audited

        from . import (
            signals,  # noqa: F401 - login, logout and failed-login records
            snapshot,
        )
        from .models import BusinessLine, Department, LineMembership, Role, Substitution, User
        from .roles import roles_sync

        register_audited(BusinessLine)
        register_audited(Department)
        register_audited(Substitution)
        # Membership changes are written to the line's own history by the services.
        register_audited(Role, exclude_fields=["group", "code"])
        register_audited(
            User,
            exclude_fields=["password", "last_login", "date_joined", "is_staff"],
            m2m_fields={"groups"},
        )
        post_migrate.connect(roles_sync, sender=self)
        snapshot.connect()
        # Lines, departments and employees (with the lines they work in) are offered by
        # the lists' filter panels; a sign-in (or a new password) changes none of that.
        offered = (BusinessLine, Department, User, LineMembership)
        stamps.watch(stamps.CHOICES, *offered, unless_only=["last_login", "password"])
