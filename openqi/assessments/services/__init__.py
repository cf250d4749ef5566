"""The assessments app's services, one module for each thing it holds:

- ``instruments``: the instruments an organisation can use, and reading a
  definition (the survey's questions, categories, bands);
- ``rounds``: rounds, their anonymous links and the responses given through them;
- ``results``: a round's results, computed and stored when it closes, with small
  groups and whatever would give them away suppressed;
- ``actions``: the action plan and the actions suggested from results.

Who may change things is named in ``openqi.assessments.permissions``. The names
below are importable from here, so callers need not know which module holds them.
"""

from __future__ import annotations

from .actions import (
    BARRIER_ACTIONS,
    BARRIER_ENABLERS,
    GENERIC_ACTIONS,
    SUGGESTED_ACTIONS,
    action_text,
    actions_for,
    delete_action,
    enabler_for,
    get_action_for,
    save_action,
    suggested_action,
)
from .instruments import (
    Question,
    SurveySection,
    categories_of,
    category_of,
    definition_of,
    get_instrument_for,
    instruments_for,
    is_below_middle,
    survey_sections,
    tone_of,
)
from .results import (
    BREAKDOWNS,
    COMPLEMENTARY,
    FEW_RESPONSES,
    MIN_RESPONSES,
    RESULTS_METHOD_VERSION,
    RESULTS_PENDING,
    Cell,
    ItemSpread,
    Results,
    ResultsNotAvailable,
    Row,
    Suggestion,
    Tables,
    has_stored_results,
    previous_round,
    publish_results,
    published_tables,
    results_are_available,
    results_for,
    round_units,
    stored_results,
)
from .rounds import (
    MAX_LINKS,
    LinkAlreadyUsed,
    close_round,
    create_links,
    create_round,
    get_round_for,
    link_counts,
    link_for_token,
    open_round,
    rounds_for,
    submit_response,
)

__all__ = [
    "BARRIER_ACTIONS",
    "BARRIER_ENABLERS",
    "BREAKDOWNS",
    "COMPLEMENTARY",
    "FEW_RESPONSES",
    "GENERIC_ACTIONS",
    "MAX_LINKS",
    "MIN_RESPONSES",
    "RESULTS_METHOD_VERSION",
    "RESULTS_PENDING",
    "SUGGESTED_ACTIONS",
    "Cell",
    "ItemSpread",
    "LinkAlreadyUsed",
    "Question",
    "Results",
    "ResultsNotAvailable",
    "Row",
    "Suggestion",
    "SurveySection",
    "Tables",
    "action_text",
    "actions_for",
    "categories_of",
    "category_of",
    "close_round",
    "create_links",
    "create_round",
    "definition_of",
    "delete_action",
    "enabler_for",
    "get_action_for",
    "get_instrument_for",
    "get_round_for",
    "has_stored_results",
    "instruments_for",
    "is_below_middle",
    "link_counts",
    "link_for_token",
    "open_round",
    "previous_round",
    "publish_results",
    "published_tables",
    "results_are_available",
    "results_for",
    "round_units",
    "rounds_for",
    "save_action",
    "stored_results",
    "submit_response",
    "suggested_action",
    "survey_sections",
    "tone_of",
]
