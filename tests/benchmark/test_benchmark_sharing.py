"""Who sees what: a system's benchmark is seen by its members and the system's own
people; each member reports only its own row; a units benchmark stays with its
owner; another system's members and outsiders get nothing."""

from __future__ import annotations

import math

from django.urls import reverse

from openqi.audit.models import AuditEvent
from openqi.benchmark import services
from openqi.benchmark.models import Benchmark, Value
from openqi.organisations.models import Organisation, Role
from tests.base import BaseTestCase
from tests.benchmark.helpers import make_benchmark, make_participant, month, value_data
from tests.factories import make_member, make_organisation


class SystemBenchmarkTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.system = make_organisation(
            name="Riverside system", slug="a-system", kind=Organisation.Kind.SYSTEM
        )
        cls.org.system = cls.system
        cls.org.save()
        cls.peer = make_organisation(name="Peer Trust", slug="peer", system=cls.system)
        cls.peer_member = make_member(cls.peer, Role.MEMBER)
        cls.system_lead = make_member(cls.system, Role.QI_TEAM)
        cls.other_system = make_organisation(
            name="Elsewhere system", slug="elsewhere", kind=Organisation.Kind.SYSTEM
        )
        cls.other_org.system = cls.other_system
        cls.other_org.save()
        cls.benchmark = make_benchmark(cls.system)
        cls.mine = cls.benchmark.participants.get(organisation=cls.org)
        cls.theirs = cls.benchmark.participants.get(organisation=cls.peer)

    def _detail(self, slug: str) -> str:
        return reverse(
            "benchmark:detail", kwargs={"slug": slug, "pk": self.benchmark.pk}
        )

    def test_each_member_takes_part(self) -> None:
        self.assertEqual(self.benchmark.scope, Benchmark.Scope.SYSTEM)
        self.assertEqual(
            {p.organisation_id for p in self.benchmark.participants.all()},
            {self.org.pk, self.peer.pk},
        )

    def test_members_and_the_system_see_every_members_values(self) -> None:
        services.report_value(self.theirs, month(2024, 3), 30, 40)
        for user, slug in (
            (self.member, self.org.slug),
            (self.peer_member, self.peer.slug),
            (self.system_lead, self.system.slug),
        ):
            self.sign_in(user)
            response = self.client.get(self._detail(slug))
            self.assertEqual(response.status_code, 200, slug)
            self.assertContains(response, "Peer Trust")
            self.assertContains(response, "75.0%")

    def test_another_systems_member_and_an_outsider_get_nothing(self) -> None:
        self.sign_in(self.outsider)
        self.assertEqual(
            self.client.get(self._detail(self.other_org.slug)).status_code, 404
        )
        self.assertEqual(self.client.get(self._detail(self.org.slug)).status_code, 404)
        listing = self.client.get(
            reverse("benchmark:list", kwargs={"slug": self.other_org.slug})
        )
        self.assertNotContains(listing, self.benchmark.name)
        api = self.client.get(
            f"/api/v1/organisations/{self.other_org.slug}/benchmarks/{self.benchmark.pk}"
        )
        self.assertEqual(api.status_code, 404)
        self.assertEqual(list(services.benchmarks_for(self.other_org)), [])

    def test_a_member_reports_its_own_row_only(self) -> None:
        self.sign_in(self.member)
        own = reverse(
            "benchmark:report",
            kwargs={
                "slug": self.org.slug,
                "pk": self.benchmark.pk,
                "participant": self.mine.pk,
            },
        )
        response = self.client.post(own, value_data())
        self.assertEqual(response.status_code, 302)
        value = Value.objects.get(participant=self.mine)
        self.assertEqual((value.numerator, value.denominator), (40, 50))
        event = AuditEvent.objects.filter(organisation=self.org).latest("pk")
        self.assertIn("40", str(event.after))
        before = AuditEvent.objects.count()
        other = reverse(
            "benchmark:report",
            kwargs={
                "slug": self.org.slug,
                "pk": self.benchmark.pk,
                "participant": self.theirs.pk,
            },
        )
        refused = self.client.post(other, value_data(numerator="1"))
        self.assertEqual(refused.status_code, 403)
        self.assertFalse(Value.objects.filter(participant=self.theirs).exists())
        self.assertEqual(AuditEvent.objects.count(), before)
        api = self.client.post(
            f"/api/v1/organisations/{self.org.slug}/benchmarks/{self.benchmark.pk}"
            f"/participants/{self.theirs.pk}/values",
            {"period": "2024-03", "numerator": 1, "denominator": 2},
            content_type="application/json",
        )
        self.assertEqual(api.status_code, 403)

    def test_a_member_cannot_import_into_the_systems_benchmark(self) -> None:
        self.sign_in(self.qi_lead)
        url = reverse(
            "benchmark:import", kwargs={"slug": self.org.slug, "pk": self.benchmark.pk}
        )
        self.assertEqual(self.client.get(url).status_code, 403)

    def test_a_units_benchmark_stays_with_its_owner(self) -> None:
        units = make_benchmark(self.org)
        make_participant(units, code="W1")
        self.assertNotIn(units, services.benchmarks_for(self.peer))
        self.assertNotIn(units, services.benchmarks_for(self.system))
        self.sign_in(self.peer_member)
        url = reverse(
            "benchmark:detail", kwargs={"slug": self.peer.slug, "pk": units.pk}
        )
        self.assertEqual(self.client.get(url).status_code, 404)
        self.assertTrue(math.isfinite(units.multiplier))
