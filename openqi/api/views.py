"""The API's operations on organisations, their units, members, invitations,
audit trail and staff records, and on the caller. Each organisation's operation
names the permission it needs (``api_access``: the membership comes from the
caller's token or session), looks rows up with the same ``get_<thing>_for`` the
pages use, binds the same form and calls the same service
(openqi.organisations.services)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Status

from openqi.audit.models import AuditEvent
from openqi.audit.permissions import VIEW_TRAIL
from openqi.organisations import services
from openqi.organisations.access import require_delete
from openqi.organisations.forms import InvitationForm, MembershipForm, UnitForm
from openqi.organisations.models import Invitation, Membership, StaffRecord, Unit
from openqi.organisations.permissions import (
    MANAGE_ORGANISATION,
    READ_STAFF,
    VIEW_ORGANISATION,
    MemberRequest,
    api_access,
)

from . import versions
from .auth import caller
from .errors import InvalidInput
from .schemas import (
    AuditEventOut,
    AuditQuery,
    ErrorOut,
    InvitationIn,
    InvitationOut,
    MemberOut,
    MemberPatch,
    MembershipRole,
    MeOut,
    OrganisationOut,
    Page,
    PageQuery,
    StaffOut,
    UnitIn,
    UnitOut,
    UnitPatch,
)

router = Router()

#: Documented on every operation; all share the shape of ErrorOut.
ERRORS: dict[int, Any] = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}
#: Writes also meet a body that is not JSON (400), a conflict (409) and a body
#: over the upload limit (413).
WRITE_ERRORS: dict[int, Any] = {**ERRORS, 400: ErrorOut, 409: ErrorOut, 413: ErrorOut}

#: API field → form field, so errors name the field the caller sent.
_API_FIELD = {"parent": "parent_id", "unit": "unit_id"}
_FORM_FIELD = {api: form for form, api in _API_FIELD.items()}


def _check(form: Any) -> dict[str, Any]:
    if not form.is_valid():
        raise InvalidInput(
            {_API_FIELD.get(f, f): list(m) for f, m in form.errors.items()}
        )
    return dict(form.cleaned_data)


def paginate(queryset: QuerySet[Any], page: PageQuery) -> dict[str, Any]:
    return {
        "items": list(queryset[page.offset : page.offset + page.limit]),
        "total": queryset.count(),
        "limit": page.limit,
        "offset": page.offset,
    }


def _organisation_out(membership: Membership) -> dict[str, Any]:
    organisation = membership.organisation
    return {
        "slug": organisation.slug,
        "name": organisation.name,
        "kind": organisation.kind,
        "ods_code": organisation.ods_code,
        "system": organisation.system.slug if organisation.system else None,
        "role": membership.role,
    }


def _member_out(membership: Membership) -> dict[str, Any]:
    return {
        "id": membership.pk,
        "person": membership.user,
        "role": membership.role,
        "unit_id": membership.unit_id,
        "joined_at": membership.created_at,
        "version": membership.version,
    }


def _invitation_out(invitation: Invitation) -> dict[str, Any]:
    return {
        "id": invitation.pk,
        "email": invitation.email,
        "role": invitation.role,
        "unit_id": invitation.unit_id,
        "invited_by": str(invitation.invited_by) if invitation.invited_by else None,
        "created_at": invitation.created_at,
        "expires_at": invitation.expires_at,
        "accepted_at": invitation.accepted_at,
        "revoked_at": invitation.revoked_at,
        "is_open": invitation.is_open,
    }


# The signed-in person ----------------------------------------------------------


@router.get("/me", response={200: MeOut, 401: ErrorOut}, url_name="me", tags=["you"])
def me(request: HttpRequest) -> dict[str, Any]:
    """You, and the organisations you belong to."""
    user = caller(request)
    memberships = Membership.objects.filter(user=user)  # access: the caller's own
    memberships = memberships.select_related("organisation")
    return {
        "id": user.pk,
        "full_name": user.full_name,
        "email": user.email,
        "memberships": [
            {
                "organisation": m.organisation.slug,
                "organisation_name": m.organisation.name,
                "role": m.role,
                "unit_id": m.unit_id,
            }
            for m in memberships
        ],
    }


# Organisations --------------------------------------------------------------------


@router.get(
    "/organisations",
    response={200: Page[OrganisationOut], **ERRORS},
    url_name="organisations",
    tags=["organisations"],
)
def list_organisations(request: HttpRequest, page: Query[PageQuery]) -> dict[str, Any]:
    """The organisations you belong to, with your role in each."""
    memberships = (
        Membership.objects.filter(user=caller(request))  # access: the caller's own
        .select_related("organisation__system")
        .order_by("organisation__name")
    )
    result = paginate(memberships, page)
    result["items"] = [_organisation_out(m) for m in result["items"]]
    return result


@router.get(
    "/organisations/{slug}",
    response={200: OrganisationOut, **ERRORS},
    url_name="organisation",
    tags=["organisations"],
)
@api_access(VIEW_ORGANISATION)
def get_organisation(request: MemberRequest, slug: str) -> dict[str, Any]:
    return _organisation_out(request.membership)


# Units ----------------------------------------------------------------------------


@router.get(
    "/organisations/{slug}/units",
    response={200: Page[UnitOut], **ERRORS},
    url_name="units",
    tags=["units"],
)
@api_access(VIEW_ORGANISATION)
def list_units(request: MemberRequest, slug: str, page: Query[PageQuery]) -> Any:
    """The organisation's divisions, directorates and teams (parent_id builds the tree)."""
    membership = request.membership
    units = Unit.objects.for_organisation(membership.organisation).order_by(
        "name", "pk"
    )
    return paginate(units, page)


@router.post(
    "/organisations/{slug}/units",
    response={201: UnitOut, **WRITE_ERRORS},
    url_name="units",
    tags=["units"],
)
@api_access(MANAGE_ORGANISATION)
def create_unit(request: MemberRequest, slug: str, payload: UnitIn) -> Any:
    """Add a unit (administrators). A directorate sits under a division, a team under a directorate."""
    membership = request.membership
    organisation = membership.organisation
    form = UnitForm(
        {"name": payload.name, "level": payload.level, "parent": payload.parent_id},
        organisation=organisation,
    )
    return Status(201, services.create_unit(organisation, **_check(form)))


@router.get(
    "/organisations/{slug}/units/{unit_id}",
    response={200: UnitOut, **ERRORS},
    url_name="unit",
    tags=["units"],
)
@api_access(VIEW_ORGANISATION)
def get_unit(request: MemberRequest, slug: str, unit_id: int) -> Any:
    return services.get_unit_for(request.membership, unit_id)


@router.patch(
    "/organisations/{slug}/units/{unit_id}",
    response={200: UnitOut, **WRITE_ERRORS},
    url_name="unit",
    tags=["units"],
)
@api_access(MANAGE_ORGANISATION)
def update_unit(
    request: MemberRequest, slug: str, unit_id: int, payload: UnitPatch
) -> Any:
    """Rename or move a unit (administrators); send only the fields to change."""
    membership = request.membership
    changes = payload.dict(exclude_unset=True)
    expect = versions.expected(request, changes.pop("version", None))

    def attempt() -> Unit:
        unit = services.get_unit_for(membership, unit_id)
        versions.check(unit, expect)
        data = {"name": unit.name, "level": unit.level, "parent": unit.parent_id}
        data.update({_FORM_FIELD.get(k, k): v for k, v in changes.items()})
        form = UnitForm(data, instance=unit, organisation=membership.organisation)
        return services.update_unit(unit, **_check(form))

    return versions.save(expect, attempt)


@router.delete(
    "/organisations/{slug}/units/{unit_id}",
    response={204: None, **WRITE_ERRORS},
    url_name="unit",
    tags=["units"],
)
@api_access(MANAGE_ORGANISATION)
def delete_unit(request: MemberRequest, slug: str, unit_id: int) -> Any:
    """Delete a unit with no units under it (administrators); its members keep their place without a unit."""
    membership = request.membership
    unit = services.get_unit_for(membership, unit_id)
    require_delete(
        membership,
        has_history=unit.has_history(),
        what="a unit with units under it or projects",
    )
    services.delete_unit(unit)
    return Status(204, None)


# Members ----------------------------------------------------------------------------


@router.get(
    "/organisations/{slug}/members",
    response={200: Page[MemberOut], **ERRORS},
    url_name="members",
    tags=["members"],
)
@api_access(VIEW_ORGANISATION)
def list_members(
    request: MemberRequest,
    slug: str,
    page: Query[PageQuery],
    role: MembershipRole | None = None,
) -> Any:
    """The people in the organisation, with their roles and units."""
    membership = request.membership
    members = (
        Membership.objects.for_organisation(membership.organisation)
        .select_related("user")
        .order_by("user__full_name", "user__email", "pk")
    )
    if role:
        members = members.filter(role=role)
    result = paginate(members, page)
    result["items"] = [_member_out(m) for m in result["items"]]
    return result


@router.get(
    "/organisations/{slug}/members/{member_id}",
    response={200: MemberOut, **ERRORS},
    url_name="member",
    tags=["members"],
)
@api_access(VIEW_ORGANISATION)
def get_member(request: MemberRequest, slug: str, member_id: int) -> Any:
    return _member_out(services.get_member_for(request.membership, member_id))


@router.patch(
    "/organisations/{slug}/members/{member_id}",
    response={200: MemberOut, **WRITE_ERRORS},
    url_name="member",
    tags=["members"],
)
@api_access(MANAGE_ORGANISATION)
def update_member(
    request: MemberRequest, slug: str, member_id: int, payload: MemberPatch
) -> Any:
    """Change a member's role or unit (administrators); an organisation keeps at least one administrator."""
    membership = request.membership
    changes = payload.dict(exclude_unset=True)
    expect = versions.expected(request, changes.pop("version", None))

    def attempt() -> Membership:
        member = services.get_member_for(membership, member_id)
        versions.check(member, expect)
        data = {"role": member.role, "unit": member.unit_id}
        data.update({_FORM_FIELD.get(k, k): v for k, v in changes.items()})
        # Bound without the instance: the form must not change the row before the
        # service has compared the old role with the new one.
        form = MembershipForm(data, organisation=membership.organisation)
        cleaned = _check(form)
        return services.change_role(member, role=cleaned["role"], unit=cleaned["unit"])

    return _member_out(versions.save(expect, attempt))


@router.delete(
    "/organisations/{slug}/members/{member_id}",
    response={204: None, **WRITE_ERRORS},
    url_name="member",
    tags=["members"],
)
@api_access(MANAGE_ORGANISATION)
def remove_member(request: MemberRequest, slug: str, member_id: int) -> Any:
    """Take someone out of the organisation (administrators); the last administrator stays."""
    membership = request.membership
    services.remove_member(services.get_member_for(membership, member_id))
    return Status(204, None)


# Invitations ------------------------------------------------------------------------


@router.get(
    "/organisations/{slug}/invitations",
    response={200: Page[InvitationOut], **ERRORS},
    url_name="invitations",
    tags=["invitations"],
)
@api_access(MANAGE_ORGANISATION)
def list_invitations(
    request: MemberRequest,
    slug: str,
    page: Query[PageQuery],
    is_open: bool | None = None,
) -> Any:
    """Invitations sent, newest first (administrators); ``is_open=true`` for those still waiting."""
    membership = request.membership
    invitations = (
        Invitation.objects.for_organisation(membership.organisation)
        .select_related("invited_by")
        .order_by("-created_at", "-pk")
    )
    if is_open is not None:
        now = timezone.now()
        still_open = invitations.filter(
            accepted_at=None, revoked_at=None, expires_at__gt=now
        )
        invitations = (
            still_open
            if is_open
            else invitations.exclude(pk__in=still_open.values("pk"))
        )
    result = paginate(invitations, page)
    result["items"] = [_invitation_out(i) for i in result["items"]]
    return result


@router.post(
    "/organisations/{slug}/invitations",
    response={201: InvitationOut, **WRITE_ERRORS},
    url_name="invitations",
    tags=["invitations"],
)
@api_access(MANAGE_ORGANISATION)
def create_invitation(request: MemberRequest, slug: str, payload: InvitationIn) -> Any:
    """Invite someone by e-mail (administrators). The e-mail carries the link to accept;
    the link's token is never returned."""
    membership = request.membership
    organisation = membership.organisation
    form = InvitationForm(
        {"email": payload.email, "role": payload.role, "unit": payload.unit_id},
        organisation=organisation,
    )
    cleaned = _check(form)
    invitation = services.invite(
        organisation,
        email=cleaned["email"],
        role=cleaned["role"],
        unit=cleaned["unit"],
        invited_by=caller(request),
        site_url=request.build_absolute_uri("/"),
    )
    return Status(201, _invitation_out(invitation))


@router.get(
    "/organisations/{slug}/invitations/{invitation_id}",
    response={200: InvitationOut, **ERRORS},
    url_name="invitation",
    tags=["invitations"],
)
@api_access(MANAGE_ORGANISATION)
def get_invitation(request: MemberRequest, slug: str, invitation_id: int) -> Any:
    membership = request.membership
    return _invitation_out(services.get_invitation_for(membership, invitation_id))


@router.delete(
    "/organisations/{slug}/invitations/{invitation_id}",
    response={204: None, **WRITE_ERRORS},
    url_name="invitation",
    tags=["invitations"],
)
@api_access(MANAGE_ORGANISATION)
def revoke_invitation(request: MemberRequest, slug: str, invitation_id: int) -> Any:
    """Revoke an open invitation (administrators); its link stops working."""
    membership = request.membership
    services.revoke_invitation(services.get_invitation_for(membership, invitation_id))
    return Status(204, None)


# The audit trail and staff records -------------------------------------------------------


@router.get(
    "/organisations/{slug}/audit",
    response={200: Page[AuditEventOut], **ERRORS},
    url_name="audit",
    tags=["audit"],
)
@api_access(VIEW_TRAIL)
def list_audit_events(
    request: MemberRequest, slug: str, query: Query[AuditQuery]
) -> Any:
    """Who changed what and when, newest first (administrators)."""
    membership = request.membership
    events = AuditEvent.objects.for_organisation(membership.organisation)
    if query.model:
        events = events.filter(model__iexact=query.model)
    if query.action:
        events = events.filter(action=query.action)
    if query.since:
        since = query.since
        if timezone.is_naive(since):
            since = timezone.make_aware(since)
        events = events.filter(at__gte=since)
    result = paginate(events.order_by("-at", "-pk"), query)
    result["items"] = [
        {
            "id": e.pk,
            "at": e.at,
            "actor_id": e.actor_id,
            "actor": e.actor_label or "system",
            "via": e.via,
            "action": e.action,
            "model": e.model,
            "object_id": e.object_pk,
            "object": e.object_repr,
            "before": e.before,
            "after": e.after,
        }
        for e in result["items"]
    ]
    return result


@router.get(
    "/organisations/{slug}/staff",
    response={200: Page[StaffOut], **ERRORS},
    url_name="staff",
    tags=["staff"],
)
@api_access(READ_STAFF)
def list_staff(
    request: MemberRequest,
    slug: str,
    page: Query[PageQuery],
    unit_id: int | None = None,
    is_active: bool | None = None,
) -> Any:
    """Staff records for capability building (administrators and the QI team)."""
    membership = request.membership
    staff = StaffRecord.objects.for_organisation(membership.organisation).order_by(
        "reference", "pk"
    )
    if unit_id is not None:
        staff = staff.filter(unit_id=unit_id)
    if is_active is not None:
        staff = staff.filter(is_active=is_active)
    return paginate(staff, page)
