"""Pages for business lines, employees, departments and roles."""

from __future__ import annotations

from auditlog.models import LogEntry
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic.detail import SingleObjectMixin

from sputnik.core.roles import LineRole, line_access
from sputnik.core.views import (
    ObjectCreateView,
    ObjectDetailView,
    ObjectListView,
    ObjectUpdateView,
    RestrictedMixin,
)

from . import services
from .filters import BusinessLineFilter, UserFilter
from .forms import BusinessLineForm, DepartmentForm, MembershipForm, UserForm
from .models import BusinessLine, Department, LineMembership, Role, User

# Business lines ---------------------------------------------------------------------


class LineListView(ObjectListView):
    model = BusinessLine
    filterset_class = BusinessLineFilter
    template_name = "access/line_list.html"

    def restricted_queryset(self):
        return super().restricted_queryset().prefetch_related("memberships")


class LineDetailView(ObjectDetailView):
    model = BusinessLine
    template_name = "access/line_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        line = self.object
        user = self.request.user
        can_manage = line_access(user).role_on(line.pk) == LineRole.MANAGE
        context["memberships"] = line.memberships.select_related("user").order_by(
            "user__last_name", "user__first_name"
        )
        context["my_role"] = line_access(user).role_on(line.pk)
        context["can_edit"] = can_manage and user.has_perm("access.change_businessline")
        context["can_manage_members"] = can_manage and user.has_perm("access.add_linemembership")
        if context["can_manage_members"]:
            context["membership_form"] = MembershipForm(
                users=User.objects.filter(is_active=True).exclude(line_memberships__line=line)
            )
            context["role_choices"] = LineRole.choices
        return context


class LineCreateView(ObjectCreateView):
    model = BusinessLine
    form_class = BusinessLineForm
    template_name = "access/line_form.html"
    success_message = gettext_lazy("Business line “%(object)s” created.")

    def perform(self, form):
        data = form.cleaned_data
        return services.line_create(
            actor=self.request.user,
            name=data["name"],
            code=data["code"],
            description=data["description"],
        )


class LineUpdateView(ObjectUpdateView):
    model = BusinessLine
    form_class = BusinessLineForm
    template_name = "access/line_form.html"
    success_message = gettext_lazy("Business line “%(object)s” saved.")

    def perform(self, form):
        return services.line_update(
            actor=self.request.user,
            line=self.object,
            expected_version=form.cleaned_data["version"],
            **form.changes(),
        )


class LineMembersView(RestrictedMixin, View):
    """Add a member, change a member's role or remove a member (line managers)."""

    model = LineMembership
    action = "change"

    def post(self, request, pk):
        line = get_object_or_404(BusinessLine.objects.restrict(request.user, "view"), pk=pk)
        if not request.user.has_perm("access.add_linemembership") or (
            line_access(request.user).role_on(line.pk) != LineRole.MANAGE
        ):
            raise PermissionDenied(_("Only managers of this line change its members."))
        try:
            notice, failed = self._apply(request, line), False
        except ValidationError as error:
            notice, failed = " ".join(error.messages), True
        if request.htmx:  # answer with the members panel only, the notice inside it
            view = LineDetailView(request=request, kwargs={"pk": line.pk})
            view.object = line
            context = view.get_context_data(object=line, member_notice=notice, member_failed=failed)
            return render(request, "access/line_detail.html#members", context)
        (messages.error if failed else messages.success)(request, notice)
        return redirect(line.get_absolute_url())

    def _apply(self, request, line: BusinessLine) -> str:
        remove = request.POST.get("remove")
        if remove:
            membership = get_object_or_404(self.restricted_queryset(), pk=remove, line=line)
            services.membership_remove(actor=request.user, membership=membership)
            return _("%(user)s removed from the line.") % {"user": membership.user}
        form = MembershipForm(request.POST, users=User.objects.filter(is_active=True))
        if not form.is_valid():
            raise ValidationError([e for errors in form.errors.values() for e in errors])
        services.membership_set(
            actor=request.user,
            line=line,
            user=form.cleaned_data["user"],
            role=form.cleaned_data["role"],
        )
        return _("Access of %(user)s saved.") % {"user": form.cleaned_data["user"]}


# Employees --------------------------------------------------------------------------


class UserListView(ObjectListView):
    model = User
    filterset_class = UserFilter
    template_name = "access/user_list.html"

    def restricted_queryset(self):
        return (
            super()
            .restricted_queryset()
            .select_related("department")
            .prefetch_related("groups__role")
        ).distinct()


class UserDetailView(ObjectDetailView):
    model = User
    template_name = "access/user_detail.html"
    context_object_name = "employee"

    def restricted_queryset(self):
        return super().restricted_queryset().select_related("department")

    def get_context_data(self, **kwargs):
        from axes.models import AccessAttempt
        from django_otp import user_has_device

        context = super().get_context_data(**kwargs)
        employee = self.object
        context["memberships"] = employee.line_memberships.select_related("line")
        context["roles"] = Role.objects.filter(group__user=employee)
        context["can_edit"] = self.request.user.has_perm("access.change_user")
        attempts = AccessAttempt.objects.filter(username=employee.username)
        context["failed_attempts"] = sum(attempts.values_list("failures_since_start", flat=True))
        context["has_device"] = user_has_device(employee, confirmed=True)
        return context


class UserSecurityActionView(RestrictedMixin, SingleObjectMixin, View):
    """Administrator actions on an employee's sign-in: unlock, reset the second factor."""

    model = User
    action = "change"

    def post(self, request, pk, what):
        employee = self.get_object()
        if what == "unlock":
            services.user_unlock(actor=request.user, user=employee, request=request)
            messages.success(request, _("Sign-in of %(user)s unlocked.") % {"user": employee})
        else:
            services.user_reset_second_factor(actor=request.user, user=employee, request=request)
            messages.success(request, _("Second factor of %(user)s removed.") % {"user": employee})
        return redirect(employee.get_absolute_url())


class UserFormMixin:
    model = User
    form_class = UserForm
    template_name = "access/user_form.html"
    context_object_name = "employee"

    def get_success_url(self):
        return self.object.get_absolute_url()


class UserCreateView(UserFormMixin, ObjectCreateView):
    success_message = gettext_lazy("Employee %(object)s registered.")

    def perform(self, form):
        profile = form.profile()
        return services.user_create(
            actor=self.request.user,
            password=form.cleaned_data["password"],
            roles=form.cleaned_data["roles"],
            memberships=form.memberships(),
            **profile,
        )


class UserUpdateView(UserFormMixin, ObjectUpdateView):
    success_message = gettext_lazy("Employee %(object)s saved.")

    def perform(self, form):
        return services.user_update(
            actor=self.request.user,
            user=self.object,
            expected_version=form.cleaned_data["version"],
            password=form.cleaned_data["password"] or None,
            roles=form.cleaned_data["roles"],
            memberships=form.memberships(),
            **form.profile(),
        )


# Departments and roles ----------------------------------------------------------------


class DepartmentListView(ObjectListView):
    model = Department
    template_name = "access/department_list.html"
    paginate_by = None

    def restricted_queryset(self):
        return super().restricted_queryset().select_related("head", "parent")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["tree"] = department_tree(list(context["object_list"]))
        context["can_add"] = self.request.user.has_perm("access.add_department")
        context["can_edit"] = self.request.user.has_perm("access.change_department")
        return context


def department_tree(departments: list[Department]) -> list[tuple[Department, int]]:
    """Departments in tree order with their depth, for an indented list."""
    children: dict[int | None, list[Department]] = {}
    for department in departments:
        children.setdefault(department.parent_id, []).append(department)
    ordered: list[tuple[Department, int]] = []

    def walk(parent_id, depth):
        for child in children.get(parent_id, []):
            ordered.append((child, depth))
            walk(child.pk, depth + 1)

    walk(None, 0)
    return ordered


class DepartmentCreateView(ObjectCreateView):
    model = Department
    form_class = DepartmentForm
    template_name = "access/department_form.html"
    success_url = reverse_lazy("access:department_list")
    success_message = gettext_lazy("Department “%(object)s” created.")

    def perform(self, form):
        data = form.cleaned_data
        return services.department_create(
            actor=self.request.user, name=data["name"], parent=data["parent"], head=data["head"]
        )


class DepartmentUpdateView(ObjectUpdateView):
    model = Department
    form_class = DepartmentForm
    template_name = "access/department_form.html"
    success_url = reverse_lazy("access:department_list")
    success_message = gettext_lazy("Department “%(object)s” saved.")

    def perform(self, form):
        return services.department_update(
            actor=self.request.user,
            department=self.object,
            expected_version=form.cleaned_data["version"],
            **form.changes(),
        )


class RoleListView(ObjectListView):
    """Roles and their second-factor policy; administrators switch the policy."""

    model = Role
    template_name = "access/role_list.html"
    paginate_by = None

    def restricted_queryset(self):
        return (
            super()
            .restricted_queryset()
            .select_related("group")
            .prefetch_related("group__permissions__content_type")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["can_edit"] = self.request.user.has_perm("access.change_role")
        for role in context["object_list"]:
            role.permission_summary = permission_summary(role.group.permissions.all())
        return context

    def post(self, request):
        if not request.user.has_perm("access.change_role"):
            raise PermissionDenied(_("Only administrators change role policies."))
        role = get_object_or_404(
            Role.objects.restrict(request.user, "change"), pk=request.POST.get("role")
        )
        with transaction.atomic():
            services.role_update(
                actor=request.user, role=role, require_otp=request.POST.get("require_otp") == "on"
            )
        if not request.htmx:
            messages.success(request, _("Policy of the role “%(role)s” saved.") % {"role": role})
        return redirect(reverse("access:role_list"))


PERMISSION_ACTIONS = {
    "view": gettext_lazy("view"),
    "add": gettext_lazy("create"),
    "change": gettext_lazy("change"),
    "delete": gettext_lazy("delete"),
}


def permission_summary(permissions) -> list[tuple[str, str]]:
    """A role's permissions as (kind of record, allowed actions) in the reader's words."""
    summary: dict[str, list[str]] = {}
    for permission in permissions:
        model = permission.content_type.model_class()
        action, _sep, model_name = permission.codename.partition("_")
        if model is LogEntry:
            kind, what = _("Audit trail"), PERMISSION_ACTIONS.get(action, _(permission.name))
        elif (
            model is not None
            and action in PERMISSION_ACTIONS
            and model_name == model._meta.model_name
        ):
            kind, what = capfirst(model._meta.verbose_name_plural), PERMISSION_ACTIONS[action]
        else:
            kind, what = _("Special"), _(permission.name)
        summary.setdefault(str(kind), []).append(str(what))
    return sorted((kind, ", ".join(actions)) for kind, actions in summary.items())
