"""Assessment pages and the public survey, for the access walk (see tests/access.py)."""

from __future__ import annotations

import itertools
import json
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from openqi.assessments.models import ActionItem, AssessmentRound, Instrument
from tests.access import Route, Write
from tests.assessments.round_helpers import make_link, make_round


def _org(cast: Any) -> dict[str, Any]:
    return {"slug": cast.org.slug}


def _round(cast: Any) -> dict[str, Any]:
    return {"slug": cast.org.slug, "pk": make_round(cast.org).pk}


def _write_only(cast: Any) -> dict[str, Any]:
    return {"slug": cast.org.slug, "pk": 0}


def _draft_round(cast: Any) -> dict[str, Any]:
    return {"pk": make_round(cast.org, status=AssessmentRound.Status.DRAFT).pk}


def _open_round(cast: Any) -> dict[str, Any]:
    return {"pk": make_round(cast.org).pk}


def _action(cast: Any) -> dict[str, Any]:
    action = ActionItem.objects.create(organisation=cast.org, title="Protect time")
    return {"slug": cast.org.slug, "pk": action.pk}


def _spare_action(cast: Any) -> dict[str, Any]:
    action = ActionItem.objects.create(organisation=cast.org, title="Spare action")
    return {"pk": action.pk}


def _round_data(cast: Any) -> dict[str, Any]:
    return {"instrument": str(make_round(cast.org).instrument_id), "title": "Autumn"}


def _link_data(cast: Any) -> dict[str, Any]:
    return {"count": "2", "respondent_group": "staff", "unit": "", "staff_group": ""}


def _action_data(cast: Any) -> dict[str, Any]:
    return {"title": "Protect time for improvement", "status": "open"}


_keys = itertools.count(1)


def _definition_file(cast: Any) -> dict[str, Any]:
    """A built-in's definition under a key of the organisation's own, as an upload."""
    definition = dict(
        Instrument.objects.filter(organisation__isnull=True).first().definition
    )
    definition["key"] = f"local-instrument-{next(_keys)}"
    body = json.dumps(definition).encode()
    return {"file": SimpleUploadedFile("definition.json", body, "application/json")}


def _builtin(cast: Any) -> dict[str, Any]:
    return {
        "slug": cast.org.slug,
        "pk": Instrument.objects.filter(organisation__isnull=True).first().pk,
    }


def _survey(cast: Any) -> dict[str, Any]:
    _link, token = make_link(make_round(cast.org))
    return {"token": token}


def _fresh_link(cast: Any) -> dict[str, Any]:
    return _survey(cast)


def _answers(cast: Any) -> dict[str, Any]:
    return {"l1": "4", "l2": "2", "t1": "partly", "k1": "5"}


ROUTES: list[Route] = [
    Route("assessments:list", kwargs=_org),
    Route(
        "assessments:instrument_import",
        kwargs=_org,
        manage_only=True,
        writes=(Write(data=_definition_file),),
    ),
    Route("assessments:instrument_format", kwargs=_org),
    Route("assessments:instrument_export", kwargs=_builtin),
    Route(
        "assessments:round_create",
        kwargs=_org,
        manage_only=True,
        writes=(Write(data=_round_data),),
    ),
    Route("assessments:round_detail", kwargs=_round),
    Route(
        "assessments:round_open",
        kwargs=_write_only,
        get=False,
        writes=(Write(setup=_draft_round),),
    ),
    Route(
        "assessments:round_close",
        kwargs=_write_only,
        get=False,
        writes=(Write(setup=_open_round),),
    ),
    Route(
        "assessments:links",
        kwargs=_round,
        manage_only=True,
        writes=(Write(data=_link_data),),
    ),
    Route("assessments:results", kwargs=_round),
    Route("assessments:actions", kwargs=_org),
    Route(
        "assessments:action_create",
        kwargs=_org,
        manage_only=True,
        writes=(Write(data=_action_data),),
    ),
    Route(
        "assessments:action_edit",
        kwargs=_action,
        manage_only=True,
        writes=(Write(data=_action_data),),
    ),
    Route(
        "assessments:action_delete",
        kwargs=_write_only,
        get=False,
        writes=(Write(setup=_spare_action),),
    ),
    Route(
        "survey:answer",
        kwargs=_survey,
        public=True,
        writes=(Write(data=_answers, setup=_fresh_link),),
    ),
    Route("survey:thanks", public=True),
]
