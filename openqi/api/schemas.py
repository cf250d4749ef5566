"""The shapes of the API's requests and responses (typed, so the OpenAPI document is generated)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Generic, TypeVar

from ninja import Field, Schema

from openqi.audit.models import AuditEvent
from openqi.organisations.models import Organisation, Role, StaffRecord, Unit

T = TypeVar("T")


class ErrorOut(Schema):
    error: str = Field(description="What is wrong and how to fix it.")
    status: int = Field(description="The HTTP status code, repeated for convenience.")
    details: list[dict[str, Any]] | None = Field(
        None, description="For 422: one entry per field with a problem."
    )


class PageQuery(Schema):
    limit: int = Field(50, ge=1, le=200, description="How many items (1–200).")
    offset: int = Field(0, ge=0, description="How many items to skip.")


class Page(Schema, Generic[T]):
    items: list[T]
    total: int = Field(description="How many items there are in all.")
    limit: int
    offset: int


class PersonOut(Schema):
    id: int
    full_name: str
    email: str


class OrganisationOut(Schema):
    slug: str
    name: str
    kind: Organisation.Kind
    ods_code: str
    system: str | None = Field(description="The slug of the system it belongs to.")
    role: Role = Field(description="Your role in this organisation.")


class MembershipOut(Schema):
    organisation: str = Field(description="The organisation's slug.")
    organisation_name: str
    role: Role
    unit_id: int | None


class MeOut(PersonOut):
    memberships: list[MembershipOut]


class UnitOut(Schema):
    id: int
    name: str
    level: Unit.Level
    parent_id: int | None


class UnitIn(Schema):
    name: str = Field(max_length=200)
    level: Unit.Level
    parent_id: int | None = Field(
        None, description="The unit it sits under; empty for a division."
    )


class UnitPatch(Schema):
    name: str | None = Field(None, max_length=200)
    level: Unit.Level | None = None
    parent_id: int | None = None


class MemberOut(Schema):
    id: int
    person: PersonOut
    role: Role
    unit_id: int | None
    joined_at: datetime


class MemberPatch(Schema):
    role: Role | None = None
    unit_id: int | None = None


class InvitationOut(Schema):
    id: int
    email: str
    role: Role
    unit_id: int | None
    invited_by: str | None
    created_at: datetime
    expires_at: datetime
    accepted_at: datetime | None
    revoked_at: datetime | None
    is_open: bool


class InvitationIn(Schema):
    email: str = Field(max_length=254)
    role: Role = Role.MEMBER
    unit_id: int | None = None


class AuditEventOut(Schema):
    id: int
    at: datetime
    actor_id: int | None
    actor: str = Field(description="Who made the change, as they were named then.")
    via: str = Field(description="web, api, command or system.")
    action: AuditEvent.Action
    model: str = Field(description="For example organisations.Unit.")
    object_id: str
    object: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None


class AuditQuery(PageQuery):
    model: str | None = Field(
        None, description="Only this model, e.g. organisations.Unit."
    )
    action: AuditEvent.Action | None = None
    since: datetime | None = Field(
        None, description="Only changes at or after this time."
    )


class StaffOut(Schema):
    id: int
    reference: str
    unit_id: int | None
    staff_group: StaffRecord.StaffGroup
    user_id: int | None
    is_active: bool
