"""REST endpoints of the directory: organisations, persons, employments, reference data."""

from __future__ import annotations

from contextlib import contextmanager

from django.db import DatabaseError
from django.db.models import BooleanField, ExpressionWrapper
from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, serializers
from rest_framework.decorators import action
from rest_framework.relations import MANY_RELATION_KWARGS
from rest_framework.response import Response

from sputnik.access.models import BusinessLine, lines_with_role
from sputnik.core.api import (
    ListedListSerializer,
    ListedManyRelatedField,
    RelatedField,
    RestrictedViewSet,
    VersionedSerializer,
)
from sputnik.core.audit import acting_as
from sputnik.core.models import RestrictedQuerySet

from . import services
from .attributes import MAX_STRING, MAX_TEXT, AttributeErrors, clean_attributes, definitions
from .blacklist import is_undesirable, undesirable_condition
from .duplicates import similar_organizations, similar_persons
from .filters import OrganizationFilter, PersonFilter
from .merge import may_merge
from .models import (
    Address,
    AttributeDefinition,
    AttributeTarget,
    AttributeType,
    Category,
    ContactPoint,
    Employment,
    Industry,
    Organization,
    Person,
)


class LinesField(RelatedField):
    """Business lines the caller may write to (others are invalid choices)."""

    def get_queryset(self):
        request = self.context.get("request")
        return lines_with_role(request.user) if request else BusinessLine.objects.none()


def keep_unwritable_lines(user, record, data: dict) -> dict:
    """Lines of `record` the caller cannot write to stay when the caller sets the lines."""
    if "business_lines" in data:
        writable = lines_with_role(user)
        kept = record.business_lines.exclude(pk__in=writable)
        data["business_lines"] = [*data["business_lines"], *kept]
    return data


class ContactSerializer(serializers.ModelSerializer):
    class Meta:
        model = ContactPoint
        fields = ["id", "kind", "label", "value", "is_primary"]
        list_serializer_class = ListedListSerializer


class AddressSerializer(serializers.ModelSerializer):
    class Meta:
        model = Address
        fields = ["id", "kind", "postcode", "region", "city", "street"]
        list_serializer_class = ListedListSerializer


class AttributesField(serializers.JSONField):
    """Custom attributes as an object of codes and values. Writing merges into what the
    record has (`null` removes one); the schema lists the attributes defined now."""

    def __init__(self, target: str, **kwargs):
        self.target = target
        super().__init__(required=False, **kwargs)

    def to_internal_value(self, data):
        data = super().to_internal_value(data)
        request, record = self.context.get("request"), self.parent.instance
        try:
            return clean_attributes(
                self.target,
                data,
                current=record.attributes if record is not None else {},
                check_required=False,  # the service checks them, sent or not
                user=request.user if request else None,
            )
        except AttributeErrors as error:
            raise serializers.ValidationError(error.by_code) from error


ATTRIBUTE_SCHEMA = {
    AttributeType.STRING: {"type": "string", "maxLength": MAX_STRING},
    AttributeType.TEXT: {"type": "string", "maxLength": MAX_TEXT},
    AttributeType.INTEGER: {"type": "integer"},
    AttributeType.DECIMAL: {"type": "string", "format": "decimal", "example": "1234.50"},
    AttributeType.DATE: {"type": "string", "format": "date"},
    AttributeType.BOOLEAN: {"type": "boolean"},
    AttributeType.ORGANIZATION: {"type": "integer", "description": "Organisation id."},
}


class AttributesFieldSchema(OpenApiSerializerFieldExtension):
    target_class = AttributesField

    def map_serializer_field(self, auto_schema, direction):
        try:
            defined = definitions(self.target.target)
        except DatabaseError:  # the system check builds the schema before any migration
            defined = []
        properties = {}
        for definition in defined:
            schema = dict(ATTRIBUTE_SCHEMA.get(definition.type, {}))
            if definition.type == AttributeType.CHOICE:
                schema = {"type": "string", "enum": definition.choices}
            elif definition.type == AttributeType.MULTI_CHOICE:
                schema = {"type": "array", "items": {"type": "string", "enum": definition.choices}}
            schema["title"] = definition.label_en
            schema["description"] = " ".join(
                filter(None, [definition.label_ru, definition.help_en, schema.get("description")])
            )
            schema["nullable"] = not definition.required
            properties[definition.code] = schema
        required = [d.code for d in defined if d.required]
        return {
            "type": "object",
            "properties": properties,
            **({"required": required} if required else {}),
            "description": "Custom attributes defined by administrators.",
        }


CONTACTS_HELP = "Phones, e-mails, messengers; sent, they replace the record's."


class OrganizationSerializer(VersionedSerializer):
    business_lines = LinesField(many=True)
    attributes = AttributesField(AttributeTarget.ORGANIZATION)
    undesirable = serializers.SerializerMethodField(
        help_text="In the undesirable-counterparty registry (by the organisation or its INN)."
    )
    contacts = ContactSerializer(many=True, required=False, help_text=CONTACTS_HELP)
    addresses = AddressSerializer(
        many=True, required=False, help_text="One per kind; sent, they replace the record's."
    )

    class Meta:
        model = Organization
        fields = [
            "id",
            *Organization.EDITABLE_FIELDS,
            "attributes",
            "contacts",
            "addresses",
            "undesirable",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]
        validators = []  # INN uniqueness is checked by the service, with a clear message

    def get_undesirable(self, organization) -> bool:
        flagged = getattr(organization, "is_flagged", None)  # annotated on lists
        return bool(is_undesirable(organization=organization) if flagged is None else flagged)


class SimilarSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    reasons = serializers.ListField(child=serializers.CharField())


class MergeInputSerializer(serializers.Serializer):
    other = serializers.IntegerField(help_text="Id of the record merged into this one.")
    take = serializers.ListField(
        child=serializers.CharField(),
        default=list,
        help_text="Fields (custom attributes as attr_<code>) that get the other's value.",
    )
    version = serializers.IntegerField(help_text="Version of this record the caller read.")
    other_version = serializers.IntegerField(
        required=False, help_text="Version of the other record the caller read."
    )


class MergeActionMixin:
    """`POST …/{id}/merge/`: merge another record into this one (DIR-5). Needs the right to
    change this record and to delete the other."""

    @property
    def access_action(self) -> str:
        return "change" if self.action == "merge" else super().access_action

    @extend_schema(request=MergeInputSerializer)
    @action(detail=True, methods=["post"])
    def merge(self, request, pk=None):
        if not may_merge(request.user, self.model):
            raise exceptions.PermissionDenied(_("Your role does not allow merging records."))
        kept = self.get_object()
        data = MergeInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        deletable = self.restricted_queryset("delete").exclude(pk=kept.pk)
        other = deletable.filter(pk=values["other"]).first()
        if other is None:
            raise serializers.ValidationError(
                {"other": [_("No record with this id that you may merge into this one.")]}
            )
        with acting_as(request.user, request):
            kept = self.merge_service(
                actor=request.user,
                kept=kept,
                other=other,
                take=values["take"],
                versions=(values["version"], values.get("other_version")),
            )
        return Response(self.get_serializer(self.restricted_queryset("view").get(pk=kept.pk)).data)


class OrganizationViewSet(MergeActionMixin, RestrictedViewSet):
    """Organisations of the caller's business lines."""

    merge_service = staticmethod(services.organization_merge)
    model = Organization
    serializer_class = OrganizationSerializer
    filterset_class = OrganizationFilter

    def restricted_queryset(self, action):
        queryset = (
            super()
            .restricted_queryset(action)
            .annotate(is_flagged=ExpressionWrapper(undesirable_condition(), BooleanField()))
        )
        return self.with_relations(
            queryset, "business_lines", "categories", "contacts", "addresses"
        )

    def create_record(self, data):
        data.pop("version", None)
        with self.naming_duplicates():
            return services.organization_create(actor=self.request.user, **data)

    def update_record(self, instance, data):
        version = data.pop("version")
        data = keep_unwritable_lines(self.request.user, instance, data)
        with self.naming_duplicates():
            return services.organization_update(
                actor=self.request.user, organization=instance, expected_version=version, **data
            )

    @contextmanager
    def naming_duplicates(self):
        """Name the organisation holding the INN, with its id, when the caller may see it."""
        try:
            yield
        except services.DuplicateOrganization as error:
            if not self.restricted_queryset("view").filter(pk=error.existing.pk).exists():
                raise
            message = _("An organisation with this INN already exists: %(name)s (id %(id)s).")
            name = {"name": error.existing.short_name, "id": error.existing.pk}
            raise serializers.ValidationError({"inn": [message % name]}) from error

    def delete_record(self, instance):
        services.organization_delete(actor=self.request.user, organization=instance)

    @extend_schema(
        parameters=[
            OpenApiParameter("name", description="Name of the organisation to be created."),
            OpenApiParameter("inn", description="Its INN, if known."),
        ],
        responses=SimilarSerializer(many=True),
    )
    @action(detail=False, methods=["get"])
    def similar(self, request):
        """Organisations that may be the one about to be created: the same INN, or a
        similar name (typos forgiven). Creating one with a known INN is refused anyway."""
        params = request.query_params
        found = similar_organizations(request.user, params.get("name", ""), params.get("inn", ""))
        found = [
            {"id": org.pk, "name": org.short_name, "reasons": reasons} for org, reasons in found
        ]
        return Response({"results": SimilarSerializer(found, many=True).data})


class PersonSerializer(VersionedSerializer):
    business_lines = LinesField(many=True)
    attributes = AttributesField(AttributeTarget.PERSON)
    full_name = serializers.CharField(read_only=True)
    contacts = ContactSerializer(many=True, required=False, help_text=CONTACTS_HELP)

    class Meta:
        model = Person
        fields = ["id", "full_name", *Person.EDITABLE_FIELDS, "attributes", "contacts", "version"]


class PersonViewSet(MergeActionMixin, RestrictedViewSet):
    """Contact persons of the caller's business lines."""

    merge_service = staticmethod(services.person_merge)
    model = Person
    serializer_class = PersonSerializer
    filterset_class = PersonFilter

    def restricted_queryset(self, action):
        queryset = super().restricted_queryset(action)
        return self.with_relations(queryset, "business_lines", "contacts")

    def create_record(self, data):
        data.pop("version", None)
        return services.person_create(actor=self.request.user, **data)

    def update_record(self, instance, data):
        version = data.pop("version")
        data = keep_unwritable_lines(self.request.user, instance, data)
        return services.person_update(
            actor=self.request.user, person=instance, expected_version=version, **data
        )

    def delete_record(self, instance):
        services.person_delete(actor=self.request.user, person=instance)

    @extend_schema(
        parameters=[
            OpenApiParameter(name, description=f"{name} of the person to be created.")
            for name in ("last_name", "first_name", "patronymic", "email", "phone")
        ],
        responses=SimilarSerializer(many=True),
    )
    @action(detail=False, methods=["get"])
    def similar(self, request):
        """Persons who may be the one about to be created: the same e-mail or phone (in
        any format), or the same full name."""
        params = request.query_params
        found = similar_persons(
            request.user,
            last_name=params.get("last_name", ""),
            first_name=params.get("first_name", ""),
            patronymic=params.get("patronymic", ""),
            emails=params.getlist("email"),
            phones=params.getlist("phone"),
        )
        results = [
            {"id": person.pk, "name": person.full_name, "reasons": reasons}
            for person, reasons in found
        ]
        return Response({"results": SimilarSerializer(results, many=True).data})


class VisibleManyRelatedField(ListedManyRelatedField):
    """Related records of which the caller is shown those they may see: a list reads
    them so (`with_relations(…, visible=…)`), one record restricts its own here — its
    rows tested one by one, not matched against every visible record (`pk IN (…)` made
    SQLite list all 200,000 visible persons at 100k: 190 ms)."""

    def get_attribute(self, instance):
        rows = super().get_attribute(instance)
        if not isinstance(rows, RestrictedQuerySet):
            return rows
        request = self.context.get("request")
        return rows.restrict(request.user) if request else rows.none()


class VisibleField(RelatedField):
    """A related record the caller may see (others answer “does not exist”); of many,
    only those are shown."""

    def get_queryset(self):
        request = self.context.get("request")
        model = self.model
        return model.objects.restrict(request.user) if request else model.objects.none()

    @classmethod
    def many_init(cls, *args, **kwargs):
        many = {key: value for key, value in kwargs.items() if key in MANY_RELATION_KWARGS}
        return VisibleManyRelatedField(child_relation=cls(*args, **kwargs), **many)


class VisibleOrganization(VisibleField):
    model = Organization


class VisiblePerson(VisibleField):
    model = Person


class EmploymentSerializer(VersionedSerializer):
    person = VisiblePerson()
    organization = VisibleOrganization()
    is_current = serializers.BooleanField(read_only=True)

    class Meta:
        model = Employment
        fields = [
            "id",
            "person",
            "organization",
            *Employment.EDITABLE_FIELDS,
            "is_current",
            "version",
        ]


class EmploymentViewSet(RestrictedViewSet):
    """Jobs of persons in the caller's organisations; ending one keeps it as history."""

    model = Employment
    serializer_class = EmploymentSerializer
    filterset_fields = ["person", "organization", "is_primary"]

    def restricted_queryset(self, action):
        return super().restricted_queryset(action).select_related("person", "organization")

    def create_record(self, data):
        data.pop("version", None)
        organization = data.pop("organization")
        if (
            not Organization.objects.restrict(self.request.user, "change")
            .filter(pk=organization.pk)
            .exists()
        ):
            raise serializers.ValidationError({"organization": [_("You may not add people here.")]})
        return services.employment_create(
            actor=self.request.user, organization=organization, **data
        )

    def update_record(self, instance, data):
        version = data.pop("version")
        data.pop("organization", None)
        data.pop("person", None)
        return services.employment_update(
            actor=self.request.user, employment=instance, expected_version=version, **data
        )

    def delete_record(self, instance):
        services.employment_delete(actor=self.request.user, employment=instance)


class CategorySerializer(serializers.ModelSerializer):
    class Meta:
        model = Category
        fields = ["id", "name", "is_active", "order"]


class CategoryViewSet(RestrictedViewSet):
    """Organisation categories (reference data; administrators write)."""

    model = Category
    serializer_class = CategorySerializer

    def create_record(self, data):
        return services.reference_save(actor=self.request.user, item=self.model(), **data)

    def update_record(self, instance, data):
        return services.reference_save(actor=self.request.user, item=instance, **data)

    def delete_record(self, instance):
        services.reference_delete(actor=self.request.user, item=instance)


class IndustrySerializer(serializers.ModelSerializer):
    class Meta:
        model = Industry
        fields = ["id", "name", "is_active", "order"]


class IndustryViewSet(CategoryViewSet):
    """Industries (reference data; administrators write)."""

    model = Industry
    serializer_class = IndustrySerializer


class AttributeDefinitionSerializer(serializers.ModelSerializer):
    class Meta:
        model = AttributeDefinition
        fields = [
            "id",
            "target",
            "code",
            "label_ru",
            "label_en",
            "type",
            "required",
            "help_ru",
            "help_en",
            "choices",
            "order",
            "show_in_list",
            "is_active",
        ]
        validators = []  # the service names a code already in use


class AttributeDefinitionViewSet(RestrictedViewSet):
    """Custom attributes of organisations, persons, deals and events (administrators write;
    kind of record, code and type are fixed once created)."""

    model = AttributeDefinition
    serializer_class = AttributeDefinitionSerializer
    filterset_fields = ["target", "type", "is_active"]

    def create_record(self, data):
        return services.attribute_definition_save(
            actor=self.request.user, definition=AttributeDefinition(), **data
        )

    def update_record(self, instance, data):
        return services.attribute_definition_save(
            actor=self.request.user, definition=instance, **data
        )
