"""Figures kept in the shared cache until the organisation's data change
(openqi/audit/kept.py): read from the cache while nothing changes, computed
afresh after any audited change or new chart summary, and never out of date in
the transaction that made the change. The journey's evidence counts use it.

These tests commit (TransactionTestCase): the data version moves when a
transaction commits, which a test inside one transaction never does.
"""

from __future__ import annotations

import datetime

from django.core.cache import cache
from django.db import transaction
from django.test import TransactionTestCase

from openqi.audit.kept import kept
from openqi.journey import services as journey
from openqi.journey.models import JourneyStep
from openqi.measures.summaries import refresh_summaries
from openqi.organisations.models import Role
from tests.barriers.helpers import make_barrier
from tests.factories import make_member, make_organisation
from tests.portfolio.portfolio_data import make_measure


class KeptFiguresTests(TransactionTestCase):
    def setUp(self) -> None:
        cache.clear()
        self.org = make_organisation(name="Kept Figures Trust", slug="kept-figures")
        self.other = make_organisation(name="Elsewhere Trust", slug="elsewhere")
        self.admin = make_member(self.org, Role.ADMIN)
        self.calls = 0

    def figure(self, organisation=None) -> int:  # type: ignore[no-untyped-def]
        def compute() -> int:
            self.calls += 1
            return self.calls

        return kept((organisation or self.org).pk, "test-figure:1", compute)

    def test_kept_until_an_audited_change_commits(self) -> None:
        self.assertEqual(self.figure(), 1)
        self.assertEqual(self.figure(), 1)
        make_barrier(self.org, title="No cover for the night shift")
        self.assertEqual(self.figure(), 2)
        self.assertEqual(self.figure(), 2)

    def test_another_organisations_change_leaves_it(self) -> None:
        self.figure()
        self.figure(self.other)
        make_barrier(self.other, title="Elsewhere's barrier")
        self.assertEqual(self.figure(), 1)

    def test_the_changing_transaction_never_reads_an_old_figure(self) -> None:
        self.figure()
        with transaction.atomic():
            make_barrier(self.org, title="Raised inside a transaction")
            self.assertEqual(self.figure(), 2)
            self.assertEqual(self.figure(), 3)  # computed afresh until it ends
        self.assertEqual(self.figure(), 4)
        self.assertEqual(self.figure(), 4)

    def test_a_new_chart_summary_moves_the_version(self) -> None:
        measure = make_measure(self.org, [1.0] * 14)
        self.figure()
        refresh_summaries([measure])
        self.assertEqual(self.figure(), 2)

    def test_the_journey_shows_a_new_barrier_at_once(self) -> None:
        JourneyStep.objects.create(organisation=self.org, number=5)
        today = datetime.date.today()

        def barrier_sentence() -> str:
            steps = list(JourneyStep.objects.filter(organisation=self.org))
            views = journey.step_views(self.org, steps, today)
            items = [item for view in views for item in view.automatic]
            return next(i.sentence for i in items if "arrier" in i.label)

        before = barrier_sentence()
        self.assertEqual(barrier_sentence(), before)
        make_barrier(self.org, title="Theatre lists overrun")
        self.assertNotEqual(barrier_sentence(), before)
