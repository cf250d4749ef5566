"""/organisations/{slug}/measures: measures for improvement, their data points,
their SPC chart, phase breaks and annotations.

Everyone in the organisation reads them; everyone but a viewer changes them.
The chart comes from :func:`openqi.measures.charts.chart_for`, as on the pages.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any, Literal

from django.http import HttpResponse
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError

from openqi.measures import importing, services
from openqi.measures.charts import chart_for, chart_svg
from openqi.measures.forms import AnnotationForm, MeasureForm, PhaseBreakForm, PointForm
from openqi.measures.models import DataPoint, Measure
from openqi.measures.permissions import CHANGE_MEASURE, VIEW_MEASURES
from openqi.organisations.access import require_delete
from openqi.organisations.permissions import MemberRequest, api_access

from . import versions
from .errors import error_response
from .lookups import changes, check, date_fields, organisation_api_path
from .schemas import Day, ErrorOut, MeasureKind, Number, Page, PageQuery
from .versions import VERSION_IN, VERSION_OUT
from .views import ERRORS, WRITE_ERRORS, paginate

router = Router(tags=["measures"])

MEASURES = "/organisations/{slug}/measures"
MEASURE = MEASURES + "/{measure_id}"

#: The most rows one bulk upsert takes (five years of daily data fits).
MAX_ROWS = 5000


# Shapes -------------------------------------------------------------------------------


class MeasureOut(Schema):
    id: int
    name: str
    definition: str = Field(description="The operational definition.")
    kind: MeasureKind
    numerator_definition: str
    denominator_definition: str
    unit_label: str = Field(description="The unit of measure, e.g. % or minutes.")
    frequency: Measure.Frequency
    improvement: Measure.Improvement
    target: float | None = Field(description="In the units the chart shows.")
    chart_type: Measure.ChartType
    is_chart_automatic: bool = Field(
        description="True while the chart is left to the usual choice: XmR, p, u, t "
        "or g by kind, and p′ or u′ for a proportion or rate whose data are "
        "over-dispersed. False once a chart_type is chosen."
    )
    fix_after: int | None = Field(
        description="Each phase's limits come from its first this-many points "
        "(null: from every point)."
    )
    multiplier: float = Field(description="100 for a percentage, 1000 per 1,000 …")
    unit_id: int | None = Field(description="The unit that owns it.")
    owner_id: int | None = Field(
        description="The user who answers for it (a member of the organisation)."
    )
    version: int = Field(description=VERSION_OUT)
    created_at: datetime
    updated_at: datetime


class MeasureIn(Schema):
    name: str = Field(min_length=1, max_length=200)
    definition: str = ""
    kind: MeasureKind = Measure.Kind.COUNT
    numerator_definition: str = Field("", description="For proportions and rates.")
    denominator_definition: str = Field("", description="For proportions and rates.")
    unit_label: str = Field("", max_length=60)
    frequency: Measure.Frequency = Measure.Frequency.MONTHLY
    improvement: Measure.Improvement = Measure.Improvement.NEITHER
    target: Number | None = None
    chart_type: Measure.ChartType | None = Field(
        None,
        description="Empty: the usual chart for the kind (XmR, p, u, t or g), which "
        "becomes p′ or u′ when a proportion's or rate's data are over-dispersed.",
    )
    fix_after: int | None = Field(
        None,
        description="Fix each phase's limits on its first this-many points (at least "
        "12); null uses every point.",
    )
    multiplier: Number = 1.0
    unit_id: int | None = None
    owner_id: int | None = Field(
        None, description="The user id of a member who may edit; null: no owner."
    )


class MeasurePatch(Schema):
    """Send only the fields to change."""

    version: int | None = Field(None, ge=1, description=VERSION_IN)
    name: str | None = Field(None, min_length=1, max_length=200)
    definition: str | None = None
    kind: MeasureKind | None = None
    numerator_definition: str | None = None
    denominator_definition: str | None = None
    unit_label: str | None = Field(None, max_length=60)
    frequency: Measure.Frequency | None = None
    improvement: Measure.Improvement | None = None
    target: Number | None = None
    chart_type: Measure.ChartType | None = Field(
        None, description="null: back to the usual chart, which follows the data."
    )
    fix_after: int | None = Field(None, description="null: use every point.")
    multiplier: Number | None = None
    unit_id: int | None = None
    owner_id: int | None = Field(None, description="null: no owner.")


class MeasureQuery(PageQuery):
    unit_id: int | None = None
    kind: MeasureKind | None = None


class DataPointOut(Schema):
    id: int
    period: date = Field(description="The first day of the period.")
    value: float | None = Field(description="The numerator, for proportions and rates.")
    denominator: float | None
    note: str
    is_excluded: bool = Field(
        description="Plotted, but left out of the centre line, limits and rules."
    )
    exclusion_reason: str = Field(
        description="Why it is left out (shown on the chart)."
    )
    version: int = Field(description=VERSION_OUT)


class DataPointPatch(Schema):
    """Send only the fields to change."""

    version: int | None = Field(None, ge=1, description=VERSION_IN)
    is_excluded: bool | None = Field(
        None, description="Leave the point out of the calculations, or bring it back."
    )
    exclusion_reason: str | None = Field(
        None,
        max_length=200,
        description="Needed to leave a point out: shown on the chart.",
    )
    note: str | None = Field(None, max_length=200)


class DataPointIn(Schema):
    period: str = Field(
        description="Any day in the period (2024-03-01, 2024-03, 01/03/2024, Mar 2024, "
        "2024 Q1); it is kept as the period's first day.",
        examples=["2024-03-01"],
    )
    value: Number | str | None = Field(
        None, description="A number; empty (null) for a missing period."
    )
    denominator: Number | str | None = Field(
        None, description="For proportions and rates: above zero."
    )


class UpsertOut(Schema):
    new: int = Field(description="Periods added.")
    changed: int = Field(description="Periods whose numbers changed.")
    unchanged: int = Field(description="Periods sent with the numbers they had.")
    total: int = Field(description="How many data points the measure has now.")


class ChartOut(Schema):
    """``ChartResult.to_dict()`` from :mod:`openqi.spc`."""

    chart: str = Field(description="The chart type, e.g. xmr or p.")
    options: dict[str, Any]
    points: list[dict[str, Any]] = Field(
        description="One per period: value, centre, limits, rule and signal."
    )
    summary: dict[str, Any] = Field(
        description="Variation and assurance icons, signals in words, phases, runs."
    )


class PhaseBreakOut(Schema):
    id: int
    period: date = Field(description="The first period of the new phase.")
    reason: str


class PhaseBreakIn(Schema):
    period: Day = Field(description="Any day in the first period of the new phase.")
    reason: str = Field(min_length=1, max_length=300)


class AnnotationOut(Schema):
    id: int
    period: date
    text: str


class AnnotationIn(Schema):
    period: Day = Field(description="Any day in the period the note is about.")
    text: str = Field(min_length=1, max_length=300)


# Looking measures up ------------------------------------------------------------------


def _form_data(data: dict[str, Any]) -> dict[str, Any]:
    form_data = {k: ("" if v is None else v) for k, v in data.items()}
    form_data["unit"] = form_data.pop("unit_id", "")
    form_data["owner"] = form_data.pop("owner_id", "")
    return form_data


# Measures -----------------------------------------------------------------------------


@router.get(MEASURES, response={200: Page[MeasureOut], **ERRORS}, url_name="measures")
@api_access(VIEW_MEASURES)
def list_measures(request: MemberRequest, slug: str, query: Query[MeasureQuery]) -> Any:
    """The organisation's measures, by name; filter by unit_id and kind."""
    membership = request.membership
    measures = Measure.objects.for_organisation(membership.organisation)
    if query.unit_id is not None:
        measures = measures.filter(unit_id=query.unit_id)
    if query.kind:
        measures = measures.filter(kind=query.kind)
    return paginate(measures.order_by("name", "pk"), query)


@router.post(MEASURES, response={201: MeasureOut, **WRITE_ERRORS}, url_name="measures")
@api_access(CHANGE_MEASURE)
def create_measure(request: MemberRequest, slug: str, payload: MeasureIn) -> Any:
    """Define a measure (everyone but viewers)."""
    membership = request.membership
    form = MeasureForm(_form_data(payload.dict()), organisation=membership.organisation)
    check(form, {"unit": "unit_id", "owner": "owner_id"})
    return Status(201, services.save_measure(form))


@router.get(MEASURE, response={200: MeasureOut, **ERRORS}, url_name="measure")
@api_access(VIEW_MEASURES)
def get_measure(request: MemberRequest, slug: str, measure_id: int) -> Any:
    return services.get_measure_for(request.membership, measure_id)


@router.patch(MEASURE, response={200: MeasureOut, **WRITE_ERRORS}, url_name="measure")
@api_access(CHANGE_MEASURE)
def update_measure(
    request: MemberRequest, slug: str, measure_id: int, payload: MeasurePatch
) -> Any:
    """Change a measure (everyone but viewers); send only the fields to change. A measure
    on the usual chart (``is_chart_automatic``) moves to the new kind's usual chart when
    the kind changes; ``"chart_type": null`` puts a measure back on the usual chart."""
    membership = request.membership
    sent = changes(payload)
    expect = versions.expected(request, sent.pop("version", None))

    def attempt() -> Measure:
        measure = services.get_measure_for(membership, measure_id)
        versions.check(measure, expect)
        data = {name: getattr(measure, name) for name in MeasureIn.model_fields}
        if measure.is_chart_automatic:
            data["chart_type"] = None
        data.update(sent)
        form = MeasureForm(
            _form_data(data), instance=measure, organisation=membership.organisation
        )
        check(form, {"unit": "unit_id", "owner": "owner_id"})
        if not form.cleaned_data.get("chart_type"):
            measure.chart_type = ""  # Measure.save() sets the kind's usual chart
        return services.save_measure(form)

    return versions.save(expect, attempt)


@router.delete(MEASURE, response={204: None, **WRITE_ERRORS}, url_name="measure")
@api_access(CHANGE_MEASURE)
def delete_measure(request: MemberRequest, slug: str, measure_id: int) -> Any:
    """Delete a measure (everyone but viewers; one with data points, administrators
    and the QI team only); projects lose the link."""
    membership = request.membership
    measure = services.get_measure_for(membership, measure_id)
    require_delete(
        membership, has_history=measure.points.exists(), what="a measure with data"
    )
    measure.delete()
    return Status(204, None)


# Data points --------------------------------------------------------------------------


@router.get(
    MEASURE + "/data-points",
    response={200: Page[DataPointOut], **ERRORS},
    url_name="data-points",
)
@api_access(VIEW_MEASURES)
def list_data_points(
    request: MemberRequest, slug: str, measure_id: int, page: Query[PageQuery]
) -> Any:
    """The measure's data points, oldest first."""
    measure = services.get_measure_for(request.membership, measure_id)
    return paginate(measure.points.order_by("period"), page)


def _rows_invalid(errors: list[importing.RowError], sent: int) -> HttpResponse:
    rows = sorted({e.number for e in errors})
    details = [
        {
            "index": e.number,
            "field": e.column or "row",
            "location": "body",
            "message": _sentence(e.message),
        }
        for e in errors
    ]
    listed = ", ".join(str(r) for r in rows[:20]) + (" …" if len(rows) > 20 else "")
    return error_response(
        422,
        f"{len(rows)} of {sent} rows have problems (index {listed}), so nothing was "
        "saved. Correct the rows listed in details and send them all again.",
        details,
    )


def _sentence(message: str) -> str:
    # The import counts rows as a spreadsheet does; here a row is its index in the list.
    message = re.sub(r"\bon row (\d+)", r"at index \1", message)
    return message[0].upper() + message[1:] + "."


@router.post(
    MEASURE + "/data-points",
    response={200: UpsertOut, **WRITE_ERRORS},
    url_name="data-points",
)
@api_access(CHANGE_MEASURE)
def upsert_data_points(
    request: MemberRequest, slug: str, measure_id: int, payload: list[DataPointIn]
) -> Any:
    """Add or change many periods at once (everyone but viewers): all or nothing.

    A period already there takes the numbers sent. If any row has a problem,
    nothing is saved and the 422 lists every problem with its row's index
    (counting from 0) and how to put it right."""
    membership = request.membership
    measure = services.get_measure_for(membership, measure_id)
    if not payload:
        return error_response(
            422,
            "The list of data points is empty: send at least one "
            '{"period": …, "value": …} object.',
            [
                {
                    "field": "body",
                    "location": "body",
                    "message": "Send at least one row.",
                }
            ],
        )
    if len(payload) > MAX_ROWS:
        return error_response(
            422,
            f"{len(payload)} rows is more than the {MAX_ROWS} one request takes: "
            "send them in smaller batches.",
            [{"field": "body", "location": "body", "message": "Too many rows."}],
        )
    records = [
        (index, row.period, _cell(row.value), _cell(row.denominator))
        for index, row in enumerate(payload)
    ]
    checked = importing.check_rows(
        records,
        kind=measure.kind,
        frequency=measure.frequency,
        today=timezone.localdate(),
    )
    if checked.errors:
        return _rows_invalid(list(checked.errors), len(payload))
    counts = services.save_rows(measure, checked.rows)
    return {**counts, "total": measure.points.count()}


def _cell(value: float | str | None) -> float | str | None:
    return float(value) if isinstance(value, int | float) else value


@router.patch(
    MEASURE + "/data-points/{point_id}",
    response={200: DataPointOut, **WRITE_ERRORS},
    url_name="data-point",
)
@api_access(CHANGE_MEASURE)
def update_data_point(
    request: MemberRequest,
    slug: str,
    measure_id: int,
    point_id: int,
    payload: DataPointPatch,
) -> Any:
    """Leave a point out of the chart's calculations (with the reason, shown on the
    chart), bring it back, or change its note (everyone but viewers). An excluded
    point is still plotted; the centre line, limits and rules ignore it. Change the
    numbers with POST …/data-points."""
    membership = request.membership
    measure = services.get_measure_for(membership, measure_id)
    sent = changes(payload)
    expect = versions.expected(request, sent.pop("version", None))

    def attempt() -> DataPoint:
        point = services.get_point_for(membership, measure, point_id)
        versions.check(point, expect)
        data = {
            "period": point.period,
            "value": point.value,
            "denominator": point.denominator,
            "note": point.note,
            "is_excluded": point.is_excluded,
            "exclusion_reason": point.exclusion_reason,
            **sent,
        }
        form_data = {
            **{k: ("" if v is None else v) for k, v in data.items() if k != "period"},
            **date_fields("period", data["period"]),
        }
        if not form_data["is_excluded"]:
            form_data.pop("is_excluded")  # a checkbox left unticked sends nothing
        cleaned = check(PointForm(form_data, measure=measure, instance=point))
        return services.save_point(measure, point=point, **cleaned)

    return versions.save(expect, attempt)


# The chart ----------------------------------------------------------------------------


@router.get(
    MEASURE + "/chart",
    response={200: ChartOut, **ERRORS, 409: ErrorOut},
    url_name="chart",
    openapi_extra={
        "responses": {
            200: {
                "description": "The chart: JSON, or with ?format=svg the drawing.",
                "content": {"image/svg+xml": {"schema": {"type": "string"}}},
            }
        }
    },
)
@api_access(VIEW_MEASURES)
def get_chart(
    request: MemberRequest,
    slug: str,
    measure_id: int,
    format: Literal["json", "svg"] = "json",
) -> Any:
    """The measure's SPC chart from :mod:`openqi.spc`, as on its page: points with
    centre line, limits and signals, the variation and assurance icons, and each
    signal in words. ``?format=svg`` gives the drawing (``image/svg+xml``)."""
    membership = request.membership
    measure = services.get_measure_for(membership, measure_id)
    try:
        result = chart_for(measure)
    except ValueError as error:
        raise HttpError(
            409, f"The chart cannot be drawn from this data: {error}"
        ) from None
    if result is None:
        where = organisation_api_path(membership, f"measures/{measure.pk}/data-points")
        raise HttpError(
            404,
            f"{measure} has no data points yet, so there is no chart. POST them to "
            f"{where}.",
        )
    if format == "svg":
        svg = chart_svg(measure, result)
        return HttpResponse(svg, content_type="image/svg+xml")
    return result.to_dict()


# Phase breaks and annotations ---------------------------------------------------------


@router.get(
    MEASURE + "/phase-breaks",
    response={200: Page[PhaseBreakOut], **ERRORS},
    url_name="phase-breaks",
)
@api_access(VIEW_MEASURES)
def list_phase_breaks(
    request: MemberRequest, slug: str, measure_id: int, page: Query[PageQuery]
) -> Any:
    """Where the chart's new phases start, oldest first."""
    measure = services.get_measure_for(request.membership, measure_id)
    return paginate(measure.phase_breaks.order_by("period"), page)


@router.post(
    MEASURE + "/phase-breaks",
    response={201: PhaseBreakOut, **WRITE_ERRORS},
    url_name="phase-breaks",
)
@api_access(CHANGE_MEASURE)
def create_phase_break(
    request: MemberRequest, slug: str, measure_id: int, payload: PhaseBreakIn
) -> Any:
    """Start a new phase of the chart, with what changed (everyone but viewers); the
    limits are worked out afresh from it."""
    membership = request.membership
    measure = services.get_measure_for(membership, measure_id)
    data = {"reason": payload.reason, **date_fields("period", payload.period)}
    cleaned = check(PhaseBreakForm(data, measure=measure))
    return Status(201, services.add_phase_break(measure, **cleaned))


@router.delete(
    MEASURE + "/phase-breaks/{break_id}",
    response={204: None, **WRITE_ERRORS},
    url_name="phase-break",
)
@api_access(CHANGE_MEASURE)
def delete_phase_break(
    request: MemberRequest, slug: str, measure_id: int, break_id: int
) -> Any:
    """Remove a phase break (everyone but viewers; one whose phase has data points,
    administrators and the QI team only)."""
    membership = request.membership
    measure = services.get_measure_for(membership, measure_id)
    phase_break = services.get_phase_break_for(membership, measure, break_id)
    require_delete(
        membership,
        has_history=phase_break.has_history(),
        what="a phase break whose phase has data",
    )
    services.remove_phase_break(measure, phase_break)
    return Status(204, None)


@router.get(
    MEASURE + "/annotations",
    response={200: Page[AnnotationOut], **ERRORS},
    url_name="annotations",
)
@api_access(VIEW_MEASURES)
def list_annotations(
    request: MemberRequest, slug: str, measure_id: int, page: Query[PageQuery]
) -> Any:
    """Notes on the chart's points, oldest first."""
    measure = services.get_measure_for(request.membership, measure_id)
    return paginate(measure.annotations.order_by("period", "pk"), page)


@router.post(
    MEASURE + "/annotations",
    response={201: AnnotationOut, **WRITE_ERRORS},
    url_name="annotations",
)
@api_access(CHANGE_MEASURE)
def create_annotation(
    request: MemberRequest, slug: str, measure_id: int, payload: AnnotationIn
) -> Any:
    """Add a note on a period of the chart (everyone but viewers)."""
    membership = request.membership
    measure = services.get_measure_for(membership, measure_id)
    data = {"text": payload.text, **date_fields("period", payload.period)}
    cleaned = check(AnnotationForm(data, measure=measure))
    return Status(201, services.add_annotation(measure, **cleaned))


@router.delete(
    MEASURE + "/annotations/{annotation_id}",
    response={204: None, **WRITE_ERRORS},
    url_name="annotation",
)
@api_access(CHANGE_MEASURE)
def delete_annotation(
    request: MemberRequest, slug: str, measure_id: int, annotation_id: int
) -> Any:
    """Remove a note from the chart (everyone but viewers)."""
    membership = request.membership
    measure = services.get_measure_for(membership, measure_id)
    annotation = services.get_annotation_for(membership, measure, annotation_id)
    require_delete(
        membership, has_history=annotation.has_history(), what="this annotation"
    )
    annotation.delete()
    return Status(204, None)
