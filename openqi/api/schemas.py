"""The shapes of the API's requests and responses (typed, so the OpenAPI document is generated)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Generic, TypeVar

from ninja import Field, Schema
from ninja.schema import DjangoGetter
from pydantic import ModelWrapValidatorHandler, ValidationInfo, model_validator
from typing_extensions import TypeAliasType

from openqi.assessments.models import ActionItem, AssessmentRound
from openqi.audit.models import AuditEvent
from openqi.barriers.models import Barrier
from openqi.improvement.models import DriverNode
from openqi.journey.models import JourneyStep
from openqi.measures.importing import EARLIEST_YEAR, LATEST_YEAR, MAX_MAGNITUDE
from openqi.measures.models import Measure
from openqi.organisations.models import Organisation, Role, StaffRecord, Unit
from openqi.projects.models import Partner, Project, ProjectMeasure

from .versions import VERSION_IN, VERSION_OUT

T = TypeVar("T")

# Bounds on every number and date the API takes (docs/api.md, "Limits") -----------

#: The largest whole number a request may carry anywhere: a signed 64-bit integer,
#: the most the database holds. Larger ones are refused (422) by the JSON parser
#: (openqi/api/parsing.py); an id beyond it in a path finds nothing (404).
MAX_INTEGER = 2**63 - 1
#: The most items a list may skip.
MAX_OFFSET = 1_000_000_000
#: The largest size of a measured number (value, denominator, target,
#: multiplier): the same bound as a file import's (openqi.measures.importing).
MAX_NUMBER = MAX_MAGNITUDE
#: The most a position in an ordered list may be.
MAX_POSITION = 1_000_000
FIRST_DAY = date(EARLIEST_YEAR, 1, 1)
LAST_DAY = date(LATEST_YEAR, 12, 31)

#: A measured number: finite, and no larger than MAX_NUMBER either way.
Number = Annotated[
    float,
    Field(ge=-MAX_NUMBER, le=MAX_NUMBER, allow_inf_nan=False),
]
#: A day from FIRST_DAY to LAST_DAY (a year outside is mistyped).
Day = Annotated[
    date,
    Field(
        ge=FIRST_DAY,
        le=LAST_DAY,
        description=f"A date from {FIRST_DAY} to {LAST_DAY}.",
    ),
]
#: A place in an ordered list, from 0.
Position = Annotated[int, Field(ge=0, le=MAX_POSITION)]

# The models' choices under names of their own: several models have a Status, a
# Kind or a Role, and the OpenAPI document keeps one schema per name.
MembershipRole = TypeAliasType("MembershipRole", Role)
OrganisationKind = TypeAliasType("OrganisationKind", Organisation.Kind)
MeasureKind = TypeAliasType("MeasureKind", Measure.Kind)
PartnerKind = TypeAliasType("PartnerKind", Partner.Kind)
DriverNodeKind = TypeAliasType("DriverNodeKind", DriverNode.Kind)
ProjectStatus = TypeAliasType("ProjectStatus", Project.Status)
ProjectMeasureRole = TypeAliasType("ProjectMeasureRole", ProjectMeasure.Role)
BarrierStatus = TypeAliasType("BarrierStatus", Barrier.Status)
RoundStatus = TypeAliasType("RoundStatus", AssessmentRound.Status)
ActionStatus = TypeAliasType("ActionStatus", ActionItem.Status)
StepStatus = TypeAliasType("StepStatus", JourneyStep.Status)


class ObjectIn(Schema):
    """A JSON object nested in a request body. ninja reads fields off any value, so
    a number or a string in its place would otherwise pass with every field at its
    default (a project's ``"aim": 5`` emptied the aim); this refuses it."""

    @model_validator(mode="before")
    @classmethod
    def _only_objects(cls, value: Any) -> Any:
        inner = value._obj if isinstance(value, DjangoGetter) else value
        if not isinstance(inner, dict):
            raise ValueError('must be a JSON object, such as {"what": "..."}')
        return value


class Answer(Schema):
    """The shape of an answer an operation builds from plain dicts and lists.

    ninja's Schema reads every field of every object through its ``DjangoGetter``
    (a Python call per field: a page of 50 projects made some 2,400); a dict needs
    none of that, so it is validated by pydantic as it is. Anything else (a model
    instance) is read through the getter, as by any ninja Schema.
    """

    @model_validator(mode="wrap")
    @classmethod
    def _run_root_validator(
        cls, values: Any, handler: ModelWrapValidatorHandler[Any], info: ValidationInfo
    ) -> Any:
        if isinstance(values, dict):
            return handler(values)
        return super()._run_root_validator(values, handler, info)  # type: ignore[operator]  # pydantic types the decorated validator as its descriptor; on the class it is ninja's classmethod


class ErrorOut(Schema):
    error: str = Field(description="What is wrong and how to fix it.")
    status: int = Field(description="The HTTP status code, repeated for convenience.")
    details: list[dict[str, Any]] | None = Field(
        None, description="For 422: one entry per field with a problem."
    )


class PageQuery(Schema):
    limit: int = Field(50, ge=1, le=200, description="How many items (1–200).")
    offset: int = Field(
        0,
        ge=0,
        le=MAX_OFFSET,
        description=f"How many items to skip (0–{MAX_OFFSET:,}).",
    )


class Page(Answer, Generic[T]):
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
    kind: OrganisationKind
    ods_code: str
    system: str | None = Field(description="The slug of the system it belongs to.")
    role: MembershipRole = Field(description="Your role in this organisation.")


class MembershipOut(Schema):
    organisation: str = Field(description="The organisation's slug.")
    organisation_name: str
    role: MembershipRole
    unit_id: int | None


class MeOut(PersonOut):
    memberships: list[MembershipOut]


class UnitOut(Schema):
    id: int
    name: str
    level: Unit.Level
    parent_id: int | None
    version: int = Field(description=VERSION_OUT)


class UnitIn(Schema):
    name: str = Field(max_length=200)
    level: Unit.Level
    parent_id: int | None = Field(
        None, description="The unit it sits under; empty for a division."
    )


class UnitPatch(Schema):
    version: int | None = Field(None, ge=1, description=VERSION_IN)
    name: str | None = Field(None, max_length=200)
    level: Unit.Level | None = None
    parent_id: int | None = None


class MemberOut(Schema):
    id: int
    person: PersonOut
    role: MembershipRole
    unit_id: int | None
    joined_at: datetime
    version: int = Field(description=VERSION_OUT)


class MemberPatch(Schema):
    version: int | None = Field(None, ge=1, description=VERSION_IN)
    role: MembershipRole | None = None
    unit_id: int | None = None


class InvitationOut(Schema):
    id: int
    email: str
    role: MembershipRole
    unit_id: int | None
    invited_by: str | None
    created_at: datetime
    expires_at: datetime
    accepted_at: datetime | None
    revoked_at: datetime | None
    is_open: bool


class InvitationIn(Schema):
    email: str = Field(max_length=254)
    role: MembershipRole = Role.MEMBER
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
