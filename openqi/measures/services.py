"""Measures and their charts: the translation between model rows and :mod:`openqi.spc`.

Pages, the API, the portfolio and the board report all call :func:`chart_for`,
so a measure's chart is computed one way everywhere.
"""

from __future__ import annotations

import contextlib
import csv
import datetime
import io
import json
import math
import os
import re
import secrets
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from openqi.spc import ChartResult, Dispersion, overdispersion, render_svg, spc_chart
from openqi.tabular import TableError, read_table

from . import importing
from .models import Annotation, DataPoint, Measure, PhaseBreak

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
    if points is None:
        points = list(measure.points.order_by("period"))
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
# Bulk import: a job held in a file between the upload, the preview and the commit


#: Uploads and their checked rows wait here between the preview and the commit.
#: One folder on one machine: several app servers need it on shared storage.
IMPORT_DIR = Path(tempfile.gettempdir()) / "openqi-imports"
IMPORT_LIFETIME = datetime.timedelta(hours=24)
#: Rows checked between two progress reports.
IMPORT_CHUNK = 2000
#: Row errors listed on the preview; the rest are in the CSV download.
SHOWN_ERROR_ROWS = 50
_TOKEN = re.compile(r"[A-Za-z0-9_-]{20,64}\Z")


class ImportRejected(ValueError):
    """The file has row errors (or cannot be read); nothing was saved."""


@dataclass
class ImportJob:
    """An upload on its way to the database, saved as JSON under its token.

    ``stage`` runs waiting → reading → checking → ready, or stops at ``choose``
    (the columns need naming) or ``failed`` (the file cannot be read). With a
    filter, ``records`` (and ``total``) hold only the rows whose
    ``filter_column`` holds ``filter_value``, of the ``read_rows`` in the file.
    """

    token: str
    measure_id: int
    user_id: int
    filename: str
    suffix: str
    stage: str = "waiting"
    done: int = 0
    total: int = 0
    names: list[str] = field(default_factory=list)
    mapping: dict[str, str | None] = field(default_factory=dict)
    records: list[list[Any]] = field(default_factory=list)
    rows: list[list[Any]] = field(default_factory=list)
    errors: list[list[Any]] = field(default_factory=list)
    message: str = ""
    created: float = field(default_factory=time.time)
    filter_column: str = ""
    filter_value: str = ""
    read_rows: int = 0

    @property
    def path(self) -> Path:
        return IMPORT_DIR / f"{self.token}.json"

    @property
    def upload_path(self) -> Path:
        return IMPORT_DIR / f"{self.token}.upload{self.suffix}"

    @property
    def progress_path(self) -> Path:
        return IMPORT_DIR / f"{self.token}.progress"

    def save(self) -> None:
        """Write the whole job (and its progress)."""
        data = {f.name: getattr(self, f.name) for f in fields(self)}
        _write(self.path, json.dumps(data))
        self.report()

    def report(self) -> None:
        """Write only the progress, which the progress fragment polls."""
        names = ("measure_id", "user_id", "filename", "stage", "done", "total")
        _write(self.progress_path, json.dumps({n: getattr(self, n) for n in names}))

    def discard(self) -> None:
        for path in (self.path, self.upload_path, self.progress_path):
            path.unlink(missing_ok=True)

    def checked_rows(self) -> list[importing.Row]:
        return [
            importing.Row(n, datetime.date.fromisoformat(p), v, d)
            for n, p, v, d in self.rows
        ]

    def row_errors(self) -> list[importing.RowError]:
        return [importing.RowError(n, c, m) for n, c, m in self.errors]


def _write(path: Path, text: str) -> None:
    IMPORT_DIR.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".part")
    partial.write_text(text, encoding="utf-8")
    os.replace(partial, path)  # readers never see half a file


def new_import_token() -> str:
    return secrets.token_urlsafe(24)


def is_import_token(token: str) -> bool:
    return bool(_TOKEN.match(token))


def load_import(token: str, measure: Measure, user: Any) -> ImportJob | None:
    """The person's import job for this measure, or None (unknown, someone else's, or expired)."""
    if not is_import_token(token):
        return None
    try:
        data = json.loads((IMPORT_DIR / f"{token}.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    job = ImportJob(**data)
    if job.measure_id != measure.pk or job.user_id != user.pk:
        return None
    if time.time() - job.created > IMPORT_LIFETIME.total_seconds():
        job.discard()
        return None
    return job


def import_progress(token: str, measure: Measure, user: Any) -> dict[str, Any] | None:
    """How far the person's import has got (stage, done, total), or None before it starts."""
    if not is_import_token(token):
        return None
    try:
        text = (IMPORT_DIR / f"{token}.progress").read_text(encoding="utf-8")
        progress: dict[str, Any] = json.loads(text)
    except (OSError, ValueError):
        return None
    if progress["measure_id"] != measure.pk or progress["user_id"] != user.pk:
        return None
    return progress


def _clear_old_imports() -> None:
    if not IMPORT_DIR.exists():
        return
    limit = time.time() - IMPORT_LIFETIME.total_seconds()
    for path in IMPORT_DIR.iterdir():
        with contextlib.suppress(OSError):
            if path.stat().st_mtime < limit:
                path.unlink()


def start_import(
    measure: Measure, user: Any, token: str, upload: UploadedFile
) -> ImportJob:
    """Keep the uploaded file under ``token`` and make its job."""
    _clear_old_imports()
    name = upload.name or "upload.csv"
    job = ImportJob(
        token=token,
        measure_id=measure.pk,
        user_id=user.pk,
        filename=name,
        suffix=Path(name).suffix.lower(),
        stage="reading",
    )
    IMPORT_DIR.mkdir(parents=True, exist_ok=True)
    with job.upload_path.open("wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    job.save()
    return job


#: The file reader serves the command line too, which also reads Parquet; the
#: upload page takes only CSV and Excel, so its advice must not offer Parquet.
_NOT_HERE = (
    ("a CSV, .xlsx or .parquet file", "a CSV or .xlsx file"),
    ("an .xlsx or .parquet file", "an .xlsx file"),
)


def _file_message(error: TableError, job: ImportJob) -> str:
    message = str(error).replace(str(job.upload_path), job.filename)
    for offered, here in _NOT_HERE:
        message = message.replace(offered, here)
    return message


def _read(job: ImportJob) -> Any:
    """The kept file as a table, or None (the job marked failed) when it cannot be read."""
    try:
        return read_table(str(job.upload_path))
    except TableError as error:
        job.stage = "failed"
        job.message = _file_message(error, job)
        job.save()
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
        job.save()
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
    job.records = [list(record) for record in records]
    job.read_rows = len(table)
    job.total = len(job.records)
    job.done = 0
    job.rows, job.errors = [], []
    job.stage = "checking"
    job.save()


def _check(
    records: list[list[Any]], measure: Measure, seen: dict[datetime.date, int]
) -> importing.CheckedRows:
    return importing.check_rows(
        [tuple(r) for r in records],
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
        job.report()
    job.stage = "ready"
    job.save()


def run_import(job: ImportJob, measure: Measure) -> None:
    """Read and check the kept file, as far as it goes without a person choosing columns."""
    read_import(job, measure)
    if job.stage == "checking":
        check_import(job, measure)


def choose_columns(
    job: ImportJob, measure: Measure, mapping: dict[str, str | None]
) -> None:
    """Use the columns the person named, then read and check again."""
    job.mapping = mapping
    job.stage = "reading"
    job.save()
    run_import(job, measure)


class NoRowsMatch(ValueError):
    """No row of the file holds the value asked for in the column asked for."""


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
    return importing.classify(job.checked_rows(), existing_points(measure))


def shown_row_errors(job: ImportJob) -> tuple[list[importing.RowError], int]:
    """The errors of the first :data:`SHOWN_ERROR_ROWS` rows with errors, and how
    many rows have errors in all."""
    errors = job.row_errors()
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
    for error in job.row_errors():
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
    return _csv_number(cell) if isinstance(cell, float) else str(cell)


def import_dispersion(job: ImportJob, measure: Measure) -> Dispersion | None:
    """The over-dispersion check of the data as they would be after the import
    (the measure's points, with the file's rows added or changed)."""
    if not measure.has_denominator():
        return None
    series = {
        p.period: (p.value, p.denominator, p.is_excluded) for p in measure.points.all()
    }
    for row in job.checked_rows():
        excluded = series.get(row.period, (None, None, False))[2]
        series[row.period] = (row.value, row.denominator, excluded)
    return _dispersion(
        measure, [(period, *series[period]) for period in sorted(series)]
    )


def commit_import(job: ImportJob, measure: Measure) -> dict[str, int]:
    """Save every row, all or nothing, after checking them all again.

    Raises :class:`ImportRejected` (and saves nothing) when a row has an error.
    Returns the number of new, changed and unchanged periods.
    """
    checked = _check(job.records, measure, {})
    if checked.errors or len(checked.rows) != job.total:
        raise ImportRejected(
            f"{len(checked.errors)} row error{'s' if len(checked.errors) != 1 else ''}: "
            "mend the file and upload it again; nothing was saved."
        )
    counts = save_rows(measure, checked.rows)
    job.discard()
    return counts


def save_rows(measure: Measure, rows: Sequence[importing.Row]) -> dict[str, int]:
    """Add or change each checked row's period, all in one transaction.

    Used by the import's commit and the API's bulk upsert. Returns the number of
    new, changed and unchanged periods.
    """
    counts = {"new": 0, "changed": 0, "unchanged": 0}
    with transaction.atomic():
        points = {p.period: p for p in measure.points.select_for_update()}
        existing = {p: (d.value, d.denominator) for p, d in points.items()}
        for change in importing.classify(rows, existing):
            counts[change.status] += 1
            row = change.row
            if change.status == "new":
                DataPoint.objects.create(
                    measure=measure,
                    period=row.period,
                    value=row.value,
                    denominator=row.denominator,
                )
            elif change.status == "changed":
                point = points[row.period]
                point.value, point.denominator = row.value, row.denominator
                point.save(update_fields=["value", "denominator"])
        refresh_chart_choice(measure)
    return counts


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
