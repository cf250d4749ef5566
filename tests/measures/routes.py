"""Every measure page, for the access walk (see tests/access.py).

What each role gets is read from the views' declared permissions; the object
rules are declared here: a measure, or a phase, with data is deleted only by an
administrator or the QI team, and an upload belongs to the person who made it
(anyone else is sent back to upload their own: a redirect).
"""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from openqi.measures import imports
from openqi.measures.models import Annotation, Measure, PhaseBreak
from tests.access import Route, Write
from tests.measures.helpers import add_points, make_measure


class RewindingUpload(SimpleUploadedFile):
    """A file the walk can post several times (once per person)."""

    def read(self, *args: Any) -> bytes:
        self.seek(0)
        return super().read(*args)


#: Deleting a record with data (history): members who are neither administrators
#: nor in the QI team are refused.
WITH_HISTORY = {"project_lead": 403, "member": 403}
#: An upload is its uploader's: the page sends anyone else back to upload (302).
NOT_YOURS = (200, 302)

CSV = b"period,value\n2024-01-01,12\n2024-02-01,15\n"


def _org(cast: Any) -> dict[str, Any]:
    return {"slug": cast.org.slug}


def _measure(cast: Any) -> Measure:
    measure = make_measure(cast.org, name=f"Walk measure {Measure.objects.count()}")
    add_points(measure, [3, 4, 5])
    return measure


def _ratio_measure(cast: Any) -> Measure:
    """A proportion on a p chart, for the switch to p′."""
    measure = make_measure(
        cast.org,
        name=f"Walk proportion {Measure.objects.count()}",
        kind="proportion",
        chart_type="p",
    )
    add_points(measure, [30, 40, 50], denominators=[100, 100, 100])
    return measure


def _one(cast: Any) -> dict[str, Any]:
    return {"slug": cast.org.slug, "pk": _measure(cast).pk}


def _write_only(cast: Any) -> dict[str, Any]:
    # POST-only routes: the Write's setup supplies the real pk.
    return {"slug": cast.org.slug, "pk": 0}


def _point(cast: Any) -> dict[str, Any]:
    measure = _measure(cast)
    return {"slug": cast.org.slug, "pk": measure.pk, "point": measure.points.first().pk}


def _point_setup(cast: Any) -> dict[str, Any]:
    measure = _measure(cast)
    return {"pk": measure.pk, "point": measure.points.last().pk}


def _phase_setup(cast: Any) -> dict[str, Any]:
    measure = _measure(cast)
    item = PhaseBreak.objects.create(
        measure=measure, period=measure.points.last().period, reason="New rota"
    )
    return {"pk": measure.pk, "item": item.pk}


def _note_setup(cast: Any) -> dict[str, Any]:
    measure = _measure(cast)
    item = Annotation.objects.create(
        measure=measure, period=measure.points.last().period, text="Outage"
    )
    return {"pk": measure.pk, "item": item.pk}


def _job(cast: Any) -> dict[str, Any]:
    """A checked upload waiting for its commit, owned by the editor."""
    measure = _measure(cast)
    job = imports.start_import(
        measure,
        cast.editor,
        imports.new_import_token(),
        SimpleUploadedFile("data.csv", CSV),
    )
    imports.run_import(job, measure)
    return {"slug": cast.org.slug, "pk": measure.pk, "token": job.token}


def _job_setup(cast: Any) -> dict[str, Any]:
    kwargs = _job(cast)
    return {"pk": kwargs["pk"], "token": kwargs["token"]}


def _date(prefix: str, day: int, month: int, year: int) -> dict[str, Any]:
    return {f"{prefix}_day": day, f"{prefix}_month": month, f"{prefix}_year": year}


ROUTES: list[Route] = [
    Route("measures:list", kwargs=_org),
    Route(
        "measures:create",
        kwargs=_org,
        writes=(
            Write(
                data=lambda c: {
                    "name": f"Falls {Measure.objects.count()}",
                    "kind": "count",
                    "frequency": "monthly",
                    "improvement": "decrease",
                    "multiplier": "1",
                },
                ok=(302,),
            ),
        ),
    ),
    Route("measures:detail", kwargs=_one),
    Route(
        "measures:edit",
        kwargs=_one,
        writes=(
            Write(
                data=lambda c: {
                    "name": f"Renamed {Measure.objects.count()}",
                    "kind": "count",
                    "frequency": "monthly",
                    "improvement": "increase",
                    "multiplier": "1",
                },
                ok=(302,),
            ),
        ),
    ),
    Route(
        "measures:delete",
        kwargs=_write_only,
        get=False,
        writes=(
            Write(
                setup=lambda c: {"pk": _measure(c).pk},
                ok=(302,),
                expect=WITH_HISTORY,
            ),
        ),
    ),
    Route("measures:export", kwargs=_one),
    Route(
        "measures:switch_chart",
        kwargs=_write_only,
        get=False,
        writes=(Write(setup=lambda c: {"pk": _ratio_measure(c).pk}, ok=(302,)),),
    ),
    Route(
        "measures:add_point",
        kwargs=_one,
        writes=(
            Write(
                data=lambda c: {**_date("period", 1, 6, 2024), "value": "7"},
                ok=(302,),
                setup=lambda c: {"pk": _measure(c).pk},  # one point a period
            ),
        ),
    ),
    Route(
        "measures:point_edit",
        kwargs=_point,
        writes=(
            Write(
                data=lambda c: {**_date("period", 1, 1, 2023), "value": "8"}, ok=(302,)
            ),
        ),
    ),
    Route(
        "measures:point_delete",
        kwargs=lambda c: {"slug": c.org.slug, "pk": 0, "point": 0},
        get=False,
        writes=(Write(setup=_point_setup, ok=(302,)),),
    ),
    Route(
        "measures:phase_add",
        kwargs=_one,
        writes=(
            Write(
                data=lambda c: {**_date("period", 1, 2, 2023), "reason": "New rota"},
                ok=(302,),
                setup=lambda c: {"pk": _measure(c).pk},  # one phase a period
            ),
        ),
    ),
    Route(
        "measures:phase_remove",
        kwargs=lambda c: {"slug": c.org.slug, "pk": 0, "item": 0},
        get=False,
        writes=(Write(setup=_phase_setup, ok=(302,), expect=WITH_HISTORY),),
    ),
    Route(
        "measures:annotation_add",
        kwargs=_one,
        writes=(
            Write(
                data=lambda c: {**_date("period", 1, 2, 2023), "text": "Outage"},
                ok=(302,),
            ),
        ),
    ),
    Route(
        "measures:annotation_remove",
        kwargs=lambda c: {"slug": c.org.slug, "pk": 0, "item": 0},
        get=False,
        writes=(Write(setup=_note_setup, ok=(302,)),),
    ),
    Route(
        "measures:import",
        kwargs=_one,
        writes=(
            Write(
                data=lambda c: {
                    "file": RewindingUpload("data.csv", CSV),
                    "token": imports.new_import_token(),
                },
                ok=(302,),
            ),
        ),
    ),
    # Opened as a page it leads to the import's page; the script asks with HX-Request.
    Route("measures:import_progress", kwargs=_job, get_ok=(302,)),
    Route(
        "measures:import_preview",
        kwargs=_job,
        get_ok=NOT_YOURS,
        writes=(
            Write(data=lambda c: {"period": "period", "value": "value"}, ok=(302,)),
        ),
    ),
    Route(
        "measures:import_filter",
        kwargs=lambda c: {"slug": c.org.slug, "pk": 0, "token": "x" * 32},
        get=False,
        writes=(
            Write(
                setup=_job_setup,
                data=lambda c: {"column": "period", "value": "2024-01-01"},
                ok=(302,),
            ),
        ),
    ),
    Route("measures:import_errors", kwargs=_job, get_ok=NOT_YOURS),
    Route(
        "measures:import_commit",
        kwargs=lambda c: {"slug": c.org.slug, "pk": 0, "token": "x" * 32},
        get=False,
        writes=(Write(setup=_job_setup, ok=(302,)),),
    ),
]
