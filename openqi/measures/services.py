"""Measures and their charts: the translation between model rows and :mod:`openqi.spc`.

Pages, the API, the portfolio and the board report all call :func:`chart_for`,
so a measure's chart is computed one way everywhere.
"""

from __future__ import annotations

import csv
import datetime
import io
import logging
import math
import re
import secrets
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import connections, transaction
from django.db.models import Q
from django.utils import timezone

from openqi.audit.services import acting_as, record_rows
from openqi.spc import ChartResult, Dispersion, overdispersion, render_svg, spc_chart
from openqi.tabular import Limits, TableError, UncalculatedFormula, read_upload

from . import importing
from .models import Annotation, DataPoint, ImportJob, Measure, PhaseBreak

logger = logging.getLogger(__name__)

#: Charts whose plotted value is numerator ÷ denominator (× the multiplier).
RATIO_CHARTS = frozenset({"p", "pp", "u", "up"})


def chart_svg(measure: Measure, result: ChartResult) -> str:
    """The measure's chart drawn as SVG, with its annotations, and the reason for
    each point left out of the calculations, as numbered marks.

    A note on a period with no data point is not drawn (pages list every note).
    """
    charted = set(result.periods)
    notes = [
        (note.period, note.text)
        for note in measure.annotations.order_by("period", "pk")
    ]
    notes += [
        (period, f"Left out of the calculations: {reason}")
        for period, reason in measure.points.filter(is_excluded=True).values_list(
            "period", "exclusion_reason"
        )
    ]
    notes.sort(key=lambda note: note[0])
    marks = [
        (label, text)
        for period, text in notes
        if (label := period_label(measure, period)) in charted
    ]
    return render_svg(
        result,
        title=measure.name,
        y_label=measure.unit_label or None,
        x_label="Period",
        annotations=marks,
    )


def period_label(measure: Measure, period: datetime.date) -> str:
    """How a period is written on the chart: 2024-03 for months, the date otherwise."""
    if measure.frequency in (Measure.Frequency.MONTHLY, Measure.Frequency.QUARTERLY):
        return period.strftime("%Y-%m")
    return period.isoformat()


def chart_for(
    measure: Measure, points: Sequence[DataPoint] | None = None
) -> ChartResult | None:
    """The measure's SPC chart, or None while it has no data.

    Phase breaks become ``rebase`` periods (a break on a date with no data point
    starts the phase at the next point); the target is in the plotted units;
    excluded points and ``fix_after`` pass to the engine as they are. Raises
    ``ValueError`` (from :mod:`openqi.spc`) when the data cannot make the chart,
    with a message fit to show.
    """
    if points is None:
        points = list(measure.points.order_by("period"))
    if not points:
        return None
    labels = [period_label(measure, p.period) for p in points]
    values = [p.value for p in points]
    chart = measure.chart_type or Measure.DEFAULT_CHART[Measure.Kind(measure.kind)]
    options: dict[str, Any] = {
        "improvement": measure.improvement,
        "target": measure.target,
    }
    denominators = None
    if chart in RATIO_CHARTS or (chart == "run" and measure.has_denominator()):
        denominators = [p.denominator for p in points]
        options["multiply"] = measure.multiplier
    rebase = []
    breaks = sorted(b.period for b in measure.phase_breaks.all())
    for when in breaks:
        for point, label in zip(points, labels, strict=True):
            if point.period >= when:
                if point is not points[0] and label not in rebase:
                    rebase.append(label)
                break
    if rebase:
        options["rebase"] = rebase
    # Points from the portfolio's bulk loader carry only period, value and denominator.
    excluded = [
        label
        for point, label in zip(points, labels, strict=True)
        if getattr(point, "is_excluded", False)
    ]
    if excluded:
        options["exclude"] = excluded
    if measure.fix_after is not None:
        options["fix_after"] = measure.fix_after
    return spc_chart(chart, values, denominators, labels, **options)


# ---------------------------------------------------------------------------
# Over-dispersion: when a p or u chart's limits are too narrow for the data


def _dispersion(
    measure: Measure, series: Sequence[tuple[datetime.date, Any, Any, bool]]
) -> Dispersion | None:
    """The over-dispersion check (:func:`openqi.spc.overdispersion`) of a
    proportion's or rate's (period, numerator, denominator, excluded) series, in
    period order; None for other kinds, or for data no p or u chart can take.

    Only the latest phase counts: a sustained change between phases is not
    over-dispersion, and the latest phase's limits are the ones read. Excluded and
    incomplete points are left out, as the chart leaves them out of its limits.
    """
    if not measure.has_denominator():
        return None
    breaks = [b.period for b in measure.phase_breaks.all()]
    if series and breaks:
        # As in chart_for: a break starts its phase at the first point on or after it.
        starts = [b for b in breaks if series[0][0] < b <= series[-1][0]]
        if starts:
            series = [row for row in series if row[0] >= max(starts)]
    if measure.fix_after is not None:
        series = series[: measure.fix_after]  # the baseline the limits come from
    kept = [
        (float(n), float(d))
        for _, n, d, is_excluded in series
        if n is not None and d is not None and d > 0 and not is_excluded
    ]
    chart = "p" if measure.kind == Measure.Kind.PROPORTION else "u"
    try:
        return overdispersion([n for n, _ in kept], [d for _, d in kept], chart=chart)
    except ValueError:  # data no chart can use (a numerator above its denominator)
        return None


def dispersion_for(
    measure: Measure, points: Sequence[DataPoint] | None = None
) -> Dispersion | None:
    """The over-dispersion check of the measure's data (None for kinds without a
    denominator); see :func:`openqi.spc.overdispersion`."""
    if not measure.has_denominator():
        return None
    if points is None:  # plain rows: a measure may have tens of thousands
        rows = measure.points.order_by("period").values_list(
            "period", "value", "denominator", "is_excluded"
        )
        return _dispersion(measure, list(rows))
    return _dispersion(
        measure,
        [
            (p.period, p.value, p.denominator, getattr(p, "is_excluded", False))
            for p in points
        ],
    )


def is_overdispersed(dispersion: Dispersion | None) -> bool:
    return bool(
        dispersion is not None
        and dispersion.is_assessed
        and dispersion.is_overdispersed
    )


def automatic_chart(measure: Measure, dispersion: Dispersion | None) -> str:
    """The chart a measure gets when its chart is left to the app.

    The kind's usual chart (XmR, p, u, t or g); for a proportion or rate whose
    data are over-dispersed once there are enough points to tell
    (``MIN_DISPERSION_POINTS``), Laney's p′ or u′ chart instead, as Making Data
    Count advises for large denominators. It follows the data both ways.
    """
    usual = Measure.DEFAULT_CHART[Measure.Kind(measure.kind)]
    if is_overdispersed(dispersion):
        return Measure.LANEY_CHART.get(usual, usual)
    return usual


def refresh_chart_choice(measure: Measure) -> bool:
    """Move a measure whose chart is automatic to the chart its data call for.

    Called after every change to the measure or its data; saves (and so audits)
    only a change of chart. Returns whether the chart changed.
    """
    if not measure.is_chart_automatic:
        return False
    chart = automatic_chart(measure, dispersion_for(measure))
    if chart == measure.chart_type:
        return False
    measure.chart_type = chart
    measure.save(update_fields=["chart_type", "updated_at"])
    return True


def switch_to_laney(measure: Measure) -> bool:
    """Draw a p or u chart measure as p′ or u′ from now on (an editor's choice,
    so it no longer follows the data). False when it is not on a p or u chart."""
    laney = measure.laney_chart()
    if laney is None:
        return False
    measure.chart_type = laney
    measure.is_chart_automatic = False
    measure.save(update_fields=["chart_type", "is_chart_automatic", "updated_at"])
    return True


# ---------------------------------------------------------------------------
# Words for the page: icons, assurance, rules


#: The variation icon's meaning in words (Making Data Count).
VARIATION_WORDS: dict[str, str] = {
    "common_cause": "Common cause variation: no sign of special cause at the latest point.",
    "improvement_high": "Special cause improvement: the latest point is unusually high, which is good.",
    "improvement_low": "Special cause improvement: the latest point is unusually low, which is good.",
    "concern_high": "Special cause concern: the latest point is unusually high, which is a worry.",
    "concern_low": "Special cause concern: the latest point is unusually low, which is a worry.",
    "neutral_high": "Special cause variation, high: unusual, but higher is neither better nor worse.",
    "neutral_low": "Special cause variation, low: unusual, but lower is neither better nor worse.",
}
#: Short names for the icons, for lists.
VARIATION_NAMES: dict[str, str] = {
    "common_cause": "Common cause",
    "improvement_high": "Improvement (high)",
    "improvement_low": "Improvement (low)",
    "concern_high": "Concern (high)",
    "concern_low": "Concern (low)",
    "neutral_high": "Special cause (high)",
    "neutral_low": "Special cause (low)",
}
ASSURANCE_NAMES: dict[str, str] = {
    "consistent_pass": "Consistently passes the target",
    "consistent_fail": "Consistently fails the target",
    "inconsistent": "Hits and misses the target",
}
RULE_WORDS: dict[str, str] = {
    "common_cause": "",
    "outside_limits": "Outside the limits",
    "trend": "Trend",
    "two_of_three": "Two of three near a limit",
    "shift": "Shift",
}
SIGNAL_WORDS: dict[str, str] = {
    "common_cause": "Common cause",
    "improvement": "Improvement",
    "concern": "Concern",
    "neutral_high": "Special cause (high)",
    "neutral_low": "Special cause (low)",
}
#: One sentence on each chart, for the measure form.
CHART_HINTS: dict[str, str] = {
    "xmr": "Plots each value with limits from the average moving range: the usual choice for counts and measurements.",
    "run": "Plots values around their median, with no limits: for a short series or a first look.",
    "p": "Plots a proportion with limits that widen for small denominators: for numerator out of denominator.",
    "pp": "A p chart whose limits allow for extra variation between periods: for very large denominators.",
    "u": "Plots a rate per unit of exposure with limits that vary with the exposure: for events per bed day.",
    "up": "A u chart whose limits allow for extra variation between periods: for very large exposures.",
    "c": "Plots counts of events when the chance of an event stays the same from period to period.",
    "g": "Plots the number of cases between rare events: a rise means events are rarer.",
    "t": "Plots the time between rare events: a rise means events are rarer.",
}


def number_text(value: float | None, measure: Measure | None = None) -> str:
    """A number as the page shows it: no needless ".0", and the unit when it is %."""
    if value is None or not math.isfinite(value):
        return ""
    if float(value).is_integer() and abs(value) < 1e15:
        text = f"{int(value):,}"
    else:
        text = f"{value:,.4g}" if abs(value) < 1e4 else f"{value:,.1f}"
    if measure is not None and measure.unit_label.strip() == "%":
        return f"{text}%"
    return text


def assurance_sentence(measure: Measure, result: ChartResult) -> str:
    """The assurance icon in a sentence, against the latest phase's process limits."""
    target = result.target
    if target is None:
        return "No target is set, so there is no assurance icon."
    words = number_text(target, measure)
    if result.assurance is None:
        if result.improvement == "neither":
            return (
                f"The target of {words} cannot be judged until the measure says whether "
                "higher or lower is better."
            )
        return f"The target of {words} cannot be judged on this chart, which has no process limits."
    if result.assurance == "inconsistent":
        return (
            f"The target of {words} lies between the process limits: the process will "
            "sometimes meet it and sometimes miss it, by chance alone."
        )
    upper = float(result.upper[-1])
    where = (
        "above the upper process limit"
        if target > upper
        else "below the lower process limit"
    )
    if result.assurance == "consistent_fail":
        return (
            f"The target of {words} lies {where}: the process will consistently fail it "
            "unless something changes."
        )
    return f"The target of {words} lies {where}: the process will consistently meet it."


# ---------------------------------------------------------------------------
# Data points


def current_period(measure: Measure) -> datetime.date:
    """The first day of the period holding today: the latest that may have data."""
    return importing.period_start(timezone.localdate(), measure.frequency)


def next_period(measure: Measure) -> datetime.date | None:
    """The period after the latest point; with no points, the last complete period.

    None when the latest point is already the current period: the next one has
    not happened yet.
    """
    latest = measure.points.order_by("-period").values_list("period", flat=True)
    current = current_period(measure)
    if latest:
        following = importing.next_period(latest[0], measure.frequency)
        return following if following <= current else None
    return importing.period_start(
        current - datetime.timedelta(days=1), measure.frequency
    )


def existing_points(
    measure: Measure,
) -> dict[datetime.date, tuple[float | None, float | None]]:
    return {
        period: (value, denominator)
        for period, value, denominator in measure.points.values_list(
            "period", "value", "denominator"
        )
    }


# ---------------------------------------------------------------------------
# Bulk import: a job held in the database between the upload, the preview and the commit


#: Rows checked between two progress reports.
IMPORT_CHUNK = 2000
#: Row errors listed on the preview; the rest are in the CSV download.
SHOWN_ERROR_ROWS = 50
#: Rows written by one INSERT or UPDATE of a commit (PostgreSQL takes at most
#: 65,535 parameters in one statement).
WRITE_BATCH = 2000
_TOKEN = re.compile(r"[A-Za-z0-9_-]{20,64}\Z")
#: What the job saves after each stage: everything but the uploaded file.
_STATE_FIELDS = [
    "stage",
    "done",
    "total",
    "read_rows",
    "names",
    "mapping",
    "records",
    "rows",
    "errors",
    "message",
    "filter_column",
    "filter_value",
    "next_filter",
]
#: Stages a runner picks up, each with the stage the job is in while it works.
QUEUED_STAGES = {"queued": "reading", "filter": "reading", "commit": "saving"}
#: Stages a runner works in; a job left in one past :data:`STALE_AFTER` since its
#: runner last reported was left by a runner that died, and is taken again.
RUNNING_STAGES = ("reading", "checking", "saving")
#: Stages in which the person waits for a runner (the progress page polls).
BUSY_STAGES = ("waiting", *QUEUED_STAGES, *RUNNING_STAGES)
STALE_AFTER = datetime.timedelta(minutes=10)
_RETAKEN = {"reading": "reading", "checking": "reading", "saving": "saving"}


class ImportRejected(ValueError):
    """The file has row errors (or cannot be read); nothing was saved."""


def import_limits() -> Limits:
    """What an uploaded file may be and expand to (``OPENQI_IMPORT_*`` settings)."""
    return Limits(
        max_bytes=settings.OPENQI_IMPORT_MAX_BYTES,
        max_rows=settings.OPENQI_IMPORT_MAX_ROWS,
        max_cells=settings.OPENQI_IMPORT_MAX_CELLS,
        max_uncompressed_bytes=settings.OPENQI_IMPORT_MAX_UNCOMPRESSED_BYTES,
    )


def _save(job: ImportJob) -> None:
    job.save(update_fields=_STATE_FIELDS)


def _report(job: ImportJob) -> None:
    """Save only the progress, which the progress fragment polls, and that the
    runner is still alive."""
    ImportJob.objects.filter(pk=job.pk).update(
        stage=job.stage, done=job.done, total=job.total, claimed_at=timezone.now()
    )


def checked_rows(job: ImportJob) -> list[importing.Row]:
    return [
        importing.Row(n, datetime.date.fromisoformat(p), v, d)
        for n, p, v, d in job.rows
    ]


def row_errors(job: ImportJob) -> list[importing.RowError]:
    return [importing.RowError(n, c, m) for n, c, m in job.errors]


def _stored(cell: Any) -> Any:
    """A cell as JSON: a formula never calculated becomes {"formula": "C14"}."""
    if isinstance(cell, UncalculatedFormula):
        return {"formula": cell.cell}
    return cell


def _cell(stored: Any) -> Any:
    if isinstance(stored, dict):
        return UncalculatedFormula(str(stored.get("formula", "")))
    return stored


def new_import_token() -> str:
    return secrets.token_urlsafe(24)


def is_import_token(token: str) -> bool:
    return bool(_TOKEN.match(token))


def is_import_token_taken(token: str) -> bool:
    return ImportJob.objects.filter(token=token).exists()


def load_import(token: str, measure: Measure, user: Any) -> ImportJob | None:
    """The person's import job for this measure, or None (unknown, someone else's, or expired)."""
    if not is_import_token(token):
        return None
    job = (
        ImportJob.objects.filter(token=token, measure=measure, user_id=user.pk)
        .defer("content")
        .first()
    )
    if job is None:
        return None
    if job.expires_at <= timezone.now():
        job.delete()
        return None
    return job


def import_progress(token: str, measure: Measure, user: Any) -> dict[str, Any] | None:
    """How far the person's import has got (stage, done, total), or None before it starts."""
    if not is_import_token(token):
        return None
    return (
        ImportJob.objects.filter(token=token, measure=measure, user_id=user.pk)
        .values("filename", "stage", "done", "total")
        .first()
    )


def clear_expired_imports() -> int:
    """Delete every import job past its expiry; returns how many."""
    deleted, _ = ImportJob.objects.filter(expires_at__lte=timezone.now()).delete()
    return deleted


def start_import(
    measure: Measure, user: Any, token: str, upload: UploadedFile
) -> ImportJob:
    """Keep the uploaded file under ``token`` and make its job, queued to be
    read and checked (:func:`queue_import` starts it in development)."""
    clear_expired_imports()
    name = upload.name or "upload.csv"
    content = b"".join(upload.chunks())
    job = ImportJob.objects.create(
        token=token,
        measure=measure,
        user=user,
        filename=name[:255],
        suffix=Path(name).suffix.lower()[:10],
        content=content,
        stage="queued",
        expires_at=timezone.now()
        + datetime.timedelta(seconds=settings.OPENQI_IMPORT_LIFETIME),
    )
    del content
    return job


#: The file reader serves the command line too, which also reads Parquet; the
#: upload page takes only CSV and Excel, so its advice must not offer Parquet.
_NOT_HERE = (
    ("a CSV, .xlsx or .parquet file", "a CSV or .xlsx file"),
    ("an .xlsx or .parquet file", "an .xlsx file"),
)


def _file_message(error: TableError) -> str:
    message = str(error)
    for offered, here in _NOT_HERE:
        message = message.replace(offered, here)
    return message


def _read(job: ImportJob) -> Any:
    """The kept file as a table, or None (the job marked failed) when it cannot be read."""
    try:
        return read_upload(bytes(job.content), job.filename, limits=import_limits())
    except TableError as error:
        job.stage = "failed"
        job.message = _file_message(error)
        _save(job)
        return None


def _matching(table: Any, column: str, value: str) -> list[bool]:
    wanted = value.strip().casefold()
    return [cell.casefold() == wanted for cell in table.texts(column)]


def read_import(job: ImportJob, measure: Measure, table: Any = None) -> None:
    """Read the kept file (CSV or .xlsx) and match its columns; stops at ``choose``
    when a column needs naming. Keeps only the rows the job's filter picks."""
    if table is None:
        table = _read(job)
        if table is None:
            return
    job.names = list(table.names)
    mapping = job.mapping or importing.match_columns(table.names)
    if not measure.has_denominator():
        mapping["denominator"] = None
    job.mapping = mapping
    if importing.missing_columns(mapping, has_denominator=measure.has_denominator()):
        job.stage = "choose"
        _save(job)
        return

    def cells(column: str | None) -> list[Any]:
        if column is None:
            return [None] * len(table)
        return list(table.columns[column])

    records = zip(
        table.rows,
        cells(mapping["period"]),
        cells(mapping["value"]),
        cells(mapping["denominator"]),
        strict=True,
    )
    if job.filter_column in table.names:
        keep = _matching(table, job.filter_column, job.filter_value)
        records = (r for r, is_kept in zip(records, keep, strict=True) if is_kept)
    else:
        job.filter_column = job.filter_value = ""
    job.records = [[_stored(cell) for cell in record] for record in records]
    job.read_rows = len(table)
    job.total = len(job.records)
    job.done = 0
    job.rows, job.errors = [], []
    job.stage = "checking"
    _save(job)


def _check(
    records: list[list[Any]], measure: Measure, seen: dict[datetime.date, int]
) -> importing.CheckedRows:
    return importing.check_rows(
        [(r[0], *(_cell(c) for c in r[1:])) for r in records],
        kind=measure.kind,
        frequency=measure.frequency,
        seen=seen,
        today=timezone.localdate(),
    )


def check_import(job: ImportJob, measure: Measure) -> None:
    """Check every row, a chunk at a time, saving the progress after each chunk."""
    seen: dict[datetime.date, int] = {}
    job.rows, job.errors, job.done = [], [], 0
    for start in range(0, job.total, IMPORT_CHUNK):
        checked = _check(job.records[start : start + IMPORT_CHUNK], measure, seen)
        seen = checked.periods
        job.rows += [
            [r.number, r.period.isoformat(), r.value, r.denominator]
            for r in checked.rows
        ]
        job.errors += [[e.number, e.column, e.message] for e in checked.errors]
        job.done = min(job.total, start + IMPORT_CHUNK)
        _report(job)
    job.stage = "ready"
    _save(job)


def run_import(job: ImportJob, measure: Measure) -> None:
    """Read and check the kept file, as far as it goes without a person choosing columns."""
    read_import(job, measure)
    if job.stage == "checking":
        check_import(job, measure)


def choose_columns(
    job: ImportJob, measure: Measure, mapping: dict[str, str | None]
) -> None:
    """Use the columns the person named, and queue the file to be read and checked again."""
    job.mapping = mapping
    job.stage = "queued"
    _save(job)
    queue_import(job)


class NoRowsMatch(ValueError):
    """No row of the file holds the value asked for in the column asked for."""


def request_filter(job: ImportJob, column: str, value: str) -> bool:
    """Queue a checked job to keep only the rows whose ``column`` holds ``value``
    (empty ``column``: every row) and be checked again; False when it is no longer
    ``ready``."""
    wanted = {"column": column, "value": value if column else ""}
    queued = ImportJob.objects.filter(pk=job.pk, stage="ready").update(
        stage="filter", next_filter=wanted, notice=""
    )
    if queued:
        job.stage, job.next_filter = "filter", wanted
        queue_import(job)
    return bool(queued)


def take_filter_error(job: ImportJob) -> dict[str, str] | None:
    """The rows asked for that no row holds, with why, cleared as it is shown."""
    wanted = job.next_filter
    if not wanted or "error" not in wanted:
        return None
    job.next_filter = None
    ImportJob.objects.filter(pk=job.pk).update(next_filter=None)
    return {key: str(wanted.get(key, "")) for key in ("column", "value", "error")}


def _run_filter(job: ImportJob, measure: Measure) -> None:
    wanted = job.next_filter or {}
    try:
        job.next_filter = None
        filter_import(job, measure, wanted.get("column", ""), wanted.get("value", ""))
    except NoRowsMatch as error:
        ImportJob.objects.filter(pk=job.pk).update(
            stage="ready", next_filter={**wanted, "error": str(error)}
        )


def filter_import(job: ImportJob, measure: Measure, column: str, value: str) -> None:
    """Keep only the rows whose ``column`` holds ``value`` (compared without regard
    to case), then check them again; empty ``column`` keeps every row.

    Raises :class:`NoRowsMatch`, leaving the job as it was, when no row matches.
    """
    table = _read(job)
    if table is None:
        return
    if column:
        if column not in table.names:
            raise NoRowsMatch(f"The file has no column called {column}.")
        if not any(_matching(table, column, value)):
            seen: dict[str, None] = {}
            for cell in table.texts(column):
                if cell and len(seen) < 8:
                    seen.setdefault(cell, None)
            examples = ", ".join(seen) or "nothing: it is empty"
            raise NoRowsMatch(
                f"No row has {value} in {column}: check the spelling. The column "
                f"holds, for example, {examples}."
            )
    job.filter_column, job.filter_value = (column, value) if column else ("", "")
    job.stage = "reading"
    read_import(job, measure, table)
    if job.stage == "checking":
        check_import(job, measure)


def preview_import(job: ImportJob, measure: Measure) -> list[importing.Change]:
    return importing.classify(checked_rows(job), existing_points(measure))


def shown_row_errors(job: ImportJob) -> tuple[list[importing.RowError], int]:
    """The errors of the first :data:`SHOWN_ERROR_ROWS` rows with errors, and how
    many rows have errors in all."""
    errors = row_errors(job)
    rows: set[int] = set()
    shown = []
    for error in errors:
        if error.number not in rows and len(rows) == SHOWN_ERROR_ROWS:
            continue
        rows.add(error.number)
        shown.append(error)
    return shown, len({e.number for e in errors})


def import_errors_csv(job: ImportJob) -> str:
    """Every row error, with the row's cells as read, as CSV (one line per error)."""
    cells = {record[0]: record[1:] for record in job.records}
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    mapping = job.mapping
    writer.writerow(["row", "column", "problem", "period", "value", "denominator"])
    for error in row_errors(job):
        period, value, denominator = cells.get(error.number, (None, None, None))
        writer.writerow(
            [
                error.number,
                mapping.get(error.column) or error.column,
                error.message[:1].upper() + error.message[1:] + ".",
                *(
                    "" if c is None else _cell_csv(c)
                    for c in (period, value, denominator)
                ),
            ]
        )
    return out.getvalue()


def _cell_csv(cell: Any) -> str:
    if isinstance(cell, dict):
        return f"={cell.get('formula', '')} (not calculated)"
    return _csv_number(cell) if isinstance(cell, float) else str(cell)


def import_dispersion(job: ImportJob, measure: Measure) -> Dispersion | None:
    """The over-dispersion check of the data as they would be after the import
    (the measure's points, with the file's rows added or changed)."""
    if not measure.has_denominator():
        return None
    series = {
        p.period: (p.value, p.denominator, p.is_excluded) for p in measure.points.all()
    }
    for row in checked_rows(job):
        excluded = series.get(row.period, (None, None, False))[2]
        series[row.period] = (row.value, row.denominator, excluded)
    return _dispersion(
        measure, [(period, *series[period]) for period in sorted(series)]
    )


def _rejected(errors: int) -> ImportRejected:
    return ImportRejected(
        f"{errors} row error{'s' if errors != 1 else ''}: "
        "mend the file and upload it again; nothing was saved."
    )


def take_notice(job: ImportJob) -> str:
    """The job's message for the person (a commit refused), cleared as it is shown."""
    notice, job.notice = job.notice, ""
    if notice:
        ImportJob.objects.filter(pk=job.pk).update(notice="")
    return notice


def request_commit(job: ImportJob) -> bool:
    """Queue a checked job to be saved; False when it is no longer ``ready``
    (a second press of the button). Raises :class:`ImportRejected` at once when
    the check found row errors."""
    if job.errors:
        raise _rejected(len(job.errors))
    queued = ImportJob.objects.filter(pk=job.pk, stage="ready").update(
        stage="commit", notice=""
    )
    if queued:
        job.stage = "commit"
        queue_import(job)
    return bool(queued)


def commit_import(job: ImportJob, measure: Measure) -> dict[str, int]:
    """Save every row, all or nothing, after checking them all again; the job
    becomes ``saved``, its ``message`` saying what was saved, and lets go of the file.

    Raises :class:`ImportRejected` (and saves nothing) when a row has an error.
    Returns the number of new, changed and unchanged periods.
    """
    checked = _check(job.records, measure, {})
    if checked.errors or len(checked.rows) != job.total:
        raise _rejected(len(checked.errors))
    with transaction.atomic():
        counts = save_rows(measure, checked.rows, source=job.filename)
        ImportJob.objects.filter(pk=job.pk).update(
            stage="saved",
            message=(
                f"Imported {job.filename}: {counts['new']} new, {counts['changed']} "
                f"changed, {counts['unchanged']} unchanged."
            ),
            content=b"",
            records=[],
            rows=[],
        )
    return counts


# ---------------------------------------------------------------------------
# Running queued imports: `manage.py run_imports`, or a thread in development


def take_import(pk: int, stage: str, claim: str) -> str | None:
    """Take the job if it is still in ``stage`` under ``claim`` (as a runner saw
    it): one conditional UPDATE, so of two runners that saw it the same way only
    one takes it, on SQLite and PostgreSQL alike. Returns the new claim, or None."""
    new_claim = secrets.token_hex(16)
    working = QUEUED_STAGES.get(stage) or _RETAKEN[stage]
    taken = ImportJob.objects.filter(pk=pk, stage=stage, claim=claim).update(
        stage=working, claim=new_claim, claimed_at=timezone.now()
    )
    return new_claim if taken else None


def claim_import(pk: int | None = None) -> ImportJob | None:
    """Take the oldest job waiting for a runner (or the job ``pk``): queued, or
    left running by a runner that stopped reporting :data:`STALE_AFTER` ago."""
    now = timezone.now()
    waiting = ImportJob.objects.filter(
        Q(stage__in=QUEUED_STAGES)
        | Q(stage__in=RUNNING_STAGES, claimed_at__lt=now - STALE_AFTER),
        expires_at__gt=now,
    )
    if pk is not None:
        waiting = waiting.filter(pk=pk)
    for job_pk, stage, claim in waiting.order_by("pk").values_list(
        "pk", "stage", "claim"
    )[:20]:
        if take_import(job_pk, stage, claim):
            return ImportJob.objects.select_related("measure", "user").get(pk=job_pk)
    return None


def process_import(job: ImportJob) -> None:
    """Do a claimed job's work: read and check the file, or save its rows.

    A failure is logged and told to the person; it never stops the runner.
    """
    measure = job.measure
    try:
        if job.stage == "saving":
            try:
                # The audit trail names the person who pressed Save.
                with acting_as(job.user, "web"):
                    commit_import(job, measure)
            except ImportRejected as error:
                ImportJob.objects.filter(pk=job.pk).update(
                    stage="ready", notice=str(error)
                )
        elif job.next_filter is not None:
            _run_filter(job, measure)
        else:
            run_import(job, measure)
    except Exception:
        logger.exception("Import %s of %s failed", job.pk, job.filename)
        if job.stage == "saving":
            ImportJob.objects.filter(pk=job.pk).update(
                stage="ready",
                notice="The rows could not be saved, and nothing was saved: try again.",
            )
        else:
            ImportJob.objects.filter(pk=job.pk).update(
                stage="failed",
                message="The file could not be checked because of a fault in OpenQI: "
                "upload it again, and tell your administrator if it happens again.",
            )


def run_pending_imports() -> int:
    """Claim and process jobs until none waits; returns how many were processed."""
    processed = 0
    while (job := claim_import()) is not None:
        process_import(job)
        processed += 1
    return processed


def queue_import(job: ImportJob) -> None:
    """In development (``OPENQI_IMPORTS_IN_PROCESS``), work on the queued job in a
    thread of this process once the request's transaction is committed; otherwise
    leave it to ``manage.py run_imports``."""
    if not settings.OPENQI_IMPORTS_IN_PROCESS:
        return
    pk = job.pk
    transaction.on_commit(
        lambda: threading.Thread(
            target=_run_in_thread, args=(pk,), name=f"openqi-import-{pk}", daemon=True
        ).start()
    )


def _run_in_thread(pk: int) -> None:
    try:
        if (job := claim_import(pk)) is not None:
            process_import(job)
    finally:
        connections.close_all()  # this thread's own connections


def save_rows(
    measure: Measure, rows: Sequence[importing.Row], *, source: str = ""
) -> dict[str, int]:
    """Add or change each checked row's period, all in one transaction.

    Used by the import's commit (``source`` names the file) and the API's bulk
    upsert. The points are written in batches, with one audit event for the lot
    holding every changed period's old and new numbers; the measure's
    ``updated_at`` and automatic chart are brought up to date once. Returns the
    number of new, changed and unchanged periods.
    """
    counts = {"new": 0, "changed": 0, "unchanged": 0}
    with transaction.atomic():
        points = {
            p.period: p
            for p in measure.points.select_for_update().only(
                "id", "period", "value", "denominator", "version"
            )
        }
        existing = {p: (d.value, d.denominator) for p, d in points.items()}
        new: list[DataPoint] = []
        changed: list[DataPoint] = []
        before: dict[str, dict[str, Any]] = {}
        after: dict[str, dict[str, Any]] = {}
        for change in importing.classify(rows, existing):
            counts[change.status] += 1
            row = change.row
            if change.status == "unchanged":
                continue
            key = row.period.isoformat()
            after[key] = {"value": row.value, "denominator": row.denominator}
            if change.status == "new":
                new.append(
                    DataPoint(
                        measure=measure,
                        period=row.period,
                        value=row.value,
                        denominator=row.denominator,
                    )
                )
            else:
                point = points[row.period]
                before[key] = {"value": point.value, "denominator": point.denominator}
                point.value, point.denominator = row.value, row.denominator
                point.version += 1
                changed.append(point)
        DataPoint.objects.bulk_create(new, batch_size=WRITE_BATCH)
        DataPoint.objects.bulk_update(
            changed, ["value", "denominator", "version"], batch_size=WRITE_BATCH
        )
        if new or changed:
            # Bulk writes send no signals: move updated_at and audit them here, once.
            Measure.objects.filter(pk=measure.pk).update(updated_at=timezone.now())
            record_rows(
                measure,
                summary=_import_summary(counts, source),
                before=before,
                after=after,
            )
        refresh_chart_choice(measure)
    return counts


def _import_summary(counts: dict[str, int], source: str) -> str:
    what = (
        f"{counts['new']:,} new, {counts['changed']:,} changed and "
        f"{counts['unchanged']:,} unchanged data points"
    )
    return f"Imported {source}: {what}" if source else f"Saved {what} at once"


# ---------------------------------------------------------------------------
# Changes made from the pages


def save_point(
    measure: Measure,
    *,
    period: datetime.date,
    value: float | None,
    denominator: float | None = None,
    note: str = "",
    is_excluded: bool | None = None,
    exclusion_reason: str | None = None,
    point: DataPoint | None = None,
) -> DataPoint:
    """Add the period's point, or change ``point``; ``is_excluded`` and
    ``exclusion_reason`` left as None keep what the point had."""
    if point is None:
        point = DataPoint(measure=measure)
    point.period = period
    point.value = value
    point.denominator = denominator if measure.has_denominator() else None
    point.note = note
    if is_excluded is not None:
        point.is_excluded = is_excluded
        point.exclusion_reason = (exclusion_reason or "").strip() if is_excluded else ""
    point.save()
    refresh_chart_choice(measure)
    return point


def delete_point(measure: Measure, point: DataPoint) -> None:
    point.delete()
    refresh_chart_choice(measure)


def save_measure(form: Any) -> Measure:
    """Save the measure form, then let an automatic chart follow the data."""
    measure: Measure = form.save()
    refresh_chart_choice(measure)
    return measure


def add_phase_break(
    measure: Measure, *, period: datetime.date, reason: str
) -> PhaseBreak:
    phase_break = PhaseBreak.objects.create(
        measure=measure, period=period, reason=reason
    )
    refresh_chart_choice(measure)  # the latest phase decides an automatic chart
    return phase_break


def remove_phase_break(measure: Measure, phase_break: PhaseBreak) -> None:
    phase_break.delete()
    refresh_chart_choice(measure)


def add_annotation(measure: Measure, *, period: datetime.date, text: str) -> Annotation:
    return Annotation.objects.create(measure=measure, period=period, text=text)


# ---------------------------------------------------------------------------
# Export


EXPORT_COLUMNS = ("period", "value", "denominator")


def export_csv(measure: Measure) -> str:
    """The data points as CSV (period, value and, for ratios, the denominator):
    the shape the import reads."""
    columns = EXPORT_COLUMNS if measure.has_denominator() else EXPORT_COLUMNS[:2]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for point in measure.points.order_by("period"):
        row = [point.period.isoformat(), _csv_number(point.value)]
        if measure.has_denominator():
            row.append(_csv_number(point.denominator))
        writer.writerow(row)
    return out.getvalue()


def _csv_number(value: float | None) -> str:
    if value is None:
        return ""
    return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)


def export_json(measure: Measure) -> dict[str, Any]:
    """The measure, its data points and its chart (``ChartResult.to_dict()``)."""
    points = list(measure.points.order_by("period"))
    try:
        result = chart_for(measure, points)
    except ValueError as error:
        chart, chart_error = None, str(error)
    else:
        chart, chart_error = (result.to_dict() if result else None), None
    return {
        "measure": {
            "id": measure.pk,
            "name": measure.name,
            "definition": measure.definition,
            "kind": measure.kind,
            "numerator_definition": measure.numerator_definition,
            "denominator_definition": measure.denominator_definition,
            "unit_of_measure": measure.unit_label,
            "frequency": measure.frequency,
            "improvement": measure.improvement,
            "target": measure.target,
            "chart_type": measure.chart_type,
            "is_chart_automatic": measure.is_chart_automatic,
            "fix_after": measure.fix_after,
            "multiplier": measure.multiplier,
            "unit": measure.unit.name if measure.unit else None,
        },
        "points": [
            {
                "period": p.period.isoformat(),
                "value": p.value,
                "denominator": p.denominator,
                "note": p.note,
                "is_excluded": p.is_excluded,
                "exclusion_reason": p.exclusion_reason,
            }
            for p in points
        ],
        "phase_breaks": [
            {"period": b.period.isoformat(), "reason": b.reason}
            for b in measure.phase_breaks.all()
        ],
        "annotations": [
            {"period": a.period.isoformat(), "text": a.text}
            for a in measure.annotations.all()
        ],
        "chart": chart,
        "chart_error": chart_error,
    }
