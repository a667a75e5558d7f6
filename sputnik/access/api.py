"""REST endpoints for business lines, employees, departments and notifications."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import MethodNotAllowed, PermissionDenied
from rest_framework.response import Response

from sputnik.core.api import RestrictedViewSet, VersionedSerializer
from sputnik.core.audit import acting_as
from sputnik.core.roles import LineRole, line_access

from . import services
from .filters import BusinessLineFilter, UserFilter
from .models import (
    BusinessLine,
    Department,
    LineMembership,
    Notification,
    RoleCode,
    Substitution,
    User,
)


class BusinessLineSerializer(VersionedSerializer):
    class Meta:
        model = BusinessLine
        fields = [
            "id",
            "name",
            "code",
            "description",
            "is_active",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]


class MembershipSerializer(serializers.ModelSerializer):
    line = serializers.PrimaryKeyRelatedField(queryset=BusinessLine.objects.all())
    user = serializers.PrimaryKeyRelatedField(queryset=User.objects.all())
    role = serializers.ChoiceField(choices=LineRole.choices)

    class Meta:
        model = LineMembership
        fields = ["id", "user", "line", "role"]
        validators = []  # posting an existing member changes their role


class LineRoleSerializer(serializers.Serializer):
    line = serializers.PrimaryKeyRelatedField(queryset=BusinessLine.objects.all())
    role = serializers.ChoiceField(choices=LineRole.choices)


class BusinessLineViewSet(RestrictedViewSet):
    """Business lines: the unit of data visibility. Lines are deactivated, not deleted."""

    model = BusinessLine
    serializer_class = BusinessLineSerializer
    filterset_class = BusinessLineFilter
    http_method_names = ["get", "post", "put", "patch", "head", "options", "delete"]

    @property
    def access_action(self) -> str:
        # Membership changes are checked against the manage role in `_managed_line`.
        if self.action in {"members", "remove_member"}:
            return "view"
        return super().access_action

    def create_record(self, data):
        data.pop("version", None)
        data.pop("is_active", None)
        return services.line_create(actor=self.request.user, **data)

    def update_record(self, instance, data):
        version = data.pop("version")
        return services.line_update(
            actor=self.request.user, line=instance, expected_version=version, **data
        )

    @extend_schema(request=LineRoleSerializer, responses=MembershipSerializer(many=True))
    @action(detail=True, methods=["get", "post"], url_path="members")
    def members(self, request, pk=None):
        """List the line's members, or give a user a role on it (POST user, role)."""
        line = self.get_object() if request.method == "GET" else self._managed_line()
        if request.method == "POST":
            data = request.data.copy()
            data["line"] = line.pk
            payload = MembershipSerializer(data=data)
            payload.is_valid(raise_exception=True)
            with acting_as(request.user, request), transaction.atomic():
                services.membership_set(
                    actor=request.user,
                    line=line,
                    user=payload.validated_data["user"],
                    role=payload.validated_data["role"],
                )
        members = line.memberships.select_related("user")
        return Response(MembershipSerializer(members, many=True).data)

    @action(detail=True, methods=["delete"], url_path=r"members/(?P<user_id>\d+)")
    def remove_member(self, request, pk=None, user_id=None):
        line = self._managed_line()
        membership = line.memberships.filter(user_id=user_id).first()
        if membership is None:
            return Response(
                status=404, data={"detail": _("Not a member."), "code": "not_found", "errors": {}}
            )
        with acting_as(request.user, request), transaction.atomic():
            services.membership_remove(actor=request.user, membership=membership)
        return Response(status=204)

    def destroy(self, request, *args, **kwargs):
        raise MethodNotAllowed("DELETE", detail=_("Business lines are deactivated, not deleted."))

    def _managed_line(self) -> BusinessLine:
        line = self.get_object()
        user = self.request.user
        if (
            not user.has_perm("access.add_linemembership")
            or line_access(user).role_on(line.pk) != LineRole.MANAGE
        ):
            raise PermissionDenied(_("Only managers of this line change its members."))
        return line


class UserSerializer(VersionedSerializer):
    full_name = serializers.CharField(read_only=True)
    password = serializers.CharField(
        write_only=True, required=False, style={"input_type": "password"}
    )
    roles = serializers.ListField(
        child=serializers.ChoiceField(choices=RoleCode.choices), required=False
    )
    memberships = LineRoleSerializer(many=True, required=False)

    class Meta:
        model = User
        fields = [
            "id",
            "password",
            "full_name",
            *User.ADMINISTERED_FIELDS,
            "roles",
            "memberships",
            "version",
        ]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["roles"] = sorted(group.name for group in instance.groups.all())
        data["memberships"] = [
            {"line": m.line_id, "role": m.role} for m in instance.line_memberships.all()
        ]
        return data

    def validate(self, attrs):
        attrs = super().validate(attrs)
        if self.instance is None and not attrs.get("password"):
            raise serializers.ValidationError({"password": [_("A new employee needs a password.")]})
        return attrs


class UserViewSet(RestrictedViewSet):
    """Employees with their roles and business-line memberships (administrators write)."""

    model = User
    serializer_class = UserSerializer
    filterset_class = UserFilter
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def restricted_queryset(self, action):
        return (
            super()
            .restricted_queryset(action)
            .prefetch_related("groups", "line_memberships")
            .distinct()
        )

    @staticmethod
    def _split(data):
        memberships = data.pop("memberships", None)
        if memberships is not None:
            memberships = {m["line"]: m["role"] for m in memberships}
        return data.pop("roles", None), memberships

    def create_record(self, data):
        data.pop("version", None)
        roles, memberships = self._split(data)
        return services.user_create(
            actor=self.request.user, roles=roles or (), memberships=memberships, **data
        )

    def update_record(self, instance, data):
        version = data.pop("version")
        roles, memberships = self._split(data)
        return services.user_update(
            actor=self.request.user,
            user=instance,
            expected_version=version,
            roles=roles,
            memberships=memberships,
            **data,
        )

    @property
    def access_action(self) -> str:
        if self.action in {"unlock", "reset_second_factor"}:
            return "change"
        return super().access_action

    @extend_schema(request=None, responses={204: None})
    @action(detail=True, methods=["post"])
    def unlock(self, request, pk=None):
        """Lift the lockout after repeated failed sign-ins."""
        employee = self.get_object()
        with acting_as(request.user, request):
            services.user_unlock(actor=request.user, user=employee, request=request)
        return Response(status=204)

    @extend_schema(request=None, responses={204: None})
    @action(detail=True, methods=["post"], url_path="reset-second-factor")
    def reset_second_factor(self, request, pk=None):
        """Remove the employee's authenticator (lost phone)."""
        employee = self.get_object()
        with acting_as(request.user, request):
            services.user_reset_second_factor(actor=request.user, user=employee, request=request)
        return Response(status=204)

    @action(detail=False, methods=["get"])
    def me(self, request):
        """The employee the token or session belongs to."""
        user = User.objects.prefetch_related("groups", "line_memberships").get(pk=request.user.pk)
        return Response(self.get_serializer(user).data)


class DepartmentSerializer(VersionedSerializer):
    class Meta:
        model = Department
        fields = ["id", "name", "parent", "head", "version"]


class DepartmentViewSet(RestrictedViewSet):
    model = Department
    serializer_class = DepartmentSerializer
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def create_record(self, data):
        data.pop("version", None)
        return services.department_create(actor=self.request.user, **data)

    def update_record(self, instance, data):
        version = data.pop("version")
        return services.department_update(
            actor=self.request.user, department=instance, expected_version=version, **data
        )


class NotificationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Notification
        fields = ["id", "title", "body", "url", "created_at", "read_at"]


class NotificationViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """The caller's own notifications; POST …/read/ marks one, …/read-all/ marks all."""

    serializer_class = NotificationSerializer
    queryset = Notification.objects.none()

    def get_queryset(self):
        return Notification.objects.restrict(self.request.user)

    @extend_schema(request=None, responses=NotificationSerializer)
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        notification = self.get_object()
        services.notifications_mark_read(user=request.user, ids=[notification.pk])
        notification.refresh_from_db()
        return Response(self.get_serializer(notification).data)

    @extend_schema(
        request=None,
        responses=inline_serializer("MarkedRead", {"marked": serializers.IntegerField()}),
    )
    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request):
        return Response({"marked": services.notifications_mark_read(user=request.user)})


class SubstitutionSerializer(serializers.ModelSerializer):
    absent = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True))
    deputy = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True))
    is_active = serializers.BooleanField(read_only=True, help_text="In force today.")

    class Meta:
        model = Substitution
        fields = [
            "id",
            "absent",
            "deputy",
            "starts_on",
            "ends_on",
            "note",
            "is_active",
            "created_at",
        ]
        read_only_fields = ["created_at"]


class SubstitutionViewSet(RestrictedViewSet):
    """Deputies standing in for absent employees: heads of sales see and arrange all of
    them, an employee sees those they are part of. POST …/end/ ends one now (one not
    begun yet is removed: 204)."""

    model = Substitution
    serializer_class = SubstitutionSerializer
    filterset_fields = ["absent", "deputy"]
    http_method_names = ["get", "post", "head", "options"]

    def restricted_queryset(self, action):
        return super().restricted_queryset(action).select_related("absent", "deputy")

    def create_record(self, data):
        return services.substitution_create(actor=self.request.user, **data)

    @property
    def access_action(self) -> str:
        return "change" if self.action == "end" else super().access_action

    @extend_schema(request=None, responses={200: SubstitutionSerializer, 204: None})
    @action(detail=True, methods=["post"])
    def end(self, request, pk=None):
        substitution = self.get_object()
        with acting_as(request.user, request), transaction.atomic():
            kept = services.substitution_end(actor=request.user, substitution=substitution)
        if kept is None:
            return Response(status=204)
        return Response(self.get_serializer(kept).data)
