"""The driver diagram's services: the tree, its rules, moves, deletes and the drawing."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from itertools import pairwise

from openqi.improvement import services as drivers
from openqi.improvement.forms import DriverNodeForm
from openqi.improvement.models import DriverNode
from tests.base import BaseTestCase
from tests.improvement.routes import (
    make_cycle,
    make_diagram,
    make_driver_project,
    make_node,
)

SVG = "{http://www.w3.org/2000/svg}"


def falls_project(organisation):  # type: ignore[no-untyped-def]
    """A realistic size: 4 primary drivers, 10 secondary drivers and 24 change ideas."""
    project = make_driver_project(organisation)
    for p in range(4):
        primary = make_node(project, "primary", f"Primary driver number {p + 1}")
        for s in range(3 if p < 2 else 2):
            secondary = make_node(
                project,
                "secondary",
                f"Secondary driver {p + 1}.{s + 1} about something that matters a lot",
                primary,
            )
            for i in range(3 if p < 1 else 2):
                make_node(
                    project,
                    "change_idea",
                    f"Change idea {p + 1}.{s + 1}.{i + 1}: test a new way of working "
                    "on the ward with the night team",
                    secondary,
                )
    make_node(project, "change_idea", "An idea straight under a primary", primary)
    return project


class TreeTests(BaseTestCase):
    def test_tree_nests_in_position_order(self) -> None:
        project = make_driver_project(self.org)
        nodes = make_diagram(project)
        second = make_node(project, "primary", "Safe environment")
        nodes["primary"].position = 5
        nodes["primary"].save()
        tree = drivers.driver_tree(project)
        self.assertEqual([b.node for b in tree], [second, nodes["primary"]])
        self.assertEqual(tree[1].children[0].node, nodes["secondary"])
        self.assertEqual(tree[1].children[0].children[0].node, nodes["idea"])

    def test_allowed_kinds_follow_parent_kind(self) -> None:
        project = make_driver_project(self.org)
        nodes = make_diagram(project)
        self.assertEqual(drivers.allowed_kinds(None), ["primary"])
        self.assertEqual(
            drivers.allowed_kinds(nodes["primary"]), ["secondary", "change_idea"]
        )
        self.assertEqual(drivers.allowed_kinds(nodes["secondary"]), ["change_idea"])
        self.assertEqual(drivers.allowed_kinds(nodes["idea"]), [])

    def test_form_refuses_a_change_idea_under_the_aim(self) -> None:
        project = make_driver_project(self.org)
        form = DriverNodeForm(
            {"kind": "change_idea", "text": "Night-lights"},
            project=project,
            parent=None,
        )
        self.assertFalse(form.is_valid())
        self.assertIn("cannot sit under the aim", str(form.non_field_errors()))

    def test_form_refuses_a_primary_under_a_secondary(self) -> None:
        project = make_driver_project(self.org)
        nodes = make_diagram(project)
        form = DriverNodeForm(
            {"kind": "primary", "text": "Safe environment"},
            project=project,
            parent=nodes["secondary"],
        )
        self.assertFalse(form.is_valid())
        self.assertIn("cannot sit under a secondary", str(form.non_field_errors()))

    def test_form_needs_text(self) -> None:
        project = make_driver_project(self.org)
        form = DriverNodeForm(
            {"kind": "primary", "text": ""}, project=project, parent=None
        )
        self.assertFalse(form.is_valid())
        self.assertIn("text", form.errors)

    def test_new_nodes_go_last(self) -> None:
        project = make_driver_project(self.org)
        first = drivers.add_node(DriverNode(project=project, kind="primary", text="A"))
        second = drivers.add_node(DriverNode(project=project, kind="primary", text="B"))
        self.assertLess(first.position, second.position)

    def test_move_swaps_with_the_sibling_and_stops_at_the_ends(self) -> None:
        project = make_driver_project(self.org)
        a = make_node(project, "primary", "A")
        b = make_node(project, "primary", "B")
        c = make_node(project, "primary", "C")
        self.assertTrue(drivers.move_node(c, "up"))
        order = [br.node.text for br in drivers.driver_tree(project)]
        self.assertEqual(order, ["A", "C", "B"])
        self.assertFalse(drivers.move_node(a, "up"))
        b.refresh_from_db()
        self.assertFalse(drivers.move_node(b, "down"))

    def test_delete_impact_counts_what_goes_with_the_node(self) -> None:
        project = make_driver_project(self.org)
        nodes = make_diagram(project)
        make_cycle(nodes["idea"])
        branch = drivers.find_branch(drivers.driver_tree(project), nodes["primary"].pk)
        impact = drivers.delete_impact(branch)
        self.assertEqual(
            (impact.secondary, impact.change_ideas, impact.cycles), (1, 1, 1)
        )
        self.assertEqual(
            impact.sentence(),
            "This also deletes 1 secondary driver, 1 change idea and 1 PDSA cycle under it.",
        )
        drivers.delete_node(nodes["primary"])
        self.assertFalse(DriverNode.objects.filter(project=project).exists())


class WrapTests(BaseTestCase):
    def test_lines_fit_the_width(self) -> None:
        text = "Bedside 'within reach' checklist on every intentional round"
        lines = drivers.wrap_text(text, 200, 14)
        self.assertGreater(len(lines), 1)
        self.assertEqual(" ".join(lines), text)
        for line in lines:
            self.assertLessEqual(drivers.text_width(line, 14), 200)

    def test_an_overlong_word_is_split(self) -> None:
        lines = drivers.wrap_text("x" * 80, 100, 14)
        self.assertGreater(len(lines), 1)
        self.assertTrue(all(drivers.text_width(line, 14) <= 100 for line in lines))


class DiagramTests(BaseTestCase):
    def test_svg_parses_and_holds_every_node_and_a_description(self) -> None:
        project = falls_project(self.org)
        tree = drivers.driver_tree(project)
        root = ET.fromstring(drivers.diagram_svg(project, tree))
        self.assertEqual(root.tag, f"{SVG}svg")
        self.assertEqual(root.get("role"), "img")
        drawn = " ".join(
            " ".join(t.itertext()) for t in root.iter(f"{SVG}text")
        ).replace("- ", "-")
        desc = root.find(f"{SVG}desc").text
        self.assertIn("Reduce inpatient falls with harm", desc)
        self.assertTrue(root.find(f"{SVG}title").text.startswith("Driver diagram"))
        for node in DriverNode.objects.filter(project=project):
            self.assertIn(node.text, desc)
            # Wrapped over lines, every word is still drawn.
            for word in node.text.split():
                self.assertIn(word, drawn)

    def test_boxes_in_a_column_never_overlap(self) -> None:
        project = falls_project(self.org)
        root = ET.fromstring(drivers.diagram_svg(project, drivers.driver_tree(project)))
        columns: dict[str, list[tuple[float, float]]] = {}
        for rect in root.iter(f"{SVG}rect"):
            columns.setdefault(rect.get("x"), []).append(
                (float(rect.get("y")), float(rect.get("height")))
            )
        self.assertEqual(len(columns), 4)
        self.assertEqual(len(columns[max(columns, key=float)]), 24)
        for boxes in columns.values():
            boxes.sort()
            for (y1, h1), (y2, _) in pairwise(boxes):
                self.assertLessEqual(y1 + h1, y2)

    def test_text_is_escaped(self) -> None:
        project = make_driver_project(self.org, aim_what="Fewer falls <script>")
        make_node(project, "primary", "Staff & patients <together>")
        svg = drivers.diagram_svg(project, drivers.driver_tree(project))
        root = ET.fromstring(svg)  # would fail on raw < or &
        self.assertNotIn("<script>", svg)
        self.assertIn("Staff &amp; patients", svg)
        self.assertIsNotNone(root)

    def test_an_empty_diagram_still_draws_the_aim(self) -> None:
        project = make_driver_project(self.org, aim_what="")
        root = ET.fromstring(drivers.diagram_svg(project, []))
        self.assertIn("No drivers yet", root.find(f"{SVG}desc").text)
        self.assertIn("No aim written yet", " ".join(root.itertext()))
