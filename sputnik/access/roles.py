"""The permissions each role carries. Later apps add their models' permissions here;
`roles_sync` (run after every migrate) makes the groups match this table."""

from __future__ import annotations

from django.contrib.auth.management import create_permissions
from django.db import transaction

STRUCTURE_VIEW = [
    "access.view_businessline",
    "access.view_department",
    "access.view_linemembership",
]
LINE_MANAGEMENT = [
    "access.view_user",
    "access.change_businessline",
    "access.add_linemembership",
    "access.change_linemembership",
    "access.delete_linemembership",
]
AUDIT = ["access.view_audit", "access.view_securityevent", "auditlog.view_logentry"]


def grant(app: str, models: tuple[str, ...], actions: str = "view add change delete") -> list[str]:
    return [f"{app}.{action}_{model}" for model in models for action in actions.split()]


COUNTERPARTIES = ("organization", "person", "employment", "contactpoint", "address", "segment")
REFERENCE = ("category", "industry", "attributedefinition")
DIRECTORY_WORK = grant("directory", COUNTERPARTIES, "view add change") + grant(
    "directory", REFERENCE, "view"
)
DIRECTORY_READ = grant("directory", COUNTERPARTIES + REFERENCE + ("blacklistentry",), "view")
DIRECTORY_HEAD = DIRECTORY_WORK + grant("directory", COUNTERPARTIES, "delete")

SALES_SETUP = ("pipeline", "stage", "lossreason", "interactionresult", "transitionrule")
SALES = ("deal", "interaction")
SALES_WORK = grant("sales", SALES, "view add change") + grant("sales", SALES_SETUP, "view")
SALES_READ = grant("sales", (*SALES, *SALES_SETUP), "view")
SALES_HEAD = (
    SALES_WORK
    + grant("sales", SALES, "delete")
    + grant("access", ("substitution",), "view add change delete")
    + ["sales.hand_over"]
)

ROLE_PERMISSIONS: dict[str, list[str]] = {
    "salesperson": STRUCTURE_VIEW + DIRECTORY_WORK + SALES_WORK,
    "marketer": STRUCTURE_VIEW + DIRECTORY_WORK + SALES_READ,
    "head_of_sales": STRUCTURE_VIEW + LINE_MANAGEMENT + DIRECTORY_HEAD + SALES_HEAD,
    "head_of_marketing": STRUCTURE_VIEW + LINE_MANAGEMENT + DIRECTORY_HEAD + SALES_READ,
    "director": STRUCTURE_VIEW
    + DIRECTORY_READ
    + SALES_READ
    + ["access.view_user", "access.view_role"],
    "security_officer": STRUCTURE_VIEW
    + AUDIT
    + DIRECTORY_READ
    + grant("directory", ("blacklistentry",), "add change")
    + ["access.view_user", "access.view_role"],
    "administrator": AUDIT
    + grant("directory", COUNTERPARTIES + REFERENCE, "view add change delete")
    + grant("sales", (*SALES, *SALES_SETUP), "view add change delete")
    + grant("access", ("substitution",), "view add change delete")
    + ["sales.hand_over"]
    + grant("directory", ("blacklistentry",), "view")
    + [
        f"access.{action}_{model}"
        for model in ("user", "department", "businessline", "linemembership", "role")
        for action in ("view", "add", "change", "delete")
    ],
}


def roles_sync(app_config=None, using="default", **kwargs) -> None:
    """Create the role groups and give each exactly the permissions listed above."""
    from django.apps import apps
    from django.contrib.auth.models import Group, Permission

    from .models import Role, RoleCode

    for config in apps.get_app_configs():
        create_permissions(config, verbosity=0, using=using)
    with transaction.atomic(using=using):
        for code in RoleCode.values:
            group, _ = Group.objects.using(using).get_or_create(name=code)
            Role.objects.using(using).get_or_create(code=code, defaults={"group": group})
            wanted = [p.split(".") for p in ROLE_PERMISSIONS[code]]
            permissions = [
                Permission.objects.using(using).get(content_type__app_label=app, codename=name)
                for app, name in wanted
            ]
            group.permissions.set(permissions)
