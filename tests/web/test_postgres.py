"""The PostgreSQL pass of `make test` really runs on PostgreSQL, and what the
two databases could disagree on behaves the same on it."""

from __future__ import annotations

import os

import pytest
from django.db import connection

from openqi.audit.models import AuditEvent
from openqi.organisations.models import Unit
from tests.base import BaseTestCase

ON_POSTGRES = os.environ.get("DATABASE_URL", "").startswith(("postgres", "pgsql"))


@pytest.mark.skipif(
    not ON_POSTGRES, reason="runs in the PostgreSQL pass of `make test`"
)
class PostgresPassTests(BaseTestCase):
    def test_the_suite_runs_on_a_postgresql_test_database(self) -> None:
        self.assertEqual(connection.vendor, "postgresql")
        self.assertTrue(connection.settings_dict["NAME"].startswith("test_"))

    def test_audit_values_round_trip_through_jsonb(self) -> None:
        self.team.name = "Emergency department – minors (café, 24/7)"
        self.team.save()

        event = AuditEvent.objects.filter(
            model__icontains="unit", action="update"
        ).first()

        self.assertIsNotNone(event)
        self.assertIn("Emergency department – minors (café, 24/7)", str(event.after))

    def test_units_of_one_organisation_stay_in_it(self) -> None:
        names = set(
            Unit.objects.for_organisation(self.org).values_list("name", flat=True)
        )
        self.assertEqual(names, {"Medicine", "Emergency care", "Emergency department"})
        self.assertFalse(Unit.objects.for_organisation(self.other_org).exists())
