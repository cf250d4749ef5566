"""OpenQI's built-in capability framework: six levels, from an introduction for
everyone to the board's own development, written for OpenQI.

Each level names the audience it serves among the three the seed's Box 3 asks
different things of: the board; operational and clinical improvement leaders;
and all staff. An organisation changes the wording, adds or removes levels
freely once it is installed (``services.install_builtin_framework``)."""

from __future__ import annotations

from dataclasses import dataclass

from .models import Audience


@dataclass(frozen=True)
class BuiltinLevel:
    name: str
    description: str
    who_for: str
    skills: str
    audience: str


BUILTIN_LEVELS: tuple[BuiltinLevel, ...] = (
    BuiltinLevel(
        name="Improvement awareness",
        description=(
            "A short introduction to how the organisation improves its work: why it "
            "does so, what it looks like on a ward or in an office, and how anyone "
            "can take part."
        ),
        who_for="Everyone who works here, clinical and non-clinical, early in their time with us.",
        skills=(
            "Knows the organisation's improvement priorities and its way of improving. "
            "Reads a chart of data over time and asks what it shows before reacting "
            "to one number. Knows how to put forward an idea or a problem and who "
            "will help. Takes part willingly when a change is tested in their area."
        ),
        audience=Audience.ALL_STAFF,
    ),
    BuiltinLevel(
        name="Improvement practitioner",
        description=(
            "The practical skills to be a useful member of an improvement team, "
            "learnt while working on a real project."
        ),
        who_for="Staff who take part in an improvement project as members of its team.",
        skills=(
            "Links an aim to the changes being tried with a driver diagram. Plans, "
            "runs and reviews small tests of change. Collects data for a measure and "
            "plots it over time. Maps a process to find delays, waste and "
            "duplication. Starts from what patients and colleagues experience."
        ),
        audience=Audience.ALL_STAFF,
    ),
    BuiltinLevel(
        name="Improvement project lead",
        description=(
            "Deeper method and the leadership to take a team from a problem to a "
            "change that lasts."
        ),
        who_for="People who lead an improvement project or a team's programme of work.",
        skills=(
            "Sets a clear aim with outcome, process and balancing measures. Reads run "
            "and SPC charts and tells routine variation from a real change. Plans a "
            "sequence of tests and spreads what works. Keeps a team going through "
            "setbacks and keeps its sponsor informed. Shares what was learnt, "
            "including what did not work."
        ),
        audience=Audience.LEADERS,
    ),
    BuiltinLevel(
        name="Improvement coach",
        description=(
            "The skills to support several teams at once, so that they find their "
            "own answers and keep to the method."
        ),
        who_for="Experienced project leads who support other teams' projects.",
        skills=(
            "Coaches by asking rather than telling. Helps teams choose and read their "
            "measures. Notices when a project is stuck and helps it move on or stop. "
            "Teaches the method to practitioners and project leads. Connects teams "
            "working on similar problems."
        ),
        audience=Audience.LEADERS,
    ),
    BuiltinLevel(
        name="Expert adviser",
        description=(
            "Specialist knowledge of method and measurement for the organisation's "
            "largest and most complex work."
        ),
        who_for="A small number of specialists who advise on method across the organisation.",
        skills=(
            "Advises on the design and measurement of complex work, including "
            "advanced SPC. Designs programmes that run across many teams and sites. "
            "Reviews the quality of improvement work and the strength of its "
            "evidence. Develops the organisation's own teaching and its coaches. "
            "Links improvement with research, audit and partners in the system."
        ),
        audience=Audience.LEADERS,
    ),
    BuiltinLevel(
        name="Board and executive development",
        description=(
            "What the board and executives need to lead an organisation that "
            "improves: setting direction, asking for the right evidence, and "
            "making room for teams to improve."
        ),
        who_for="Board members, executives and senior leaders who set direction and hold the organisation to account.",
        skills=(
            "Chooses a few improvement priorities and stays with them. Asks for data "
            "over time rather than single figures and red, amber and green ratings. "
            "Recognises when a chart shows a real change. Gives teams time, support "
            "and permission to test ideas. Removes the barriers teams cannot remove "
            "themselves. Shows curiosity and learns from what fails."
        ),
        audience=Audience.BOARD,
    ),
)
