"""PDSA ramps: cycles in order following ``previous``, the last cycle, steps and deletes."""

from __future__ import annotations

import datetime
import xml.etree.ElementTree as ET

from openqi.improvement import services as drivers
from openqi.improvement.models import PDSACycle
from tests.base import BaseTestCase
from tests.improvement.routes import (
    make_cycle,
    make_diagram,
    make_driver_project,
    make_node,
)


class RampTests(BaseTestCase):
    def setUp(self) -> None:
        self.project = make_driver_project(self.org)
        self.nodes = make_diagram(self.project)
        self.idea = self.nodes["idea"]

    def test_ramp_follows_previous_not_dates(self) -> None:
        first = make_cycle(
            self.idea, title="First", start_date=datetime.date(2025, 3, 1)
        )
        second = make_cycle(
            self.idea,
            title="Second",
            previous=first,
            start_date=datetime.date(2025, 1, 1),
        )
        third = make_cycle(self.idea, title="Third", previous=second)
        ramp = drivers.ramp_for(self.idea)
        self.assertEqual(ramp.cycles, [first, second, third])
        self.assertEqual(ramp.last, third)
        self.assertEqual(drivers.last_cycle(self.idea), third)

    def test_ramps_cover_every_change_idea_in_diagram_order(self) -> None:
        other = make_node(
            self.project, "change_idea", "Night-lights", self.nodes["secondary"]
        )
        cycle = make_cycle(other)
        ramps = drivers.ramps(self.project)
        self.assertEqual([r.change_idea for r in ramps], [self.idea, other])
        self.assertEqual(ramps[0].cycles, [])
        self.assertEqual(ramps[1].cycles, [cycle])
        self.assertEqual(ramps[1].driver, self.nodes["secondary"])

    def test_separate_chains_on_one_idea_come_earliest_first(self) -> None:
        late = make_cycle(self.idea, title="Late", start_date=datetime.date(2025, 6, 1))
        early = make_cycle(
            self.idea, title="Early", start_date=datetime.date(2025, 1, 1)
        )
        after_early = make_cycle(self.idea, title="After early", previous=early)
        self.assertEqual(drivers.ramp_for(self.idea).cycles, [early, after_early, late])

    def test_deleting_a_middle_cycle_joins_the_ramp_up(self) -> None:
        first = make_cycle(self.idea)
        second = make_cycle(self.idea, previous=first)
        third = make_cycle(self.idea, previous=second)
        drivers.delete_cycle(second)
        third.refresh_from_db()
        self.assertEqual(third.previous, first)
        self.assertEqual(drivers.ramp_for(self.idea).cycles, [first, third])

    def test_save_step_moves_the_stage_forward_only(self) -> None:
        cycle = make_cycle(self.idea, stage="study", do="Ran it.", study="Held.")
        drivers.save_step(cycle, PDSACycle.Stage.PLAN)
        self.assertEqual(cycle.stage, "study")
        drivers.save_step(cycle, PDSACycle.Stage.ACT)
        self.assertEqual(cycle.stage, "act")

    def test_next_step_is_the_first_left_empty(self) -> None:
        cycle = make_cycle(self.idea)
        self.assertEqual(drivers.next_step(cycle), "do")
        cycle.do = "Ran it."
        self.assertEqual(drivers.next_step(cycle), "study")
        cycle.study = "Held."
        self.assertEqual(drivers.next_step(cycle), "act")

    def test_ramp_drawing_parses_and_describes_the_cycles(self) -> None:
        first = make_cycle(
            self.idea, title="Bay 2", act="adapt", study="Short.", stage="act"
        )
        make_cycle(self.idea, title="Nights", previous=first)
        svg = drivers.ramp_svg(drivers.ramp_for(self.idea), "ramp-1", current=first)
        root = ET.fromstring(svg)
        desc = root.find("{http://www.w3.org/2000/svg}desc").text
        self.assertIn("2 PDSA cycles", desc)
        self.assertIn("cycle 1, Bay 2: decided, adapt", desc)
        self.assertIn("cycle 2, Nights: planning", desc)
        self.assertIn("Adapt", " ".join(root.itertext()))

    def test_cycle_notes_for_the_diagram(self) -> None:
        make_cycle(self.idea, act="adopt", study="Worked.", stage="act")
        self.assertEqual(
            drivers.cycle_notes(self.project), {self.idea.pk: "1 PDSA cycle · adopted"}
        )
