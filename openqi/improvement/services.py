"""Driver diagrams and PDSA ramps: the tree, its drawing, moves, and ramps of cycles.

The diagram is drawn on the server as SVG with the standard library only, so the
same picture appears in the page, the board report and the API: four columns
(aim, primary drivers, secondary drivers, change ideas), boxes with the text
wrapped inside, elbow lines from each node to its children, and a ``<desc>``
that reads the whole diagram as text.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from html import escape

from django.db import transaction
from django.db.models import Max, QuerySet

from openqi.core.wording import listed
from openqi.organisations.access import deletion_rule, find_for
from openqi.organisations.models import Membership
from openqi.projects.models import Project

from .models import DriverNode, PDSACycle

Kind = DriverNode.Kind

#: What each delete confirmation says about who may delete (docs/api.md, "Deleting").
NODE_DELETION_RULE = deletion_rule(
    history="once it or anything under it has PDSA cycles"
)
CYCLE_DELETION_RULE = deletion_rule(history="once its Do or Study is recorded")


# ---------------------------------------------------------------- looking up


def get_driver_node_for(
    membership: Membership, project: Project, pk: int
) -> DriverNode:
    """The node ``pk`` of the project's driver diagram (the project found with
    :func:`openqi.projects.services.get_project_for`), or a 404 that says where the
    API lists them; used by the pages and the API alike."""
    nodes: QuerySet[DriverNode] = DriverNode.objects.for_organisation(
        membership.organisation
    ).filter(project=project)
    return find_for(
        membership,
        nodes,
        pk,
        "driver diagram node",
        f"projects/{project.pk}/driver-nodes",
    )


def get_cycle_for(membership: Membership, project: Project, pk: int) -> PDSACycle:
    """The project's PDSA cycle ``pk``, or a 404 that says where the API lists them."""
    cycles: QuerySet[PDSACycle] = (
        PDSACycle.objects.for_organisation(membership.organisation)
        .filter(project=project)
        .select_related("change_idea", "previous")
    )
    return find_for(
        membership, cycles, pk, "PDSA cycle", f"projects/{project.pk}/cycles"
    )


# NHS identity colours (https://www.england.nhs.uk/nhsidentity/identity-guidelines/colours/)
# and the NHS.UK frontend tag colours, so the drawings match the pages.
NHS_DARK_BLUE = "#003087"
NHS_BLUE = "#005eb8"
NHS_PALE_BLUE = "#e8f1f8"
NHS_PALE_GREY = "#e8edee"
NHS_MID_GREY = "#768692"
NHS_DARK_GREY = "#425563"
NHS_TEXT = "#212b32"
NHS_WHITE = "#ffffff"
NHS_GREEN = "#007f3b"
FONT = "Frutiger W01, Arial, Helvetica, sans-serif"


# ---------------------------------------------------------------- the tree


@dataclass
class Branch:
    """A node and the branches under it, in position order."""

    node: DriverNode
    children: list[Branch] = field(default_factory=list)

    def descendants(self) -> list[DriverNode]:
        found = []
        for child in self.children:
            found.append(child.node)
            found.extend(child.descendants())
        return found


def driver_tree(project: Project) -> list[Branch]:
    """The project's driver nodes as a tree under the aim (one query)."""
    nodes = list(DriverNode.objects.filter(project=project).order_by("position", "pk"))
    branches = {node.pk: Branch(node) for node in nodes}
    top: list[Branch] = []
    for node in nodes:
        parent = branches.get(node.parent_id) if node.parent_id else None
        (parent.children if parent else top).append(branches[node.pk])
    return top


def find_branch(tree: list[Branch], pk: int) -> Branch | None:
    for branch in tree:
        if branch.node.pk == pk:
            return branch
        if found := find_branch(branch.children, pk):
            return found
    return None


def allowed_kinds(parent: DriverNode | None) -> list[str]:
    """The kinds of node that may sit under ``parent`` (None: the aim), from PARENT_KIND."""
    parent_kind = parent.kind if parent else None
    return [
        kind
        for kind, parents in DriverNode.PARENT_KIND.items()
        if parent_kind in parents
    ]


def add_node(node: DriverNode) -> DriverNode:
    """Save a new node as the last of its siblings."""
    siblings = DriverNode.objects.filter(project=node.project, parent=node.parent)
    last = siblings.aggregate(last=Max("position"))["last"]
    node.position = 0 if last is None else last + 1
    node.save()
    return node


@transaction.atomic
def move_node(node: DriverNode, direction: str) -> bool:
    """Swap the node with its sibling above ("up") or below ("down").

    Positions of the siblings are renumbered 0, 1, 2… on the way, so gaps and
    ties left by deletions do not matter. Returns False when it cannot move.
    """
    siblings = list(
        DriverNode.objects.filter(project=node.project, parent=node.parent).order_by(
            "position", "pk"
        )
    )
    index = next(i for i, sibling in enumerate(siblings) if sibling.pk == node.pk)
    other = index - 1 if direction == "up" else index + 1
    if not 0 <= other < len(siblings):
        return False
    siblings[index], siblings[other] = siblings[other], siblings[index]
    for position, sibling in enumerate(siblings):
        if sibling.position != position:
            sibling.position = position
            sibling.save(update_fields=["position"])
    return True


@dataclass(frozen=True)
class DeleteImpact:
    """What else goes when a node is deleted."""

    secondary: int
    change_ideas: int
    cycles: int

    def __bool__(self) -> bool:
        return bool(self.secondary or self.change_ideas or self.cycles)

    def sentence(self) -> str:
        parts = [
            _count(self.secondary, "secondary driver"),
            _count(self.change_ideas, "change idea"),
            _count(self.cycles, "PDSA cycle"),
        ]
        parts = [p for p in parts if p]
        if not parts:
            return ""
        return f"This also deletes {listed(parts)} under it."


def _count(n: int, noun: str) -> str:
    return "" if not n else f"{n} {noun}{'' if n == 1 else 's'}"


def delete_impact(branch: Branch) -> DeleteImpact:
    nodes = [branch.node, *branch.descendants()]
    ideas = [n.pk for n in nodes if n.kind == Kind.CHANGE_IDEA]
    return DeleteImpact(
        secondary=sum(1 for n in nodes[1:] if n.kind == Kind.SECONDARY),
        change_ideas=sum(1 for n in nodes[1:] if n.kind == Kind.CHANGE_IDEA),
        cycles=PDSACycle.objects.filter(change_idea__in=ideas).count(),
    )


def delete_node(node: DriverNode) -> None:
    """Delete the node with everything under it (and the PDSA cycles on those ideas)."""
    node.delete()


def change_ideas(project: Project) -> list[DriverNode]:
    """The project's change ideas in diagram order."""

    def walk(branches: list[Branch]) -> list[DriverNode]:
        found = []
        for branch in branches:
            if branch.node.kind == Kind.CHANGE_IDEA:
                found.append(branch.node)
            found.extend(walk(branch.children))
        return found

    return walk(driver_tree(project))


# ------------------------------------------------------- drawing the diagram

#: Approximate advance widths (in em) of a humanist sans-serif such as Frutiger
#: or Arial; there are no font metrics in the standard library, so the wrapping
#: errs on the wide side.
_NARROW = set("ijl|!.,;:'`") | {"I"}
_SEMI_NARROW = set("ftr()[]-/ ") | {'"'}
_WIDE = set("mwMW@%")
_CAPITALS = set("ABCDEFGHJKLNOPQRSTUVXYZ&")


def _char_width(char: str) -> float:
    if char in _NARROW:
        return 0.26
    if char in _SEMI_NARROW:
        return 0.34
    if char in _WIDE:
        return 0.86
    if char in _CAPITALS:
        return 0.68
    return 0.55


def text_width(text: str, font_size: float) -> float:
    """The estimated width of ``text`` set at ``font_size``."""
    return sum(_char_width(c) for c in text) * font_size


def wrap_text(text: str, width: float, font_size: float) -> list[str]:
    """Break ``text`` into lines no wider than ``width``; overlong words are split."""
    lines: list[str] = []
    line = ""
    for word in text.split():
        while text_width(word, font_size) > width:
            # A word wider than the box: cut it where it fits, with a hyphen.
            cut = len(word) - 1
            while cut > 1 and text_width(word[:cut] + "-", font_size) > width:
                cut -= 1
            if line:
                lines.append(line)
                line = ""
            lines.append(word[:cut] + "-")
            word = word[cut:]
        candidate = f"{line} {word}" if line else word
        if text_width(candidate, font_size) <= width:
            line = candidate
        else:
            lines.append(line)
            line = word
    if line:
        lines.append(line)
    return lines or [""]


@dataclass(frozen=True)
class _Column:
    title: str
    x: float
    width: float
    fill: str
    stroke: str
    colour: str
    bold: bool = False


FONT_SIZE = 14
LINE_HEIGHT = 18
BASELINE = 13  # from the top of a line box to the text's baseline
PAD_X = 10
PAD_Y = 9
GAP = 10  # between sibling boxes
GROUP_GAP = 22  # between primary drivers
GUTTER = 44
HEADING = 36  # room for the column headings
MARGIN = 8

_COLUMN_SPECS = [
    # title, width, fill, stroke, text colour, bold
    ("Aim", 180, NHS_DARK_BLUE, NHS_DARK_BLUE, NHS_WHITE, True),
    ("Primary drivers", 190, NHS_BLUE, NHS_BLUE, NHS_WHITE, True),
    ("Secondary drivers", 220, NHS_PALE_BLUE, NHS_BLUE, NHS_TEXT, False),
    ("Change ideas", 240, NHS_WHITE, NHS_GREEN, NHS_TEXT, False),
]


def _columns() -> list[_Column]:
    columns, x = [], float(MARGIN)
    for title, width, fill, stroke, colour, bold in _COLUMN_SPECS:
        columns.append(_Column(title, x, width, fill, stroke, colour, bold))
        x += width + GUTTER
    return columns


_COLUMN_OF = {Kind.PRIMARY: 1, Kind.SECONDARY: 2, Kind.CHANGE_IDEA: 3}


@dataclass
class _Box:
    column: _Column
    lines: list[str]
    note: str = ""
    y: float = 0.0

    @property
    def height(self) -> float:
        rows = len(self.lines) + (1 if self.note else 0)
        return rows * LINE_HEIGHT + 2 * PAD_Y

    @property
    def middle(self) -> float:
        return self.y + self.height / 2


def _box_for(column: _Column, text: str, note: str = "") -> _Box:
    return _Box(column, wrap_text(text, column.width - 2 * PAD_X, FONT_SIZE), note)


def diagram_svg(
    project: Project,
    tree: list[Branch],
    cycle_notes: dict[int, str] | None = None,
) -> str:
    """The driver diagram as an SVG document (a string), readable at ~40 nodes.

    ``cycle_notes`` maps a change idea's id to a short note drawn under its text
    (for example "2 PDSA cycles · adopted").
    """
    cycle_notes = cycle_notes or {}
    columns = _columns()
    aim_text = project.aim_statement() or "No aim written yet"
    aim = _box_for(columns[0], aim_text)
    boxes: dict[int, _Box] = {}
    slot_of: dict[int, float] = {}

    def measure(branch: Branch) -> float:
        """Make the branch's boxes; return the height of its slot (its rows)."""
        column = columns[_COLUMN_OF.get(Kind(branch.node.kind), 3)]
        box = _box_for(column, branch.node.text, cycle_notes.get(branch.node.pk, ""))
        boxes[branch.node.pk] = box
        inner = sum(measure(c) for c in branch.children)
        inner += GAP * max(len(branch.children) - 1, 0)
        slot_of[branch.node.pk] = max(box.height, inner)
        return slot_of[branch.node.pk]

    def place(branch: Branch, top: float) -> None:
        """Centre the box on its slot, and its children's block on the slot too."""
        slot = slot_of[branch.node.pk]
        box = boxes[branch.node.pk]
        box.y = top + (slot - box.height) / 2
        heights = [slot_of[c.node.pk] for c in branch.children]
        y = top + (slot - sum(heights) - GAP * max(len(heights) - 1, 0)) / 2
        for child, height in zip(branch.children, heights, strict=True):
            place(child, y)
            y += height + GAP

    slots = [measure(b) for b in tree]
    body = sum(slots) + GROUP_GAP * max(len(slots) - 1, 0)
    body = max(body, aim.height)
    y = HEADING + (body - (sum(slots) + GROUP_GAP * max(len(slots) - 1, 0))) / 2
    for branch, slot in zip(tree, slots, strict=True):
        place(branch, y)
        y += slot + GROUP_GAP
    aim.y = HEADING + (body - aim.height) / 2

    width = columns[-1].x + columns[-1].width + MARGIN
    height = HEADING + body + MARGIN
    title = f"Driver diagram: {project.title}"
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="openqi-driver-diagram__svg" '
        f'viewBox="0 0 {width:.0f} {height:.0f}" width="{width:.0f}" height="{height:.0f}" '
        f'role="img" aria-labelledby="driver-diagram-title driver-diagram-desc" '
        f'font-family="{FONT}" font-size="{FONT_SIZE}">',
        f'<title id="driver-diagram-title">{escape(title)}</title>',
        f'<desc id="driver-diagram-desc">{escape(diagram_description(project, tree))}</desc>',
    ]
    for column in columns:
        out.append(
            f'<text x="{column.x:.1f}" y="{HEADING - 14}" font-weight="bold" '
            f'font-size="15" fill="{NHS_TEXT}">{escape(column.title)}</text>'
        )
    out.append(f'<g fill="none" stroke="{NHS_MID_GREY}" stroke-width="1.5">')
    for branch in tree:
        out.append(_connector(aim, boxes[branch.node.pk]))
    for branch in _walk(tree):
        for child in branch.children:
            out.append(_connector(boxes[branch.node.pk], boxes[child.node.pk]))
    out.append("</g>")
    out.append(_draw_box(aim, "aim"))
    for branch in _walk(tree):
        out.append(_draw_box(boxes[branch.node.pk], branch.node.kind))
    out.append("</svg>")
    return "\n".join(out)


def _walk(tree: list[Branch]) -> list[Branch]:
    found = []
    for branch in tree:
        found.append(branch)
        found.extend(_walk(branch.children))
    return found


def _connector(parent: _Box, child: _Box) -> str:
    """An elbow line from the right of the parent's box to the left of the child's."""
    x1 = parent.column.x + parent.column.width
    x2 = child.column.x
    elbow = x1 + GUTTER / 2
    return (
        f'<path d="M{x1:.1f},{parent.middle:.1f} H{elbow:.1f} '
        f'V{child.middle:.1f} H{x2:.1f}"/>'
    )


def _draw_box(box: _Box, kind: str) -> str:
    column = box.column
    weight = ' font-weight="bold"' if column.bold else ""
    parts = [
        f'<g class="openqi-driver-diagram__{kind}">',
        f'<rect x="{column.x:.1f}" y="{box.y:.1f}" width="{column.width}" '
        f'height="{box.height:.1f}" rx="4" fill="{column.fill}" '
        f'stroke="{column.stroke}" stroke-width="{2 if kind == Kind.CHANGE_IDEA else 1}"/>',
        f'<text fill="{column.colour}"{weight}>',
    ]
    # Each line's baseline sits a little below the middle of its line box.
    baseline = box.y + PAD_Y + BASELINE
    for n, line in enumerate(box.lines):
        parts.append(
            f'<tspan x="{column.x + PAD_X:.1f}" y="{baseline + n * LINE_HEIGHT:.1f}">'
            f"{escape(line)}</tspan>"
        )
    parts.append("</text>")
    if box.note:
        note_y = baseline + len(box.lines) * LINE_HEIGHT
        parts.append(
            f'<text x="{column.x + PAD_X:.1f}" y="{note_y:.1f}" font-size="12" '
            f'fill="{NHS_DARK_GREY}">{escape(box.note)}</text>'
        )
    parts.append("</g>")
    return "".join(parts)


def diagram_description(project: Project, tree: list[Branch]) -> str:
    """The diagram read as text, for the SVG's ``<desc>`` and screen readers."""
    aim = project.aim_statement() or "no aim written yet"
    sentences = [f"Aim: {aim.rstrip('.')}."]
    if not tree:
        sentences.append("No drivers yet.")
    else:
        sentences.append(
            f"{_count(len(tree), 'primary driver') or 'No primary drivers'}."
        )
    for number, branch in enumerate(tree, start=1):
        sentences.append(f"Primary driver {number}: {branch.node.text.rstrip('.')}.")
        for child in branch.children:
            if child.node.kind == Kind.CHANGE_IDEA:
                sentences.append(f"Change idea: {child.node.text.rstrip('.')}.")
                continue
            ideas = [c.node.text.rstrip(".") for c in child.children]
            sentences.append(f"Secondary driver: {child.node.text.rstrip('.')}.")
            if ideas:
                label = "Change idea" if len(ideas) == 1 else "Change ideas"
                sentences.append(f"{label}: {'; '.join(ideas)}.")
            else:
                sentences.append("No change ideas yet.")
    return " ".join(sentences)


def cycle_notes(project: Project) -> dict[int, str]:
    """A short note per change idea about its PDSA cycles, for the diagram."""
    notes: dict[int, str] = {}
    for ramp in ramps(project):
        if not ramp.cycles:
            continue
        note = _count(len(ramp.cycles), "PDSA cycle")
        last = ramp.cycles[-1]
        if last.act:
            note += f" · {last.get_act_display().lower()}ed"
        notes[ramp.change_idea.pk] = note
    return notes


# ------------------------------------------------------------ PDSA ramps

#: The steps of a cycle in order; a cycle's ``stage`` is the furthest step recorded.
STEPS = [
    PDSACycle.Stage.PLAN,
    PDSACycle.Stage.DO,
    PDSACycle.Stage.STUDY,
    PDSACycle.Stage.ACT,
]
STEP_NAMES = {
    PDSACycle.Stage.PLAN: "Plan",
    PDSACycle.Stage.DO: "Do",
    PDSACycle.Stage.STUDY: "Study",
    PDSACycle.Stage.ACT: "Act",
}

#: NHS.UK tag colours for stages and decisions.
STAGE_TAGS = {
    PDSACycle.Stage.PLAN: "nhsuk-tag--white",
    PDSACycle.Stage.DO: "nhsuk-tag--blue",
    PDSACycle.Stage.STUDY: "nhsuk-tag--purple",
    PDSACycle.Stage.ACT: "nhsuk-tag--grey",
}
ACT_TAGS = {
    PDSACycle.Act.ADOPT: "nhsuk-tag--green",
    PDSACycle.Act.ADAPT: "nhsuk-tag--yellow",
    PDSACycle.Act.ABANDON: "nhsuk-tag--red",
}
#: (background, border and text) of each decision's tag, for the ramp drawing.
_ACT_COLOURS = {
    PDSACycle.Act.ADOPT: ("#cce5d8", "#004c23"),
    PDSACycle.Act.ADAPT: ("#fff59d", "#4d4712"),
    PDSACycle.Act.ABANDON: ("#f7d4d1", "#6b140e"),
}


def step_index(stage: str) -> int:
    return STEPS.index(PDSACycle.Stage(stage))


def next_step(cycle: PDSACycle) -> str:
    """The step to record next: the first of do, study and act left empty."""
    if not cycle.do.strip():
        return PDSACycle.Stage.DO
    if not cycle.study.strip():
        return PDSACycle.Stage.STUDY
    return PDSACycle.Stage.ACT


@dataclass
class Ramp:
    """A change idea's PDSA cycles in order, following ``previous``."""

    change_idea: DriverNode
    cycles: list[PDSACycle]
    #: The secondary (or primary) driver the idea sits under, for context.
    driver: DriverNode | None = None

    @property
    def last(self) -> PDSACycle | None:
        return self.cycles[-1] if self.cycles else None


def _in_order(cycles: list[PDSACycle]) -> list[PDSACycle]:
    """Chains following ``previous``, each from its first cycle, earliest chain first."""
    by_pk = {c.pk: c for c in cycles}
    following = {c.previous_id: c for c in cycles if c.previous_id in by_pk}
    heads = [c for c in cycles if c.previous_id not in by_pk]
    heads.sort(key=lambda c: (c.start_date is None, c.start_date, c.pk))
    ordered: list[PDSACycle] = []
    seen: set[int] = set()
    for head in heads:
        cycle: PDSACycle | None = head
        while cycle is not None and cycle.pk not in seen:
            ordered.append(cycle)
            seen.add(cycle.pk)
            cycle = following.get(cycle.pk)
    # A loop of ``previous`` links has no head; keep its cycles visible anyway.
    ordered += [c for c in sorted(cycles, key=lambda c: c.pk) if c.pk not in seen]
    return ordered


def ramps(project: Project) -> list[Ramp]:
    """One ramp per change idea of the project, in diagram order (ideas with no cycles too)."""
    ideas = change_ideas(project)
    nodes = {n.pk: n for n in DriverNode.objects.filter(project=project)}
    by_idea: dict[int, list[PDSACycle]] = defaultdict(list)
    for cycle in PDSACycle.objects.filter(project=project):
        by_idea[cycle.change_idea_id].append(cycle)
    return [
        Ramp(idea, _in_order(by_idea.get(idea.pk, [])), nodes.get(idea.parent_id or 0))
        for idea in ideas
    ]


def ramp_for(change_idea: DriverNode) -> Ramp:
    cycles = list(PDSACycle.objects.filter(change_idea=change_idea))
    return Ramp(change_idea, _in_order(cycles), change_idea.parent)


def last_cycle(change_idea: DriverNode) -> PDSACycle | None:
    """The cycle a new one on this idea follows on from: the end of its ramp."""
    return ramp_for(change_idea).last


def save_step(cycle: PDSACycle, step: str) -> PDSACycle:
    """Save the cycle after a step was recorded; its stage is the furthest step so far."""
    if step_index(step) > step_index(cycle.stage):
        cycle.stage = step
    cycle.save()
    return cycle


@transaction.atomic
def delete_cycle(cycle: PDSACycle) -> None:
    """Delete a cycle, joining the ramp up again around it."""
    following = PDSACycle.objects.filter(previous=cycle).first()
    before = cycle.previous
    if following is not None:
        cycle.previous = None
        cycle.save(update_fields=["previous"])
        following.previous = before
        following.save(update_fields=["previous"])
    cycle.delete()


RAMP_STEP = 100  # between wheels, across
RAMP_RISE = 24  # between wheels, up
RAMP_RADIUS = 24


def ramp_svg(ramp: Ramp, element_id: str, current: PDSACycle | None = None) -> str:
    """A small drawing of the ramp: each cycle a PDSA wheel climbing to the right.

    A wheel's quadrants (Act, Plan / Study, Do, as Deming drew it) fill as the
    cycle's steps are recorded; the decision is written under it. ``current``
    gets a ring around it.
    """
    count = len(ramp.cycles)
    r = RAMP_RADIUS
    climb = RAMP_RISE * max(count - 1, 0)
    width = 2 * (r + 40) + RAMP_STEP * max(count - 1, 0)
    height = climb + 2 * r + 70
    first_x, first_y = r + 40, height - r - 34
    described = "; ".join(
        f"cycle {n}, {c.title}: {c.get_stage_display().lower()}"
        + (f", {c.get_act_display().lower()}" if c.act else "")
        for n, c in enumerate(ramp.cycles, start=1)
    )
    desc = (
        f"{_count(count, 'PDSA cycle')} on {ramp.change_idea.text}: {described}."
        if count
        else f"No PDSA cycles yet on {ramp.change_idea.text}."
    )
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="openqi-ramp__svg" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" '
        f'aria-labelledby="{element_id}-title {element_id}-desc" '
        f'font-family="{FONT}" font-size="14">',
        f'<title id="{element_id}-title">Ramp of PDSA cycles: '
        f"{escape(ramp.change_idea.text)}</title>",
        f'<desc id="{element_id}-desc">{escape(desc)}</desc>',
        # The ramp itself, rising under the wheels, with an arrow at its top.
        f'<path d="M{first_x - r - 30},{first_y + r} '
        f'L{first_x + RAMP_STEP * max(count - 1, 0) + r + 24},{first_y + r - climb - 14}" '
        f'stroke="{NHS_MID_GREY}" stroke-width="3" fill="none" '
        f'marker-end="url(#{element_id}-arrow)"/>',
        f'<defs><marker id="{element_id}-arrow" viewBox="0 0 10 10" refX="5" refY="5" '
        f'markerWidth="5" markerHeight="5" orient="auto-start-reverse">'
        f'<path d="M0,0 L10,5 L0,10 Z" fill="{NHS_MID_GREY}"/></marker></defs>',
    ]
    for n, cycle in enumerate(ramp.cycles, start=1):
        cx = first_x + (n - 1) * RAMP_STEP
        cy = first_y - (n - 1) * RAMP_RISE
        if current is not None and cycle.pk == current.pk:
            out.append(
                f'<circle cx="{cx}" cy="{cy}" r="{r + 5}" fill="{NHS_WHITE}" '
                f'stroke="{NHS_TEXT}" stroke-width="3"/>'
            )
        out.append(_wheel(cx, cy, step_index(cycle.stage)))
        out.append(
            f'<text x="{cx}" y="{cy - r - 6}" text-anchor="middle" '
            f'font-weight="bold" fill="{NHS_TEXT}">{n}</text>'
        )
        if cycle.act:
            fill, ink = _ACT_COLOURS[PDSACycle.Act(cycle.act)]
            out.append(
                f'<rect x="{cx - 34}" y="{cy + r + 6}" width="68" height="22" rx="2" '
                f'fill="{fill}" stroke="{ink}"/>'
                f'<text x="{cx}" y="{cy + r + 22}" text-anchor="middle" '
                f'font-weight="bold" fill="{ink}">{cycle.get_act_display()}</text>'
            )
    if not count:
        out.append(
            f'<text x="{first_x - r}" y="{first_y}" fill="{NHS_DARK_GREY}">'
            "No cycles yet</text>"
        )
    out.append("</svg>")
    return "".join(out)


def _wheel(cx: float, cy: float, reached: int) -> str:
    """A PDSA wheel: quadrants Plan (top right), Do, Study, Act (top left), filled when reached."""
    r = RAMP_RADIUS
    # Plan top right, Do bottom right, Study bottom left, Act top left.
    corners = [(0, -r, r, 0), (r, 0, 0, r), (0, r, -r, 0), (-r, 0, 0, -r)]
    letters = [
        ("P", 0.45, -0.3),
        ("D", 0.45, 0.62),
        ("S", -0.45, 0.62),
        ("A", -0.45, -0.3),
    ]
    parts = ['<g class="openqi-ramp__wheel">']
    for i, ((x1, y1, x2, y2), (letter, lx, ly)) in enumerate(
        zip(corners, letters, strict=True)
    ):
        filled = i <= reached
        fill = NHS_BLUE if filled else NHS_WHITE
        ink = NHS_WHITE if filled else NHS_DARK_GREY
        parts.append(
            f'<path d="M{cx},{cy} L{cx + x1},{cy + y1} A{r},{r} 0 0 1 {cx + x2},{cy + y2} Z" '
            f'fill="{fill}" stroke="{NHS_BLUE}" stroke-width="1.5"/>'
            f'<text x="{cx + lx * r:.1f}" y="{cy + ly * r:.1f}" text-anchor="middle" '
            f'font-size="12" font-weight="bold" fill="{ink}">{letter}</text>'
        )
    parts.append("</g>")
    return "".join(parts)
