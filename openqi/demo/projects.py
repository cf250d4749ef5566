"""Demo step: Riverside's improvement projects, at every stage, with their evidence.

Twenty-six projects written by hand: ideas, active, sustaining, completed and
stopped (with the reason) projects across the divisions and methods, each with an
aim (what, how much, by when), a lead and team from the demo's people, patient and
carer partners (invented), notes, progress ratings by the team and by the QI coach
over time, and measures from :mod:`openqi.demo.measures` linked as outcome,
process or balancing measures. Seven have full driver diagrams with PDSA ramps
whose cycles were adopted, adapted or abandoned. They are saved one by one, so
they are on the audit trail as the demo command's.

At ``large`` the trust gets :data:`LARGE_PROJECTS` projects in all: the others are
made from topics and teams in turn, with ratings, a small driver diagram, a PDSA
ramp and measure links, inserted in bulk and, like the staff records, not put on
the audit trail.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

import numpy as np

from openqi.accounts.models import User
from openqi.measures.models import Measure
from openqi.organisations.models import Organisation, Role, Unit
from openqi.projects.models import (
    DriverNode,
    Partner,
    PDSACycle,
    ProgressRating,
    Project,
    ProjectMeasure,
    ProjectNote,
    Tag,
)
from openqi.strategy.models import StrategicPriority

from .base import Demo
from .measures import AE_MEASURE, SEED, many_measure_names, units_by_name
from .organisations import PEOPLE

__all__ = ["LARGE_PROJECTS", "PROJECTS", "TODAY", "add_projects"]

#: The demo's "today": project dates, notes and ratings are set against it.
TODAY = datetime.date(2026, 11, 20)
#: Projects of the main trust at ``large`` (the curated ones included).
LARGE_PROJECTS = 2_000

d = datetime.date
S = Project.Status
M = Project.Method
A = PDSACycle.Act
OUTCOME, PROCESS, BALANCING = (
    ProjectMeasure.Role.OUTCOME,
    ProjectMeasure.Role.PROCESS,
    ProjectMeasure.Role.BALANCING,
)


@dataclass(frozen=True)
class _Cycle:
    title: str
    plan: str
    prediction: str
    start: datetime.date
    end: datetime.date | None = None
    do: str = ""
    study: str = ""
    act: str = ""
    act_notes: str = ""


@dataclass(frozen=True)
class _Idea:
    text: str
    #: A ramp: each cycle follows the one before.
    cycles: tuple[_Cycle, ...] = ()


@dataclass(frozen=True)
class _Driver:
    """A primary driver with its secondary drivers and their change ideas."""

    text: str
    secondaries: tuple[tuple[str, tuple[_Idea, ...]], ...]


@dataclass(frozen=True)
class _ProjectSpec:
    title: str
    unit: str
    lead: str
    coach: str
    status: str
    method: str
    start: datetime.date | None
    problem: str
    aim_what: str
    aim_how_much: str
    aim_by_when: datetime.date | None
    priorities: tuple[str, ...] = ()
    team: tuple[str, ...] = ()
    end: datetime.date | None = None
    status_reason: str = ""
    method_other: str = ""
    tags: tuple[str, ...] = ()
    #: (name, kind, contribution); every name is invented.
    partners: tuple[tuple[str, str, str], ...] = ()
    #: (date, author, text)
    notes: tuple[tuple[datetime.date, str, str], ...] = ()
    #: (date, the team's score, the coach's score or None)
    ratings: tuple[tuple[datetime.date, str, str | None], ...] = ()
    #: (measure name, role)
    measures: tuple[tuple[str, str], ...] = ()
    drivers: tuple[_Driver, ...] = field(default_factory=tuple)


HARM, EMERGENCY, COMMUNITIES, WORK = (
    "Zero avoidable harm",
    "Timely emergency care",
    "Healthy communities",
    "A great place to work",
)
PATIENT, CARER, SERVICE_USER, COMMUNITY = (
    Partner.Kind.PATIENT,
    Partner.Kind.CARER,
    Partner.Kind.SERVICE_USER,
    Partner.Kind.COMMUNITY,
)

PROJECTS: tuple[_ProjectSpec, ...] = (
    _ProjectSpec(
        "Sepsis antibiotics within the hour",
        "Emergency department",
        "Ruth Aldane",
        "Priya Venkataraman",
        S.ACTIVE,
        M.MODEL_FOR_IMPROVEMENT,
        d(2025, 11, 3),
        "Only six in ten adults with suspected sepsis get antibiotics within an hour "
        "of arrival. Delays cluster at night and when resus is full, and two serious "
        "incidents last year involved late antibiotics.",
        "Increase the share of adults with suspected sepsis given antibiotics within "
        "one hour of arrival",
        "from 62% to 90%",
        d(2027, 3, 31),
        (HARM, EMERGENCY),
        ("Beatrix Hollins", "Chidi Okafor-Lane", "Delphine Arkwright"),
        tags=("sepsis", "deterioration"),
        partners=(
            (
                "Marjorie Tennant",
                PATIENT,
                "Survived sepsis in 2023; speaks at staff training and reviews the "
                "patient leaflet.",
            ),
        ),
        notes=(
            (
                d(2025, 11, 10),
                "Ruth Aldane",
                "Process mapped with the night team: antibiotics wait for a doctor to "
                "prescribe, and the sepsis drugs are kept in three places.",
            ),
            (
                d(2026, 4, 20),
                "Priya Venkataraman",
                "Coaching session: the trolley ramp is ready to adopt; keep the run "
                "chart going weekly and watch the left-before-seen balancing measure.",
            ),
            (
                d(2026, 9, 14),
                "Ruth Aldane",
                "Fifteen weeks above the old mean. Presented to the emergency care "
                "board; the same approach is being offered to the acute medical unit.",
            ),
        ),
        ratings=(
            (d(2025, 12, 1), "1.5", "1.5"),
            (d(2026, 3, 2), "2.5", "2.0"),
            (d(2026, 6, 1), "3.0", "3.0"),
            (d(2026, 9, 28), "4.0", "3.5"),
        ),
        measures=(
            ("Sepsis: antibiotics within one hour of arrival", OUTCOME),
            ("Time from arrival to initial assessment", PROCESS),
            ("Patients who left the emergency department before being seen", BALANCING),
        ),
        drivers=(
            _Driver(
                "Recognise sepsis early",
                (
                    (
                        "Screen every adult at triage",
                        (
                            _Idea(
                                "Sepsis screening prompt on the triage screen",
                                (
                                    _Cycle(
                                        "Paper prompt at triage for one day shift",
                                        "Triage nurses use a laminated screening "
                                        "card for one day shift; Beatrix collects "
                                        "the cards.",
                                        "Eight in ten adults will be screened.",
                                        d(2026, 1, 12),
                                        d(2026, 1, 12),
                                        "Used for 41 of 56 adults; missed during the "
                                        "busy hour after 2 pm.",
                                        "73% screened, below the 80% predicted; "
                                        "nurses said the card got buried.",
                                        A.ADAPT,
                                        "Put the prompt on the triage screen instead "
                                        "of a card.",
                                    ),
                                    _Cycle(
                                        "Screen prompt for one week",
                                        "Digital team adds the prompt to the triage "
                                        "form in the test environment, then live "
                                        "for one week.",
                                        "Nine in ten adults will be screened.",
                                        d(2026, 2, 2),
                                        d(2026, 2, 8),
                                        "Live for the whole week, days and nights.",
                                        "92% screened; nights as good as days.",
                                        A.ADOPT,
                                        "Keep the prompt; report screening weekly.",
                                    ),
                                ),
                            ),
                        ),
                    ),
                ),
            ),
            _Driver(
                "Give antibiotics without delay",
                (
                    (
                        "Everything needed in one place",
                        (
                            _Idea(
                                "Sepsis trolley in resus",
                                (
                                    _Cycle(
                                        "Mock-up trolley for two nights",
                                        "Stock a spare trolley with antibiotics, "
                                        "giving sets and blood culture bottles; "
                                        "time each use.",
                                        "Preparation will take under five minutes.",
                                        d(2026, 3, 9),
                                        d(2026, 3, 11),
                                        "Used nine times; two items missing once.",
                                        "Median preparation 4 minutes, as predicted; "
                                        "a checklist would stop items going missing.",
                                        A.ADAPT,
                                        "Add a stock checklist checked every shift.",
                                    ),
                                    _Cycle(
                                        "Trolley with a shift checklist for a month",
                                        "Run the trolley with the checklist for "
                                        "four weeks across all shifts.",
                                        "Fewer than one shift in ten finds "
                                        "something missing.",
                                        d(2026, 4, 6),
                                        d(2026, 5, 3),
                                        "Checklist done on 108 of 112 shifts.",
                                        "Items missing on three shifts (3%).",
                                        A.ADOPT,
                                        "Trolley and checklist become standard in "
                                        "resus.",
                                    ),
                                ),
                            ),
                        ),
                    ),
                    (
                        "Nurses can start treatment",
                        (
                            _Idea(
                                "Patient group direction for the first dose",
                                (
                                    _Cycle(
                                        "Trained band 6 nurses give the first dose",
                                        "Six nurses trained on the patient group "
                                        "direction give first doses for two weeks.",
                                        "Antibiotics will start 20 minutes sooner.",
                                        d(2026, 6, 1),
                                        d(2026, 6, 14),
                                        "Used for 37 patients.",
                                        "Median door-to-antibiotics fell by 18 "
                                        "minutes; no prescribing errors.",
                                        A.ADOPT,
                                        "Train all band 6 nurses by December.",
                                    ),
                                ),
                            ),
                        ),
                    ),
                ),
            ),
        ),
    ),
    _ProjectSpec(
        "Rapid assessment and treatment in the emergency department",
        "Emergency department",
        "Ruth Aldane",
        "Tobias Whitlock",
        S.COMPLETED,
        M.LEAN,
        d(2017, 1, 9),
        "Type 1 attendances seen within four hours had fallen below 80%, far short of "
        "the 95% standard, with crowding every winter.",
        "Increase the share of type 1 attendances seen within four hours",
        "to 95%",
        d(2019, 3, 31),
        (EMERGENCY,),
        ("Beatrix Hollins", "Chidi Okafor-Lane"),
        end=d(2019, 3, 31),
        tags=("flow", "four hours"),
        notes=(
            (
                d(2017, 2, 6),
                "Ruth Aldane",
                "Value stream map finished: 40% of time in the department is waiting "
                "for a first assessment.",
            ),
            (
                d(2019, 4, 15),
                "Tobias Whitlock",
                "Closing review: the process did not reach 95% and deteriorated over "
                "2018 as attendances rose; the chart shows special cause concern. "
                "Lessons carried into the initial assessment project.",
            ),
        ),
        ratings=(
            (d(2017, 6, 1), "2.0", "2.0"),
            (d(2018, 1, 8), "2.5", "2.5"),
            (d(2019, 3, 29), "3.0", "2.5"),
        ),
        measures=((AE_MEASURE, OUTCOME),),
    ),
    _ProjectSpec(
        "Falls prevention on the elderly care wards",
        "Elderly care wards",
        "Isla Mawdsley",
        "Hannah Ferreira",
        S.SUSTAINING,
        M.MODEL_FOR_IMPROVEMENT,
        d(2025, 6, 2),
        "Falls on the elderly care wards are the trust's most reported harm; one in "
        "twenty causes moderate harm or worse.",
        "Reduce inpatient falls on the elderly care wards",
        "from 6.8 to under 5 per 1,000 occupied bed days",
        d(2026, 12, 31),
        (HARM,),
        ("Harpreet Sandhar", "Tariq Mahmoudi"),
        tags=("falls",),
        partners=(
            (
                "Glyn Hathersage",
                CARER,
                "Cared for his wife after a fall on the ward; helped design the "
                "bedside falls poster.",
            ),
            (
                "Patience Oduya",
                PATIENT,
                "Tested the call bell changes from the patient's side.",
            ),
        ),
        notes=(
            (
                d(2025, 6, 16),
                "Isla Mawdsley",
                "Baseline: most falls happen between 11 pm and 6 am, going to the "
                "toilet.",
            ),
            (
                d(2026, 1, 12),
                "Hannah Ferreira",
                "Falls bundle live on all four wards from January.",
            ),
            (
                d(2026, 10, 19),
                "Isla Mawdsley",
                "Ten months below the old mean; moving to sustain and sharing the "
                "bundle with the stroke unit.",
            ),
        ),
        ratings=(
            (d(2025, 7, 1), "1.5", "1.0"),
            (d(2025, 10, 1), "2.5", "2.5"),
            (d(2026, 2, 2), "3.5", "3.0"),
            (d(2026, 6, 1), "4.0", "4.0"),
            (d(2026, 10, 26), "4.5", "4.5"),
        ),
        measures=(("Inpatient falls per 1,000 occupied bed days", OUTCOME),),
        drivers=(
            _Driver(
                "Know who is at risk",
                (
                    (
                        "Assess every patient on admission",
                        (
                            _Idea(
                                "Lying and standing blood pressure within 24 hours",
                                (
                                    _Cycle(
                                        "One ward, one week",
                                        "Ward 22 nurses take lying and standing blood "
                                        "pressure for every new admission.",
                                        "Three quarters will be done within 24 hours.",
                                        d(2025, 9, 1),
                                        d(2025, 9, 7),
                                        "Done for 19 of 31 admissions.",
                                        "61%: lower than predicted; no one owned it "
                                        "at night.",
                                        A.ADAPT,
                                        "Give it to the healthcare assistant on the "
                                        "early shift.",
                                    ),
                                    _Cycle(
                                        "Early shift healthcare assistant owns it",
                                        "Same ward; the early healthcare assistant "
                                        "does every outstanding check by 10 am.",
                                        "Nine in ten within 24 hours.",
                                        d(2025, 9, 15),
                                        d(2025, 9, 21),
                                        "Done for 30 of 33 admissions.",
                                        "91%, as predicted.",
                                        A.ADOPT,
                                        "Spread to the other three wards.",
                                    ),
                                ),
                            ),
                        ),
                    ),
                ),
            ),
            _Driver(
                "Safe surroundings at night",
                (
                    (
                        "Help close at hand",
                        (
                            _Idea(
                                "Bay nursing for patients at high risk",
                                (
                                    _Cycle(
                                        "A nurse stays in the high-risk bay at night",
                                        "For two weeks a nurse is always in the bay "
                                        "with the highest-risk patients, 11 pm to 6 "
                                        "am.",
                                        "No falls in that bay.",
                                        d(2025, 11, 3),
                                        d(2025, 11, 16),
                                        "Covered on 12 of 14 nights.",
                                        "One fall, on a night without cover.",
                                        A.ADOPT,
                                        "Part of the falls bundle.",
                                    ),
                                ),
                            ),
                            _Idea(
                                "Motion sensor alarms",
                                (
                                    _Cycle(
                                        "Sensor pads on six beds",
                                        "Borrow six sensor pads for a fortnight.",
                                        "Staff reach the patient before they stand.",
                                        d(2025, 10, 6),
                                        d(2025, 10, 19),
                                        "Alarms went off 140 times, mostly false.",
                                        "Staff stopped responding within days; no "
                                        "effect on falls.",
                                        A.ABANDON,
                                        "Not worth the alarm fatigue; return the pads.",
                                    ),
                                ),
                            ),
                        ),
                    ),
                ),
            ),
        ),
    ),
    _ProjectSpec(
        "Faster thrombolysis for stroke",
        "Stroke unit",
        "Mehmet Orhan",
        "Callum Rennard",
        S.ACTIVE,
        M.MODEL_FOR_IMPROVEMENT,
        d(2025, 9, 1),
        "Door-to-needle times of around an hour, against a national ambition of 45 "
        "minutes; every minute costs brain tissue.",
        "Reduce the median door-to-needle time for thrombolysis",
        "from 58 to 40 minutes",
        d(2027, 6, 30),
        (HARM, EMERGENCY),
        ("Euan Strachan-Moss",),
        tags=("stroke",),
        partners=(
            (
                "Desmond Ashgrove",
                PATIENT,
                "Thrombolysed in 2024; joins the monthly team meeting.",
            ),
        ),
        notes=(
            (
                d(2025, 9, 15),
                "Mehmet Orhan",
                "Ambulance pre-alerts reach the stroke team only half the time.",
            ),
            (
                d(2026, 8, 3),
                "Callum Rennard",
                "Eight months each faster than the last: a trend. Keep going.",
            ),
        ),
        ratings=(
            (d(2025, 10, 1), "1.5", "1.5"),
            (d(2026, 2, 2), "2.5", "2.5"),
            (d(2026, 7, 1), "3.5", "3.0"),
        ),
        measures=(
            ("Door-to-needle time for thrombolysis", OUTCOME),
            ("Stroke patients admitted to the stroke unit within 4 hours", PROCESS),
        ),
        drivers=(
            _Driver(
                "Ready before the patient arrives",
                (
                    (
                        "Reliable pre-alert",
                        (
                            _Idea(
                                "Pre-alert rings the stroke bleep directly",
                                (
                                    _Cycle(
                                        "Direct pre-alert for one week",
                                        "Ambulance control rings the stroke bleep "
                                        "rather than the emergency department.",
                                        "The stroke team meets nine in ten "
                                        "pre-alerted patients at the door.",
                                        d(2026, 1, 5),
                                        d(2026, 1, 11),
                                        "Eleven pre-alerts, ten met at the door.",
                                        "As predicted.",
                                        A.ADOPT,
                                        "Agreed with the ambulance service.",
                                    ),
                                ),
                            ),
                        ),
                    ),
                    (
                        "Scan without delay",
                        (
                            _Idea(
                                "Straight to CT on the ambulance trolley",
                                (
                                    _Cycle(
                                        "Trolley to CT for daytime arrivals",
                                        "Pre-alerted patients go straight to CT on "
                                        "the ambulance trolley, 8 am to 8 pm.",
                                        "Ten minutes saved.",
                                        d(2026, 3, 2),
                                        d(2026, 3, 29),
                                        "Used for 14 patients.",
                                        "Median 12 minutes saved.",
                                        A.ADAPT,
                                        "Extend to nights with the radiographer on "
                                        "call.",
                                    ),
                                    _Cycle(
                                        "Trolley to CT around the clock",
                                        "As before, at all hours.",
                                        "The same saving at night.",
                                        d(2026, 5, 4),
                                        None,
                                        "Running.",
                                    ),
                                ),
                            ),
                        ),
                    ),
                ),
            ),
        ),
    ),
    _ProjectSpec(
        "Direct admission to the stroke unit",
        "Stroke unit",
        "Mehmet Orhan",
        "Callum Rennard",
        S.IDEA,
        M.MODEL_FOR_IMPROVEMENT,
        None,
        "Fewer than six in ten patients with a stroke reach the stroke unit within "
        "four hours, against a 90% standard, mostly because no bed is free.",
        "Increase stroke patients admitted to the stroke unit within four hours",
        "from 58% to 90%",
        d(2027, 12, 31),
        (HARM,),
        notes=(
            (
                d(2026, 10, 5),
                "Mehmet Orhan",
                "Idea raised at the stroke governance meeting: ring-fence one bed.",
            ),
        ),
        measures=(
            ("Stroke patients admitted to the stroke unit within 4 hours", OUTCOME),
        ),
    ),
    _ProjectSpec(
        "Fewer operations cancelled on the day",
        "Main theatres",
        "Jonah Templeton",
        "Tobias Whitlock",
        S.ACTIVE,
        M.LEAN,
        d(2025, 4, 7),
        "About nine operations a week are cancelled on the day, mostly because the "
        "patient is unfit, unprepared or there is no bed.",
        "Reduce elective operations cancelled on the day for non-clinical reasons",
        "by half",
        d(2026, 12, 31),
        (EMERGENCY,),
        ("Luca Benedetti-Shaw", "Morwenna Tregear"),
        tags=("theatres", "productivity"),
        notes=(
            (
                d(2026, 3, 16),
                "Jonah Templeton",
                "The spike in week of 9 March was the ventilation failure, not our "
                "process: annotated on the chart.",
            ),
        ),
        ratings=(
            (d(2025, 6, 2), "2.0", "1.5"),
            (d(2025, 12, 1), "2.5", "2.5"),
            (d(2026, 6, 1), "2.5", "2.5"),
        ),
        measures=(("Elective operations cancelled on the day", OUTCOME),),
        drivers=(
            _Driver(
                "Patients ready for surgery",
                (
                    (
                        "Patients know what to do",
                        (
                            _Idea(
                                "Phone call 72 hours before surgery",
                                (
                                    _Cycle(
                                        "Calls for one list a day",
                                        "A pre-assessment nurse rings every patient "
                                        "on the day surgery list 72 hours ahead.",
                                        "No cancellations for unprepared patients on "
                                        "those lists.",
                                        d(2025, 7, 7),
                                        d(2025, 7, 18),
                                        "Reached 52 of 60 patients.",
                                        "One cancellation (patient had eaten).",
                                        A.ADOPT,
                                        "Calls for all day surgery lists.",
                                    ),
                                ),
                            ),
                            _Idea(
                                "Text message reminders",
                                (
                                    _Cycle(
                                        "Texts instead of calls",
                                        "Send a text 72 hours ahead for one week.",
                                        "As good as the calls, for less time.",
                                        d(2025, 9, 1),
                                        d(2025, 9, 7),
                                        "Texts sent to 58 patients.",
                                        "Four cancellations for unprepared patients; "
                                        "several had not read the text.",
                                        A.ABANDON,
                                        "Keep the calls.",
                                    ),
                                ),
                            ),
                        ),
                    ),
                ),
            ),
        ),
    ),
    _ProjectSpec(
        "Hip fracture: home sooner",
        "Trauma ward",
        "Keira Lindqvist",
        "Hannah Ferreira",
        S.ACTIVE,
        M.MODEL_FOR_IMPROVEMENT,
        d(2026, 2, 2),
        "Patients with a hip fracture stay over 16 days on average, longer than "
        "comparable trusts; two of three months this winter were worse still.",
        "Reduce the mean length of stay after hip fracture",
        "from 16.5 to 13 days",
        d(2027, 3, 31),
        (HARM,),
        ("Tariq Mahmoudi", "Wilhelmina Drury"),
        partners=(
            (
                "Ruby Calloway",
                CARER,
                "Her father's stay after a hip fracture shaped the discharge "
                "conversation guide.",
            ),
        ),
        notes=(
            (
                d(2026, 2, 16),
                "Keira Lindqvist",
                "Two of three months near the upper limit: the winter bed crisis held "
                "patients waiting for community beds.",
            ),
        ),
        ratings=(
            (d(2026, 3, 2), "1.5", "1.5"),
            (d(2026, 7, 1), "2.0", "2.0"),
        ),
        measures=(("Length of stay after hip fracture", OUTCOME),),
    ),
    _ProjectSpec(
        "Electronic discharge summaries",
        "Acute medical unit",
        "Kwame Asante-Bell",
        "Priya Venkataraman",
        S.COMPLETED,
        M.SIX_SIGMA,
        d(2024, 6, 3),
        "Seven in ten discharge summaries reached GPs within a day; the rest went by "
        "post and were often lost.",
        "Increase discharge summaries received by the GP within 24 hours",
        "from 71% to 90%",
        d(2025, 6, 30),
        (HARM, COMMUNITIES),
        ("Gwen Tallis",),
        end=d(2025, 7, 31),
        tags=("digital", "discharge"),
        notes=(
            (
                d(2025, 2, 3),
                "Kwame Asante-Bell",
                "Electronic summaries live from 1 February; the chart is rebased from "
                "that month.",
            ),
            (
                d(2025, 7, 28),
                "Priya Venkataraman",
                "New phase steady at 91% for six months: project closed and handed to "
                "the unit's dashboard.",
            ),
        ),
        ratings=(
            (d(2024, 9, 2), "2.0", "2.0"),
            (d(2025, 3, 3), "3.5", "3.5"),
            (d(2025, 7, 28), "4.5", "4.5"),
        ),
        measures=(("Discharge summaries sent within 24 hours", OUTCOME),),
    ),
    _ProjectSpec(
        "VTE risk assessment on admission",
        "Acute medical unit",
        "Kwame Asante-Bell",
        "Tobias Whitlock",
        S.COMPLETED,
        M.MODEL_FOR_IMPROVEMENT,
        d(2022, 9, 5),
        "Risk assessments for venous thromboembolism were missed for one admission "
        "in ten.",
        "Increase adult admissions risk assessed for VTE within 14 hours",
        "to 95% or more, reliably",
        d(2023, 9, 30),
        (HARM,),
        end=d(2023, 10, 31),
        notes=(
            (
                d(2023, 10, 30),
                "Tobias Whitlock",
                "Every month since passes the 95% target: the lower limit is above "
                "it. Closed.",
            ),
        ),
        ratings=(
            (d(2023, 1, 9), "3.0", "3.0"),
            (d(2023, 10, 30), "5.0", "5.0"),
        ),
        measures=(("VTE risk assessment within 14 hours of admission", OUTCOME),),
    ),
    _ProjectSpec(
        "Enhanced health in care homes",
        "Intermediate care",
        "Wilhelmina Drury",
        "Imogen Castellan",
        S.ACTIVE,
        M.EBCD,
        d(2026, 1, 12),
        "Around sixty care home residents a month are admitted as emergencies, many "
        "for conditions that could be managed at home.",
        "Reduce emergency admissions from the 38 care homes",
        "by 15%",
        d(2027, 9, 30),
        (COMMUNITIES,),
        ("Yusuf Hargreaves", "Oren Castleford"),
        tags=("care homes", "admission avoidance"),
        partners=(
            (
                "Sian Pellow",
                COMMUNITY,
                "Manages a care home in the scheme; co-leads the staff interviews.",
            ),
            (
                "Victor Amberley",
                CARER,
                "Relative of a resident; part of the co-design group.",
            ),
        ),
        notes=(
            (
                d(2026, 3, 9),
                "Wilhelmina Drury",
                "Filmed interviews with residents, relatives and care staff; the "
                "co-design event is booked.",
            ),
            (
                d(2026, 9, 7),
                "Imogen Castellan",
                "No signal in admissions yet: common-cause variation only. The "
                "changes are still being tested.",
            ),
        ),
        ratings=(
            (d(2026, 3, 2), "2.0", "1.5"),
            (d(2026, 9, 7), "2.5", "2.5"),
        ),
        measures=(("Emergency admissions from care homes", OUTCOME),),
        drivers=(
            _Driver(
                "Care homes supported to care for residents at home",
                (
                    (
                        "Advice when it is needed",
                        (
                            _Idea(
                                "Video call with the frailty team before 999",
                                (
                                    _Cycle(
                                        "Two homes, one month",
                                        "Two care homes video-call the frailty "
                                        "assessment unit before calling 999 for a "
                                        "non-urgent problem.",
                                        "Half of those calls end with care at home.",
                                        d(2026, 5, 4),
                                        d(2026, 5, 31),
                                        "Nine calls.",
                                        "Five managed at home; staff liked the "
                                        "reassurance.",
                                        A.ADAPT,
                                        "Add a named GP for each home.",
                                    ),
                                    _Cycle(
                                        "Six homes with named GPs",
                                        "Extend to six homes, each with a named GP.",
                                        "Half of calls end with care at home.",
                                        d(2026, 7, 6),
                                        None,
                                        "Running.",
                                    ),
                                ),
                            ),
                        ),
                    ),
                ),
            ),
        ),
    ),
    _ProjectSpec(
        "Antibiotic stewardship on gastroenterology",
        "Gastroenterology",
        "Gwen Tallis",
        "Hannah Ferreira",
        S.SUSTAINING,
        M.MODEL_FOR_IMPROVEMENT,
        d(2024, 10, 7),
        "Hospital-onset C. difficile infections on the medical wards roughly every "
        "180 admissions.",
        "Lengthen the gap between hospital-onset C. difficile infections",
        "to 400 admissions or more",
        d(2025, 12, 31),
        (HARM,),
        ("Rosalind Fenwick",),
        tags=("infection",),
        notes=(
            (
                d(2026, 4, 6),
                "Gwen Tallis",
                "Gaps are longer since the 72-hour antibiotic review; sustaining.",
            ),
        ),
        ratings=(
            (d(2025, 1, 6), "2.0", "2.0"),
            (d(2025, 9, 1), "3.5", "3.0"),
            (d(2026, 4, 6), "4.0", "4.0"),
        ),
        measures=(
            ("Admissions between hospital-onset C. difficile infections", OUTCOME),
        ),
    ),
    _ProjectSpec(
        "Never events in theatres",
        "Main theatres",
        "Jonah Templeton",
        "Callum Rennard",
        S.SUSTAINING,
        M.OTHER,
        d(2023, 4, 3),
        "Four never events in theatres in two years, each a wrong-site block or a "
        "retained swab.",
        "Lengthen the time between never events in theatres",
        "to a year or more",
        d(2026, 3, 31),
        (HARM,),
        method_other="Human factors: safety checklist redesign",
        notes=(
            (
                d(2025, 5, 12),
                "Jonah Templeton",
                "Stop-before-you-block now on every list.",
            ),
        ),
        ratings=(
            (d(2023, 9, 4), "2.5", "2.5"),
            (d(2025, 5, 12), "3.5", "3.5"),
        ),
        measures=(("Days between never events in theatres", OUTCOME),),
    ),
    _ProjectSpec(
        "Initial assessment within 15 minutes",
        "Emergency department",
        "Chidi Okafor-Lane",
        "Tobias Whitlock",
        S.ACTIVE,
        M.LEAN,
        d(2026, 3, 2),
        "Patients wait a median of 24 minutes for initial assessment; the standard "
        "is 15.",
        "Reduce the median time from arrival to initial assessment",
        "from 24 to 15 minutes",
        d(2027, 3, 31),
        (EMERGENCY,),
        ("Beatrix Hollins",),
        notes=(
            (
                d(2026, 7, 20),
                "Chidi Okafor-Lane",
                "A senior nurse at the front door from 10 am to 10 pm since July.",
            ),
        ),
        ratings=(
            (d(2026, 4, 6), "2.0", "2.0"),
            (d(2026, 9, 7), "3.0", "3.0"),
        ),
        measures=(
            ("Time from arrival to initial assessment", OUTCOME),
            ("Patients who left the emergency department before being seen", BALANCING),
        ),
        drivers=(
            _Driver(
                "Senior eyes on every patient early",
                (
                    (
                        "Assessment at the front door",
                        (
                            _Idea(
                                "Rapid assessment and treatment nurse at the door",
                                (
                                    _Cycle(
                                        "Senior nurse at the door, Mondays for a month",
                                        "A band 7 nurse assesses walk-in patients at "
                                        "the front door, 10 am to 10 pm, on Mondays.",
                                        "Median time to assessment under 15 minutes "
                                        "on those days.",
                                        d(2026, 5, 4),
                                        d(2026, 5, 25),
                                        "Covered on all four Mondays.",
                                        "Median 13 minutes on the test days, 24 on "
                                        "others.",
                                        A.ADOPT,
                                        "Every day from July, funded from the "
                                        "winter plan.",
                                    ),
                                ),
                            ),
                            _Idea(
                                "Self check-in kiosks",
                                (
                                    _Cycle(
                                        "One kiosk for a week",
                                        "Borrow a kiosk from outpatients for a week.",
                                        "Registration takes half as long.",
                                        d(2026, 6, 8),
                                        d(2026, 6, 14),
                                        "Most older patients queued for the desk "
                                        "anyway.",
                                        "No change in time to assessment.",
                                        A.ABANDON,
                                        "Returned; not worth pursuing for now.",
                                    ),
                                ),
                            ),
                        ),
                    ),
                ),
            ),
        ),
    ),
    _ProjectSpec(
        "Protected breaks in intensive care",
        "Intensive care unit",
        "Morwenna Tregear",
        "Priya Venkataraman",
        S.ACTIVE,
        M.OTHER,
        d(2026, 4, 6),
        "Nurses in intensive care miss breaks on most shifts; sickness absence in "
        "the division is well above the 4% target.",
        "Increase nursing shifts with a full protected break",
        "from 40% to 90%",
        d(2027, 3, 31),
        (WORK,),
        ("Luca Benedetti-Shaw",),
        method_other="Appreciative inquiry",
        tags=("wellbeing",),
        ratings=((d(2026, 6, 1), "1.5", "1.5"), (d(2026, 10, 5), "2.0", "2.0")),
        measures=(("Staff sickness absence", BALANCING),),
    ),
    _ProjectSpec(
        "Measuring blood loss at every birth",
        "Labour ward",
        "Farah Quraishi",
        "Hannah Ferreira",
        S.ACTIVE,
        M.MODEL_FOR_IMPROVEMENT,
        d(2026, 1, 5),
        "Blood loss is often estimated by eye, so haemorrhages are recognised late.",
        "Weigh blood loss at every birth, and reduce postpartum haemorrhage of 1.5 "
        "litres or more",
        "from 3.4% to 2.5%",
        d(2027, 6, 30),
        (HARM,),
        ("Nikhil Raghavan",),
        tags=("maternity",),
        partners=(
            (
                "Lorna Quigg",
                SERVICE_USER,
                "From the maternity voices partnership; reviewed the information for "
                "women and birthing people.",
            ),
        ),
        ratings=((d(2026, 3, 2), "2.0", "2.0"), (d(2026, 8, 3), "2.5", "2.0")),
        measures=(("Postpartum haemorrhage of 1.5 litres or more", OUTCOME),),
    ),
    _ProjectSpec(
        "Asthma action plans for every child",
        "Children's ward",
        "Lachlan Brody",
        "Imogen Castellan",
        S.SUSTAINING,
        M.MODEL_FOR_IMPROVEMENT,
        d(2025, 5, 5),
        "Half of children admitted with asthma go home without a personalised "
        "action plan, and many come back.",
        "Increase children with asthma discharged with a personalised action plan",
        "from 48% to 90%",
        d(2026, 6, 30),
        (HARM, COMMUNITIES),
        ("Olufemi Adeyemo-Clarke",),
        partners=(
            (
                "Tamsin Orchardleigh",
                CARER,
                "Parent of a child with asthma; rewrote the action plan in plain "
                "English.",
            ),
        ),
        ratings=(
            (d(2025, 8, 4), "2.0", "2.0"),
            (d(2026, 2, 2), "3.5", "3.5"),
            (d(2026, 9, 7), "4.0", "4.0"),
        ),
        measures=(("Children with asthma discharged with an action plan", OUTCOME),),
        drivers=(
            _Driver(
                "Every family leaves knowing what to do",
                (
                    (
                        "The plan is part of discharge",
                        (
                            _Idea(
                                "Action plan on the discharge checklist",
                                (
                                    _Cycle(
                                        "Checklist item for two weeks",
                                        "Add the action plan to the nurse discharge "
                                        "checklist on the children's ward.",
                                        "Eight in ten children go home with a plan.",
                                        d(2025, 12, 1),
                                        d(2025, 12, 14),
                                        "Eleven discharges.",
                                        "Nine of eleven had a plan (82%).",
                                        A.ADOPT,
                                        "Keep it on the checklist.",
                                    ),
                                ),
                            ),
                        ),
                    ),
                    (
                        "Families understand the plan",
                        (
                            _Idea(
                                "Plain English action plan",
                                (
                                    _Cycle(
                                        "Parents test the rewritten plan",
                                        "Five families use the rewritten plan and "
                                        "tell us what they did with it.",
                                        "All five can say what to do when symptoms "
                                        "worsen.",
                                        d(2026, 1, 12),
                                        d(2026, 2, 6),
                                        "Five families interviewed by phone.",
                                        "Four of five could; one wanted pictures.",
                                        A.ADAPT,
                                        "Add pictures of the inhalers.",
                                    ),
                                ),
                            ),
                        ),
                    ),
                ),
            ),
        ),
    ),
    _ProjectSpec(
        "Streaming from triage to same day emergency care",
        "Same day emergency care",
        "Delphine Arkwright",
        "Tobias Whitlock",
        S.IDEA,
        M.LEAN,
        None,
        "Patients suitable for same day emergency care wait in the emergency "
        "department for a referral.",
        "Increase patients streamed straight from triage to same day emergency care",
        "to 30 a day",
        d(2027, 9, 30),
        (EMERGENCY,),
    ),
    _ProjectSpec(
        "Fewer repeat blood tests",
        "Pathology",
        "Rosalind Fenwick",
        "Callum Rennard",
        S.STOPPED,
        M.LEAN,
        d(2025, 3, 3),
        "One in eight inpatient blood tests repeats one done in the previous 24 hours.",
        "Reduce duplicate inpatient blood tests",
        "by half",
        d(2026, 3, 31),
        (HARM,),
        end=d(2025, 11, 28),
        status_reason="The new order communications system, due in spring 2027, "
        "blocks duplicate requests; the team joined that project instead and "
        "handed over its data.",
        ratings=((d(2025, 6, 2), "2.0", "2.0"),),
    ),
    _ProjectSpec(
        "Paper-free ward rounds on respiratory",
        "Respiratory medicine",
        "Euan Strachan-Moss",
        "Priya Venkataraman",
        S.STOPPED,
        M.MODEL_FOR_IMPROVEMENT,
        d(2024, 11, 4),
        "Ward round decisions are written on paper and typed up later, delaying "
        "tests and discharges.",
        "Record every ward round decision in the electronic record during the round",
        "on 90% of rounds",
        d(2025, 9, 30),
        (HARM,),
        end=d(2025, 4, 30),
        status_reason="Stopped when the ward closed for refurbishment; the lessons "
        "were passed to the digital team for the new ward.",
        ratings=((d(2025, 2, 3), "2.0", "2.0"),),
    ),
    _ProjectSpec(
        "Patient-initiated follow-up in cardiology",
        "Cardiology",
        "Saoirse Dunleavy",
        "Callum Rennard",
        S.ACTIVE,
        M.MODEL_FOR_IMPROVEMENT,
        d(2026, 6, 1),
        "Routine follow-up appointments where nothing changes fill a third of "
        "clinic slots.",
        "Move suitable patients to patient-initiated follow-up",
        "400 patients",
        d(2027, 5, 31),
        (COMMUNITIES,),
        partners=(
            (
                "Ambrose Killick",
                PATIENT,
                "Lives with heart failure; tested the booking line.",
            ),
        ),
        notes=(
            (
                d(2026, 6, 15),
                "Saoirse Dunleavy",
                "Measures still being defined with the information team.",
            ),
        ),
        ratings=((d(2026, 7, 1), "1.5", "1.0"),),
    ),
    _ProjectSpec(
        "Prehabilitation before bowel surgery",
        "Colorectal surgery",
        "Eleri Pryce",
        "Hannah Ferreira",
        S.ACTIVE,
        M.EBCD,
        d(2026, 2, 2),
        "Patients arrive for major bowel surgery unfit and anxious; complications "
        "and long stays follow.",
        "Offer every patient listed for bowel cancer surgery a prehabilitation "
        "programme",
        "80% taking part",
        d(2027, 2, 28),
        (HARM, COMMUNITIES),
        ("Jude Penhallow",),
        partners=(
            (
                "Hollis Featherstone",
                PATIENT,
                "Had surgery in 2025; co-designed the exercise diary.",
            ),
        ),  # fmt: skip
        ratings=((d(2026, 4, 6), "1.5", "1.5"), (d(2026, 9, 7), "2.0", "2.0")),
    ),
    _ProjectSpec(
        "Home first: discharge to assess",
        "Intermediate care",
        "Wilhelmina Drury",
        "Imogen Castellan",
        S.IDEA,
        M.MODEL_FOR_IMPROVEMENT,
        None,
        "Patients wait in hospital for assessments that would be better done at home.",
        "Assess patients at home within 24 hours of discharge",
        "for 70% of supported discharges",
        d(2027, 12, 31),
        (COMMUNITIES,),
    ),
    _ProjectSpec(
        "Inpatient radiology reports within 24 hours",
        "Radiology",
        "Nadia Kowalczyk",
        "Tobias Whitlock",
        S.ACTIVE,
        M.LEAN,
        d(2026, 5, 4),
        "Inpatient CT reports take 31 hours at the median, holding up discharges.",
        "Report inpatient CT scans within 24 hours",
        "90% of scans",
        d(2027, 3, 31),
        (EMERGENCY,),
        ("Rosalind Fenwick",),
        ratings=((d(2026, 7, 6), "2.0", "1.5"),),
    ),
    _ProjectSpec(
        "Insulin safety on the wards",
        "Diabetes and endocrinology",
        "Saoirse Dunleavy",
        "Priya Venkataraman",
        S.IDEA,
        M.MODEL_FOR_IMPROVEMENT,
        None,
        "Insulin errors are the most common serious medication incident.",
        "Reduce insulin errors causing harm",
        "by half",
        d(2027, 12, 31),
        (HARM,),
    ),
    _ProjectSpec(
        "Fewer missed insulin visits in district nursing",
        "District nursing",
        "Oren Castleford",
        "Imogen Castellan",
        S.COMPLETED,
        M.MODEL_FOR_IMPROVEMENT,
        d(2024, 1, 8),
        "Visits to give insulin were missed when caseloads were reallocated at short "
        "notice.",
        "Reduce missed insulin visits",
        "to none in three months",
        d(2024, 12, 31),
        (HARM, COMMUNITIES),
        ("Yusuf Hargreaves",),
        end=d(2025, 1, 31),
        notes=(
            (
                d(2025, 1, 27),
                "Oren Castleford",
                "No missed visits since August; time-critical visits are now "
                "allocated first.",
            ),
        ),
        ratings=((d(2024, 4, 1), "2.5", "2.5"), (d(2025, 1, 27), "4.5", "4.0")),
    ),
    _ProjectSpec(
        "Weekend physiotherapy after hip fracture",
        "Physiotherapy",
        "Tariq Mahmoudi",
        "Hannah Ferreira",
        S.STOPPED,
        M.MODEL_FOR_IMPROVEMENT,
        d(2025, 9, 1),
        "Patients admitted on a Friday with a hip fracture are not mobilised until "
        "Monday.",
        "Mobilise patients the day after hip fracture surgery, every day of the week",
        "90% of patients",
        d(2026, 6, 30),
        (HARM,),
        end=d(2026, 4, 30),
        status_reason="Funding for weekend physiotherapy was not agreed this year; "
        "the team's data supports the business case for 2027.",
        ratings=((d(2025, 12, 1), "2.5", "2.5"),),
        measures=(("Length of stay after hip fracture", PROCESS),),
    ),
)


# ----------------------------------------------------------------- the step


def add_projects(demo: Demo) -> None:
    """The curated projects; 2,000 projects in all at ``large``."""
    riverside = demo.organisations["riverside"]
    units = units_by_name(riverside)
    people = {
        p.name: demo.users[p.email] for p in PEOPLE if p.organisation == "riverside"
    }
    priorities = {
        p.title: p for p in StrategicPriority.objects.for_organisation(riverside)
    }
    measures = {m.name: m for m in Measure.objects.for_organisation(riverside)}
    existing = set(
        Project.objects.for_organisation(riverside)
        .filter(title__in=[p.title for p in PROJECTS])
        .values_list("title", flat=True)
    )
    tags: dict[str, Tag] = {}
    for spec in PROJECTS:
        if spec.title not in existing:
            _create(demo, riverside, spec, units, people, priorities, measures, tags)
    if demo.size == "large":
        _add_many(demo, riverside, units, people, priorities)


def _tag(
    organisation: Organisation, name: str, tags: dict[str, Tag], demo: Demo
) -> Tag:
    if name not in tags:
        tags[name], created = Tag.objects.get_or_create(
            organisation=organisation, name=name
        )
        demo.created["tags"] += created
    return tags[name]


def _create(
    demo: Demo,
    organisation: Organisation,
    spec: _ProjectSpec,
    units: dict[str, Unit],
    people: dict[str, User],
    priorities: dict[str, StrategicPriority],
    measures: dict[str, Measure],
    tags: dict[str, Tag],
) -> Project:
    lead, coach = people[spec.lead], people[spec.coach]
    project = Project.objects.create(
        organisation=organisation,
        unit=units[spec.unit],
        title=spec.title,
        problem=spec.problem,
        aim_what=spec.aim_what,
        aim_how_much=spec.aim_how_much,
        aim_by_when=spec.aim_by_when,
        method=spec.method,
        method_other=spec.method_other,
        lead=lead,
        status=spec.status,
        status_reason=spec.status_reason,
        start_date=spec.start,
        end_date=spec.end,
        created_by=lead,
    )
    # The timestamps say when it happened in the story, not when the demo ran;
    # update() leaves the audit trail as it is.
    began = spec.start or (spec.notes[0][0] if spec.notes else TODAY)
    Project.objects.filter(pk=project.pk).update(created_at=_moment(began, -14))
    project.priorities.set([priorities[t] for t in spec.priorities if t in priorities])
    project.team.set([people[name] for name in spec.team])
    project.tags.set([_tag(organisation, name, tags, demo) for name in spec.tags])
    for name, kind, contribution in spec.partners:
        Partner.objects.create(
            project=project, name=name, kind=kind, contribution=contribution
        )
    for when, author, text in spec.notes:
        note = ProjectNote.objects.create(
            project=project, author=people[author], text=text
        )
        ProjectNote.objects.filter(pk=note.pk).update(created_at=_moment(when))
    for when, team_score, coach_score in spec.ratings:
        ProgressRating.objects.create(
            project=project,
            score=Decimal(team_score),
            rated_by=ProgressRating.RatedBy.TEAM,
            rated_on=when,
            rater=lead,
        )
        if coach_score is not None:
            ProgressRating.objects.create(
                project=project,
                score=Decimal(coach_score),
                rated_by=ProgressRating.RatedBy.COACH,
                rated_on=when,
                rater=coach,
            )
    for name, role in spec.measures:
        if name in measures:  # the A&E measure is missing without its data
            ProjectMeasure.objects.create(
                project=project, measure=measures[name], role=role
            )
    cycles = 0
    for p, driver in enumerate(spec.drivers):
        primary = DriverNode.objects.create(
            project=project, kind=DriverNode.Kind.PRIMARY, text=driver.text, position=p
        )
        for s, (text, ideas) in enumerate(driver.secondaries):
            secondary = DriverNode.objects.create(
                project=project,
                parent=primary,
                kind=DriverNode.Kind.SECONDARY,
                text=text,
                position=s,
            )
            for c, idea in enumerate(ideas):
                change = DriverNode.objects.create(
                    project=project,
                    parent=secondary,
                    kind=DriverNode.Kind.CHANGE_IDEA,
                    text=idea.text,
                    position=c,
                )
                cycles += _ramp(project, change, idea.cycles)
    demo.created["projects"] += 1
    demo.created["PDSA cycles"] += cycles
    return project


def _ramp(project: Project, change: DriverNode, ramp: tuple[_Cycle, ...]) -> int:
    previous = None
    for cycle in ramp:
        stage = (
            PDSACycle.Stage.ACT
            if cycle.act
            else PDSACycle.Stage.STUDY
            if cycle.study
            else PDSACycle.Stage.DO
            if cycle.do
            else PDSACycle.Stage.PLAN
        )
        previous = PDSACycle.objects.create(
            project=project,
            change_idea=change,
            previous=previous,
            title=cycle.title,
            plan=cycle.plan,
            prediction=cycle.prediction,
            do=cycle.do,
            study=cycle.study,
            act=cycle.act,
            act_notes=cycle.act_notes,
            stage=stage,
            start_date=cycle.start,
            end_date=cycle.end,
        )
    return len(ramp)


def _moment(day: datetime.date, days: int = 0) -> datetime.datetime:
    """Ten in the morning, UTC, ``days`` after ``day``."""
    return datetime.datetime.combine(
        day + datetime.timedelta(days=days), datetime.time(10), datetime.UTC
    )


# ----------------------------------------------------------------- large

TOPICS = (
    "Reducing falls",
    "Earlier sepsis treatment",
    "Fewer pressure ulcers",
    "Safer medicines",
    "Discharge before noon",
    "Better handovers",
    "Shorter waits for review",
    "Fewer cancelled procedures",
    "Reliable observations",
    "Less agency staffing",
    "Listening to patients",
    "Nutrition and hydration",
    "Timely discharge summaries",
    "Fewer missed doses",
    "Catheter care",
    "Mouth care",
    "Delirium screening",
    "End of life care planning",
    "Fewer duplicate tests",
    "Safer insulin",
    "Pain relief on time",
    "Better sleep on the ward",
    "Greener care",
    "Staff wellbeing",
    "Fewer readmissions",
)
#: (status, weight) of the extra projects at ``large``.
_STATUS_MIX = (
    (S.IDEA, 15),
    (S.ACTIVE, 45),
    (S.SUSTAINING, 15),
    (S.COMPLETED, 18),
    (S.STOPPED, 7),
)
_METHODS = (M.MODEL_FOR_IMPROVEMENT, M.LEAN, M.SIX_SIGMA, M.EBCD)
_SCORES = [Decimal(s) for s in ("1.0", "1.5", "2.0", "2.5", "3.0", "3.5", "4.0", "4.5")]


def many_project_titles(units: dict[str, Unit], count: int) -> list[str]:
    """The titles of the extra projects at ``large``: each topic in each team, in turn."""
    teams = sorted(n for n, u in units.items() if u.level == Unit.Level.TEAM)
    titles = []
    for n in range(count):
        topic = TOPICS[n % len(TOPICS)]
        team = teams[(n // len(TOPICS)) % len(teams)]
        wave = n // (len(TOPICS) * len(teams))
        titles.append(f"{topic}: {team}" + (f", phase {wave + 1}" if wave else ""))
    return titles


def _add_many(
    demo: Demo,
    organisation: Organisation,
    units: dict[str, Unit],
    people: dict[str, User],
    priorities: dict[str, StrategicPriority],
) -> None:
    """The extra projects at ``large``, in bulk (not on the audit trail)."""
    titles = many_project_titles(units, LARGE_PROJECTS - len(PROJECTS))
    existing = set(
        Project.objects.for_organisation(organisation)
        .filter(title__in=titles)
        .values_list("title", flat=True)
    )
    missing = [(n, t) for n, t in enumerate(titles) if t not in existing]
    if not missing:
        return
    leads = [
        people[p.name]
        for p in PEOPLE
        if p.organisation == "riverside" and p.role in (Role.PROJECT_LEAD, Role.MEMBER)
    ]
    coaches = [
        people[p.name]
        for p in PEOPLE
        if p.organisation == "riverside" and p.role == Role.QI_TEAM
    ]
    statuses = [s for s, _ in _STATUS_MIX]
    weights = np.array([w for _, w in _STATUS_MIX], dtype=float)
    new, plans = [], []
    for n, title in missing:
        rng = np.random.default_rng([SEED, 2, n])
        status = statuses[rng.choice(len(statuses), p=weights / weights.sum())]
        topic, team = title.split(", phase")[0].split(": ", 1)
        start = TODAY - datetime.timedelta(days=int(rng.integers(30, 1500)))
        is_idea = status == S.IDEA
        is_over = status in (S.COMPLETED, S.STOPPED)
        end = (
            min(TODAY, start + datetime.timedelta(days=int(rng.integers(120, 600))))
            if is_over
            else None
        )
        new.append(
            Project(
                organisation=organisation,
                unit=units[team],
                title=title,
                problem=f"The team wants to improve: {topic.lower()}.",
                aim_what=f"{topic} in {team}",
                aim_how_much=f"by {int(rng.integers(2, 6)) * 10}%",
                aim_by_when=start + datetime.timedelta(days=365),
                method=_METHODS[int(rng.integers(len(_METHODS)))],
                lead=leads[int(rng.integers(len(leads)))],
                status=status,
                status_reason="The team moved to a larger project on the same topic."
                if status == S.STOPPED
                else "",
                start_date=None if is_idea else start,
                end_date=end,
            )
        )
        plans.append((rng, status, start))
    projects = Project.objects.bulk_create(new, batch_size=500)
    _need_ids(projects)

    priority_links, ratings, primaries = [], [], []
    Through = Project.priorities.through
    chosen = list(priorities.values())
    for project, (rng, status, start) in zip(projects, plans, strict=True):
        for i in rng.choice(len(chosen), size=int(rng.integers(1, 3)), replace=False):
            priority_links.append(
                Through(project_id=project.pk, strategicpriority_id=chosen[i].pk)
            )
        if status == S.IDEA:
            continue
        level = int(rng.integers(0, len(_SCORES) - 3))
        for k in range(int(rng.integers(1, 5))):
            when = min(TODAY, start + datetime.timedelta(days=60 + 90 * k))
            score = _SCORES[min(len(_SCORES) - 1, level + k)]
            ratings.append(
                ProgressRating(
                    project=project,
                    score=score,
                    rated_by=ProgressRating.RatedBy.TEAM,
                    rated_on=when,
                    rater=project.lead,
                )
            )
            ratings.append(
                ProgressRating(
                    project=project,
                    score=_SCORES[max(0, _SCORES.index(score) - int(rng.integers(2)))],
                    rated_by=ProgressRating.RatedBy.COACH,
                    rated_on=when,
                    rater=coaches[int(rng.integers(len(coaches)))],
                )
            )
        primaries.append(
            DriverNode(
                project=project,
                kind=DriverNode.Kind.PRIMARY,
                text="Reliable processes, every shift",
            )
        )
    Through.objects.bulk_create(priority_links, batch_size=2000)
    ProgressRating.objects.bulk_create(ratings, batch_size=2000)
    _many_drivers(
        demo, primaries, plans_by_project=dict(zip(projects, plans, strict=True))
    )
    _many_links(organisation, units, projects)
    demo.created["projects"] += len(projects)


def _many_drivers(
    demo: Demo,
    primaries: list[DriverNode],
    plans_by_project: dict[Project, tuple[np.random.Generator, str, datetime.date]],
) -> None:
    """Primary → secondary → two change ideas, and a ramp of up to three cycles."""
    DriverNode.objects.bulk_create(primaries, batch_size=2000)
    _need_ids(primaries)
    secondaries = [
        DriverNode(
            project=p.project,
            parent_id=p.pk,
            kind=DriverNode.Kind.SECONDARY,
            text="Everyone knows what to do",
        )
        for p in primaries
    ]
    DriverNode.objects.bulk_create(secondaries, batch_size=2000)
    _need_ids(secondaries)
    ideas = [
        DriverNode(
            project=s.project,
            parent_id=s.pk,
            kind=DriverNode.Kind.CHANGE_IDEA,
            text=text,
            position=i,
        )
        for s in secondaries
        for i, text in enumerate(("A checklist at handover", "A visual prompt"))
    ]
    DriverNode.objects.bulk_create(ideas, batch_size=2000)
    _need_ids(ideas)
    # Ramps on the first idea of each project, built a cycle-number at a time so
    # each cycle can name the one before it.
    acts = (PDSACycle.Act.ADOPT, PDSACycle.Act.ADAPT, PDSACycle.Act.ABANDON)
    ramps = []
    for idea in ideas[::2]:
        rng, _, start = plans_by_project[idea.project]
        length = int(rng.integers(0, 4))
        ramps.append((idea, start, [acts[int(rng.integers(3))] for _ in range(length)]))
    previous: dict[int, PDSACycle] = {}
    total = 0
    for step in range(3):
        batch = []
        for idea, start, decisions in ramps:
            if step < len(decisions):
                begin = start + datetime.timedelta(days=30 + 28 * step)
                batch.append(
                    PDSACycle(
                        project=idea.project,
                        change_idea=idea,
                        previous=previous.get(idea.pk),
                        title=f"Test {step + 1}: {idea.text.lower()}",
                        plan="Try it for one week on one shift pattern.",
                        prediction="Most shifts will use it.",
                        do="Ran as planned.",
                        study="Results against the prediction recorded.",
                        act=decisions[step],
                        stage=PDSACycle.Stage.ACT,
                        start_date=begin,
                        end_date=begin + datetime.timedelta(days=6),
                    )
                )
        PDSACycle.objects.bulk_create(batch, batch_size=2000)
        _need_ids(batch)
        previous.update({c.change_idea_id: c for c in batch})
        total += len(batch)
    demo.created["PDSA cycles"] += total


def _many_links(
    organisation: Organisation, units: dict[str, Unit], projects: list[Project]
) -> None:
    """Each extra measure joins one extra project as its outcome measure."""
    from .measures import LARGE_MEASURES, MEASURES

    names = many_measure_names(units, LARGE_MEASURES - len(MEASURES) - 1)
    measures = list(
        Measure.objects.for_organisation(organisation)
        .filter(name__in=names)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if not measures or not projects:
        return
    step = max(1, len(projects) // len(measures))
    links = [
        ProjectMeasure(project=projects[(i * step) % len(projects)], measure_id=pk)
        for i, pk in enumerate(measures)
    ]
    ProjectMeasure.objects.bulk_create(links, batch_size=2000, ignore_conflicts=True)


def _need_ids(rows: list) -> None:  # type: ignore[type-arg]
    if rows and rows[0].pk is None:
        raise RuntimeError(
            "the database returned no ids from a bulk insert; the large demo needs "
            "SQLite 3.35 or later, or PostgreSQL"
        )
