"""Base of the REST API: a viewset that always restricts, keyset pagination and one
error format (`{"detail", "code", "errors": {field: [messages]}}`)."""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, serializers, status, viewsets
from rest_framework.relations import MANY_RELATION_KWARGS
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

from .audit import acting_as
from .exceptions import StaleEdit
from .models import LISTED, listed
from .services import ensure_visible

METHOD_ACTION = {"POST": "add", "PUT": "change", "PATCH": "change", "DELETE": "delete"}


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"


def exception_handler(exc, context):
    if isinstance(exc, StaleEdit):
        response = Response(
            {
                "detail": exc.message,
                "code": "stale_version",
                "current_version": exc.current.version,
                "errors": {},
            },
            status=status.HTTP_409_CONFLICT,
        )
        return response
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        errors = (
            response.data
            if isinstance(response.data, dict)
            else {"non_field_errors": response.data}
        )
        response.data = {"detail": _("Invalid input."), "code": "invalid", "errors": errors}
    elif isinstance(response.data, dict) and "detail" in response.data:
        detail = response.data["detail"]
        response.data = {
            "detail": str(detail),
            "code": getattr(detail, "code", "error"),
            "errors": {},
        }
    return response


class ListedMixin:
    """A many-relation read from the plain list `listed()` prefetched it into, if any."""

    def get_attribute(self, instance):
        found = getattr(instance, "__dict__", {}).get(LISTED + self.source)
        return found if found is not None else super().get_attribute(instance)


class ListedManyRelatedField(ListedMixin, serializers.ManyRelatedField):
    pass


class ListedListSerializer(ListedMixin, serializers.ListSerializer):
    pass


class RelatedField(serializers.PrimaryKeyRelatedField):
    """A record by its id; many of them read from a list's prefetched plain lists."""

    @classmethod
    def many_init(cls, *args, **kwargs):
        many = {key: value for key, value in kwargs.items() if key in MANY_RELATION_KWARGS}
        return ListedManyRelatedField(child_relation=cls(*args, **kwargs), **many)


class VersionedSerializer(serializers.ModelSerializer):
    """Requires the version the client read on every update (optimistic locking)."""

    serializer_related_field = RelatedField
    version = serializers.IntegerField(
        required=False, help_text="Version the client read; required on update."
    )

    def validate(self, attrs):
        attrs = super().validate(attrs)
        if self.instance is not None and attrs.get("version") is None:
            raise serializers.ValidationError(
                {"version": [_("Send the version you read to update this record.")]}
            )
        return attrs


@cache
def shown_columns(serializer_class, relation: str) -> tuple[str, ...] | None:
    """The columns of the records of the many-relation `relation` that `serializer_class`
    shows: the key for a list of ids, the nested serializer's fields (and the key back to
    the record, which groups them) for nested records; None when it shows something that
    is not a column. A page of fifty organisations otherwise built each of its ~150 related
    records with every column (dates converted, JSON decoded) to show an id or four.
    Worked out once per serializer class, from an instance without a request: a serializer
    whose fields depend on the request must not list its relations through this."""
    field = serializer_class().fields.get(relation)
    relation_field = serializer_class.Meta.model._meta.get_field(relation)
    reverse_key = relation_field.one_to_many and relation_field.auto_created
    if not (relation_field.many_to_many or reverse_key):
        return None  # say, a generic relation: read whole
    if isinstance(field, serializers.ManyRelatedField):
        return ("pk",)
    if not isinstance(field, serializers.ListSerializer):
        return None  # not shown (read whole, as before), or shown another way
    shown = [child.source for child in field.child.fields.values() if not child.write_only]
    concrete = {f.name for f in relation_field.related_model._meta.concrete_fields}
    if not set(shown) <= concrete:
        return None
    back = [relation_field.field.name] if reverse_key else []
    return (*shown, *back)


class RestrictedViewSet(viewsets.ModelViewSet):
    """A model viewset that starts from `restrict(user, action)` and writes via services.

    Subclasses set `model`, `serializer_class`, and implement `create_record`,
    `update_record` and `delete_record` by calling their app's services.
    """

    model = None

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "get_queryset" in cls.__dict__:
            raise TypeError(
                f"{cls.__name__} overrides get_queryset(); override restricted_queryset()."
            )

    @property
    def access_action(self) -> str:
        return METHOD_ACTION.get(self.request.method, "view")

    def restricted_queryset(self, action: str):
        return self.model._default_manager.restrict(self.request.user, action)

    def get_queryset(self):
        return self.restricted_queryset(self.access_action)

    def with_relations(self, queryset, *relations: str, visible: Iterable[str] = ()):
        """`queryset` with its many-relations read along: into plain lists on a list (see
        `listed`), with only the columns the list shows of them (`shown_columns`); through
        Django's managers on one record, which a write may change. Of the relations named
        in `visible` a list reads only the records the caller may see (one record's are
        filtered by its field, `VisibleManyRelatedField`, so they are not read along)."""
        if self.action != "list":
            return queryset.prefetch_related(*(r for r in relations if r not in visible))
        read = []
        for relation in relations:
            columns = shown_columns(self.get_serializer_class(), relation)
            rows = queryset.model._meta.get_field(relation).related_model._default_manager
            if relation in visible:
                rows = rows.restrict(self.request.user)
            read.append(listed(relation, rows.only(*columns) if columns else rows.all()))
        return queryset.prefetch_related(*read)

    def filter_queryset(self, queryset):
        # One record is found by its key alone, and a list asked for with no filter is the
        # whole restricted queryset: the filter set (built, every filter deep-copied and
        # validated, per request: ~10 ms for organisations) would only cost time.
        if self.kwargs.get(self.lookup_url_kwarg or self.lookup_field) is not None:
            return queryset
        if not self._filtered():
            return queryset
        return super().filter_queryset(queryset)

    def _filtered(self) -> bool:
        """Whether the query names anything besides the page and the format."""
        paginator = self.paginator
        unfiltering = {
            getattr(paginator, "cursor_query_param", None),
            getattr(paginator, "page_size_query_param", None),
            api_settings.URL_FORMAT_OVERRIDE,
        }
        return any(name not in unfiltering for name in self.request.query_params)

    def get_object(self):
        try:
            return super().get_object()
        except Http404:
            action = self.access_action
            pk = self.kwargs.get(self.lookup_url_kwarg or self.lookup_field)
            if action != "view" and self.restricted_queryset("view").filter(pk=pk).exists():
                raise exceptions.PermissionDenied(_("You may only read this record.")) from None
            raise

    def check_add_permission(self) -> None:
        model = self.model
        if not self.request.user.has_perm(f"{model._meta.app_label}.add_{model._meta.model_name}"):
            raise exceptions.PermissionDenied(_("You may not create records of this kind."))

    def create(self, request, *args, **kwargs):
        self.check_add_permission()  # before the input is judged: refusal comes first
        return super().create(request, *args, **kwargs)

    def perform_create(self, serializer):
        self._write(serializer, lambda data: self.create_record(data))

    def perform_update(self, serializer):
        self._write(serializer, lambda data: self.update_record(serializer.instance, data))

    def perform_destroy(self, instance):
        with acting_as(self.request.user, self.request), transaction.atomic():
            self.delete_record(instance)

    def _write(self, serializer, write):
        try:
            with acting_as(self.request.user, self.request), transaction.atomic():
                instance = write(dict(serializer.validated_data))
                ensure_visible(instance, self.request.user)
        except DjangoPermissionDenied as error:
            raise exceptions.PermissionDenied(str(error)) from error
        serializer.instance = instance

    def create_record(self, data: dict):
        raise NotImplementedError

    def update_record(self, instance, data: dict):
        raise NotImplementedError

    def delete_record(self, instance) -> None:
        raise exceptions.MethodNotAllowed(self.request.method)
