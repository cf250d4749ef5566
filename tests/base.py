"""The shared cast for view and API tests (house style §8).

Organisation A has one member of each role: an administrator (``editor``: may
change and manage), the QI team's ``qi_lead``, a project ``lead``, a ``member``
and a ``viewer``; organisation B has the ``outsider``. Every view test runs as
the roles it is about; the access walk (tests/test_access_walk.py) runs as all.
"""

from __future__ import annotations

from typing import Any

from django.test import TestCase

from openqi.accounts.models import User
from openqi.organisations.models import Organisation, Role, Unit
from tests.factories import PASSWORD, make_member, make_organisation, make_unit


class BaseTestCase(TestCase):
    password = PASSWORD
    org: Organisation
    other_org: Organisation
    division: Unit
    directorate: Unit
    team: Unit
    editor: User
    qi_lead: User
    lead: User
    member: User
    viewer: User
    outsider: User

    @classmethod
    def setUpTestData(cls) -> None:
        cls.org = make_organisation(
            name="Northfield Hospitals NHS Trust", slug="northfield"
        )
        cls.other_org = make_organisation(
            name="Southmere Community Trust", slug="southmere"
        )
        cls.division = make_unit(cls.org, name="Medicine")
        cls.directorate = make_unit(cls.org, name="Emergency care", parent=cls.division)
        cls.team = make_unit(
            cls.org, name="Emergency department", parent=cls.directorate
        )
        cls.editor = make_member(cls.org, Role.ADMIN, full_name="Ada Editor")
        cls.qi_lead = make_member(cls.org, Role.QI_TEAM, full_name="Quinn Improver")
        cls.lead = make_member(cls.org, Role.PROJECT_LEAD, full_name="Lee Lead")
        cls.member = make_member(cls.org, Role.MEMBER, full_name="Mo Member")
        cls.viewer = make_member(cls.org, Role.VIEWER, full_name="Vic Viewer")
        cls.outsider = make_member(cls.other_org, Role.ADMIN, full_name="Olu Outsider")

    def sign_in(self, user: Any) -> None:
        self.client.force_login(user)
