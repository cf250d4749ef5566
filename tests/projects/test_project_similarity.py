"""Similar projects: TF-IDF cosine over title, aim and problem,
tried on project texts like those a trust's QI office sees."""

from __future__ import annotations

from openqi.projects.similarity import (
    THRESHOLD,
    Text,
    similar,
    stem,
    terms,
)

#: A hospital's portfolio: two falls projects, and work on other problems.
PORTFOLIO = [
    Text(
        "elderly-falls",
        "Reducing inpatient falls on elderly care wards",
        "Reduce the number of inpatient falls on the elderly care wards by 30%",
        "Patients on our elderly care wards fall at night when going to the toilet "
        "unaccompanied; falls with harm have risen over the last year.",
    ),
    Text(
        "stroke-falls",
        "Night-time falls prevention on the stroke unit",
        "Fewer falls at night on the stroke unit",
        "Stroke patients get up at night to use the toilet and fall.",
    ),
    Text(
        "hand-hygiene",
        "Hand hygiene compliance in the intensive care unit",
        "Increase hand hygiene compliance before patient contact to 95%",
        "Audits show hand hygiene compliance of 72% in the intensive care unit.",
    ),
    Text(
        "amu-discharge",
        "Earlier discharge from the acute medical unit",
        "Increase discharges before midday from the acute medical unit",
        "Most patients are discharged late in the afternoon, so the emergency "
        "department waits for beds.",
    ),
    Text(
        "pressure-ulcers",
        "Pressure ulcer prevention in community nursing",
        "Reduce category 2 pressure ulcers on the district nursing caseload",
        "Pressure ulcers acquired in our care are rising among housebound patients.",
    ),
    Text(
        "sepsis",
        "Sepsis screening in the emergency department",
        "Screen all adults with suspected sepsis within one hour of arrival",
        "Only 60% of patients with red flag sepsis receive antibiotics within the hour.",
    ),
    Text(
        "medicines",
        "Timely medicines reconciliation on admission",
        "Medicines reconciled within 24 hours of admission",
        "Pharmacy reconciles only half of medicines within a day.",
    ),
]


def keys(matches: list) -> list:
    return [m.key for m in matches]


def test_stem_brings_word_forms_together() -> None:
    assert stem("falls") == stem("fall")
    assert stem("discharged") == stem("discharges") == stem("discharging")
    assert stem("therapies") == "therapy"
    assert stem("screening") == stem("screen")
    assert stem("ulcers") == stem("ulcer")
    assert stem("ICU".lower()) == "icu"


def test_terms_drop_stop_words_and_keep_two_word_phrases() -> None:
    found = [key for key, _ in terms("Improving hand hygiene in the ICU")]
    assert found == ["hand", "hygien", "hand hygien", "icu"]


def test_a_phrase_does_not_cross_a_stop_word_or_punctuation() -> None:
    found = [key for key, _ in terms("falls, at night")]
    assert "fall night" not in found


def test_a_new_falls_project_finds_both_falls_projects_first() -> None:
    new = Text(
        None,
        "Falls prevention on care of the elderly wards",
        "Reduce falls with harm on our older people's wards by half",
        "Older patients fall at night getting to the toilet.",
    )
    matches = similar(new, PORTFOLIO)
    assert keys(matches) == ["elderly-falls", "stroke-falls"]
    assert all(m.score >= THRESHOLD for m in matches)
    assert matches[0].score > matches[1].score


def test_the_reason_names_the_shared_words_and_where_they_are() -> None:
    new = Text(
        None,
        "Falls prevention on care of the elderly wards",
        "Reduce falls with harm on our older people's wards by half",
        "Older patients fall at night getting to the toilet.",
    )
    best = similar(new, PORTFOLIO)[0]
    shared = {s.term: s.fields for s in best.shared}
    assert "falls" in shared
    assert shared["falls"] == ("title", "aim", "problem")
    assert "elderly" in shared
    assert len(best.shared) <= 5


def test_a_shared_phrase_is_shown_rather_than_its_words() -> None:
    new = Text(
        None,
        "Hand hygiene on the surgical wards",
        "Hand hygiene compliance above 90% on every surgical ward",
        "Hand hygiene audits on surgical wards are below target.",
    )
    [match] = similar(new, PORTFOLIO)
    assert match.key == "hand-hygiene"
    terms_shown = [s.term for s in match.shared]
    assert "hand hygiene" in terms_shown
    assert "hand" not in terms_shown and "hygiene" not in terms_shown


def test_the_same_title_matches_even_when_the_aims_are_worded_differently() -> None:
    new = Text(
        None,
        "Sepsis screening in the emergency department",
        "Every adult with red flags gets the six interventions",
        "Audit found gaps in recognising deterioration at triage.",
    )
    assert keys(similar(new, PORTFOLIO))[0] == "sepsis"


def test_different_problems_do_not_match() -> None:
    new = Text(
        None,
        "Fewer missed outpatient appointments",
        "Reduce did-not-attend rates in outpatient clinics",
        "Many people miss their appointments because letters arrive late.",
    )
    assert similar(new, PORTFOLIO) == []


def test_words_every_project_uses_say_little() -> None:
    # "improve", "reduce" and "project" are stop words: these share nothing else.
    new = Text(None, "Improve the project", "Reduce and improve", "A project.")
    assert similar(new, PORTFOLIO) == []


def test_a_title_alone_finds_projects_as_someone_types() -> None:
    matches = similar(Text(None, "Preventing falls"), PORTFOLIO)
    assert set(keys(matches)) == {"elderly-falls", "stroke-falls"}
    assert keys(similar(Text(None, "Falls on the stroke unit"), PORTFOLIO)) == [
        "stroke-falls",
        "elderly-falls",
    ]
    assert keys(similar(Text(None, "Sepsis"), PORTFOLIO)) == ["sepsis"]


def test_nothing_typed_matches_nothing() -> None:
    assert similar(Text(None, ""), PORTFOLIO) == []
    assert similar(Text(None, "the and of"), PORTFOLIO) == []
    assert similar(Text(None, "Falls"), []) == []


def test_an_identical_project_scores_one() -> None:
    twin = PORTFOLIO[4]
    [match, *_] = similar(Text(None, twin.title, twin.aim, twin.problem), PORTFOLIO)
    assert match.key == "pressure-ulcers"
    assert match.score == 1.0


def test_limit_and_threshold() -> None:
    new = Text(None, "Falls", "falls", "falls")
    assert len(similar(new, PORTFOLIO, limit=1)) == 1
    assert similar(new, PORTFOLIO, threshold=1.01) == []


def test_the_docstring_examples_run() -> None:
    import doctest

    from openqi.projects import similarity

    result = doctest.testmod(similarity)
    assert result.attempted >= 3 and result.failed == 0
