"""The counterparty directory: organisations, persons and their employments, contact
points and addresses, reference data, custom attributes and the undesirable registry."""

from .attributes import AttributeDefinition, AttributeTarget, AttributeType
from .blacklist import BlacklistEntry
from .contacts import Address, AddressKind, ContactKind, ContactPoint
from .organization import LegalForm, Organization, OrganizationStatus
from .person import DecisionRole, Employment, Gender, Person
from .reference import Category, Industry
from .segment import Segment, SegmentKind

__all__ = [
    "Address",
    "AddressKind",
    "AttributeDefinition",
    "AttributeTarget",
    "AttributeType",
    "BlacklistEntry",
    "Category",
    "ContactKind",
    "ContactPoint",
    "DecisionRole",
    "Employment",
    "Gender",
    "Industry",
    "LegalForm",
    "Organization",
    "OrganizationStatus",
    "Person",
    "Segment",
    "SegmentKind",
]
