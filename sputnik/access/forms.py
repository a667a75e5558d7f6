"""Forms of the people-and-access pages. They validate input; services write."""

from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from sputnik.core.roles import LineRole
from sputnik.core.views import VersionedForm

from .models import BusinessLine, Department, RoleCode, User


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _("Wrong login or password. Both are case-sensitive."),
        "inactive": _("This account is disabled."),
    }


class OTPForm(forms.Form):
    token = forms.RegexField(
        label=_("One-time code"),
        regex=r"^\d{6}$",
        error_messages={"invalid": _("Enter the six digits your authenticator shows.")},
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )


class BusinessLineForm(VersionedForm):
    class Meta:
        model = BusinessLine
        fields = ["name", "code", "description", "is_active"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


class MembershipForm(forms.Form):
    user = forms.ModelChoiceField(
        label=_("Employee"), queryset=User.objects.none(), empty_label=_("Choose an employee")
    )
    role = forms.ChoiceField(label=_("Role"), choices=LineRole.choices)

    def __init__(self, *args, users=None, **kwargs):
        super().__init__(*args, **kwargs)
        if users is not None:
            self.fields["user"].queryset = users


class DepartmentForm(VersionedForm):
    class Meta:
        model = Department
        fields = ["name", "parent", "head"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].empty_label = _("None: a top-level department")
        self.fields["head"].empty_label = _("Not assigned")


class ProfileForm(VersionedForm):
    class Meta:
        model = User
        fields = ["last_name", "first_name", "patronymic", "email", "position", "phone", "language"]


class UserForm(VersionedForm):
    """An employee with roles and a role per business line, edited by an administrator."""

    password = forms.CharField(
        label=_("Password"),
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        required=False,
        help_text=_("Leave empty to keep the current password."),
    )
    roles = forms.MultipleChoiceField(
        label=_("Roles"),
        choices=RoleCode.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
    )

    class Meta:
        model = User
        fields = User.ADMINISTERED_FIELDS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["last_name"].required = True
        self.fields["first_name"].required = True
        self.fields["department"].empty_label = _("No department")
        self.fields["all_lines_role"].choices = [("", _("None: only own lines")), *LineRole.choices]
        # Inactive lines are listed too: saving the form must not drop those memberships.
        self.lines = list(BusinessLine.objects.order_by("-is_active", "name"))
        if not self.instance.pk:
            self.fields["password"].required = True
            self.fields["password"].help_text = ""
            self.fields["roles"].initial = []
        else:
            self.fields["roles"].initial = list(self.instance.groups.values_list("name", flat=True))
        held = (
            dict(self.instance.line_memberships.values_list("line_id", "role"))
            if self.instance.pk
            else {}
        )
        for line in self.lines:
            label = line.name if line.is_active else _("%(line)s (inactive)") % {"line": line.name}
            self.fields[f"line_{line.pk}"] = forms.ChoiceField(
                label=label,
                choices=[("", _("No access")), *LineRole.choices],
                required=False,
                initial=held.get(line.pk, ""),
            )

    def main_fields(self):
        names = ["username", "password", *self._meta.fields[1:]]
        return [self[name] for name in names]

    def role_fields(self):
        return [self["roles"]]

    def line_fields(self):
        return [self[f"line_{line.pk}"] for line in self.lines]

    def memberships(self) -> dict[BusinessLine, str]:
        chosen = {line: self.cleaned_data.get(f"line_{line.pk}") for line in self.lines}
        return {line: role for line, role in chosen.items() if role}

    def profile(self) -> dict:
        return {name: self.cleaned_data[name] for name in self._meta.fields}
