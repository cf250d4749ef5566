"""Small helpers that build test data (house style: no factory library)."""

from __future__ import annotations

import itertools
from typing import Any

from openqi.accounts.models import User
from openqi.organisations.models import Membership, Organisation, Role, Unit

_seq = itertools.count(1)
PASSWORD = "correct-horse-battery"


def make_user(**fields: Any) -> User:
    n = next(_seq)
    fields.setdefault("email", f"person{n}@example.org")
    fields.setdefault("full_name", f"Test Person {n}")
    password = fields.pop("password", PASSWORD)
    return User.objects.create_user(password=password, **fields)


def make_organisation(**fields: Any) -> Organisation:
    n = next(_seq)
    fields.setdefault("name", f"Test Trust {n}")
    fields.setdefault("slug", f"test-trust-{n}")
    return Organisation.objects.create(**fields)


def make_unit(organisation: Organisation, **fields: Any) -> Unit:
    n = next(_seq)
    fields.setdefault("name", f"Unit {n}")
    fields.setdefault(
        "level", Unit.Level.DIVISION if fields.get("parent") is None else None
    )
    if fields["level"] is None:
        parent_level = fields["parent"].level
        fields["level"] = (
            Unit.Level.DIRECTORATE
            if parent_level == Unit.Level.DIVISION
            else Unit.Level.TEAM
        )
    return Unit.objects.create(organisation=organisation, **fields)


def make_member(
    organisation: Organisation, role: str = Role.MEMBER, **user_fields: Any
) -> User:
    user = make_user(**user_fields)
    Membership.objects.create(user=user, organisation=organisation, role=role)
    return user
