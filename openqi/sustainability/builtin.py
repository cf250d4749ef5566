"""The ten factors a team rates in a sustainability check, as data.

The factors and their three groups follow the NHS Sustainability Model (NHS
Institute for Innovation and Improvement, "Sustainability Model and Guide",
2010). The questions, hints, suggested actions and the scoring
(:mod:`openqi.sustainability.scoring`) are OpenQI's own: the model's text and
weights are not reproduced.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["FACTORS", "FACTOR_KEYS", "GROUPS", "SCALE", "Factor", "factor"]


@dataclass(frozen=True)
class Factor:
    key: str
    group: str
    title: str
    question: str
    hint: str
    action: str


#: Group key → its heading.
GROUPS: dict[str, str] = {
    "process": "The change itself",
    "staff": "The people",
    "organisation": "The organisation",
}

#: The 1–5 scale every factor is rated on: value → what it means.
SCALE: dict[int, str] = {
    1: "Not at all",
    2: "A little",
    3: "Partly",
    4: "Mostly",
    5: "Fully",
}

FACTORS: tuple[Factor, ...] = (
    Factor(
        "benefits",
        "process",
        "Benefits beyond patients",
        "Does the change make work easier, quicker or safer for staff as well as better for patients?",
        "Think of time saved, fewer hand-offs, less rework or a calmer shift.",
        "List what the change saves staff each week and share it at the team huddle.",
    ),
    Factor(
        "evidence",
        "process",
        "Credible evidence",
        "Do the people affected believe the data show the change works here?",
        "Would a sceptical colleague accept your run or SPC chart?",
        "Walk a sceptical colleague through the SPC chart and ask what would convince them.",
    ),
    Factor(
        "adaptability",
        "process",
        "Adaptability",
        "Can the change bend to fit a new rota, new staff or a busy day without falling apart?",
        "Which parts are essential, and which may teams adjust?",
        "Write down the essential parts of the change and which parts teams may adapt.",
    ),
    Factor(
        "monitoring",
        "process",
        "Monitoring progress",
        "Is someone still looking at the measures regularly, and acting when they slip?",
        "A named owner, a routine review and a clear trigger for action.",
        "Name an owner for each measure and put its chart on a regular meeting's agenda.",
    ),
    Factor(
        "involvement",
        "staff",
        "Staff involvement and training",
        "Were the staff who run the change involved in shaping it, and are newcomers taught it?",
        "Think of induction, rotating staff and bank or agency colleagues.",
        "Add the change to induction and ask two front-line staff to teach it.",
    ),
    Factor(
        "behaviours",
        "staff",
        "Staff attitudes and behaviours",
        "Do staff see the change as the normal way of working rather than an extra task?",
        "Would it carry on if the project team stepped away tomorrow?",
        "Ask staff what makes the change feel like extra work, and remove one of those things.",
    ),
    Factor(
        "senior_leaders",
        "staff",
        "Senior leaders' engagement",
        "Do senior leaders know about the change, ask about it and help remove obstacles?",
        "Executives, divisional directors and general managers.",
        "Brief the senior sponsor with the latest chart and ask for one obstacle to be removed.",
    ),
    Factor(
        "clinical_leaders",
        "staff",
        "Clinical leaders' engagement",
        "Do the clinical leaders of the service champion the change with their peers?",
        "Consultants, senior nurses and allied health professional leads.",
        "Invite a clinical leader to present the results to their peers.",
    ),
    Factor(
        "fit",
        "organisation",
        "Fit with goals and culture",
        "Does the change serve the organisation's priorities and fit how it likes to work?",
        "Is it linked to a strategic priority the board follows?",
        "Link the project to a strategic priority and report it through that route.",
    ),
    Factor(
        "infrastructure",
        "organisation",
        "Infrastructure to sustain it",
        "Are the policies, job descriptions, equipment and data systems in place to keep it going?",
        "What would stop it if the current champions left?",
        "Write the change into the relevant policy, procedure or job description.",
    ),
)

FACTOR_KEYS: tuple[str, ...] = tuple(f.key for f in FACTORS)
_BY_KEY = {f.key: f for f in FACTORS}


def factor(key: str) -> Factor:
    """The factor ``key`` (KeyError for an unknown key)."""
    return _BY_KEY[key]
