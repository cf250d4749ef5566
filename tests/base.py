"""The shared cast for view and API tests (house style §8).

Organisation A has an administrator (``editor``: may change and manage) and a
``viewer``; organisation B has the ``outsider``. Every view test runs as all
three.
"""

from __future__ import annotations

from django.test import TestCase

from openqi.organisations.models import Role
from tests.factories import PASSWORD, make_member, make_organisation, make_unit


class BaseTestCase(TestCase):
    password = PASSWORD

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
        cls.viewer = make_member(cls.org, Role.VIEWER, full_name="Vic Viewer")
        cls.outsider = make_member(cls.other_org, Role.ADMIN, full_name="Olu Outsider")

    def sign_in(self, user) -> None:  # type: ignore[no-untyped-def]
        self.client.force_login(user)
