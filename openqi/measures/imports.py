"""Importing a file of data points: a job held in the database between the upload,
the preview and the commit, and the runner that reads, checks and saves it
(``manage.py run_imports``, or a thread in development).

The rows are checked by :mod:`openqi.measures.importing`, as the command line's
and the API's are, and saved by :func:`openqi.measures.services.save_rows`.
"""

from __future__ import annotations

import csv
import datetime
import io
import logging
import re
import secrets
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import connections, transaction
from django.db.models import Q
from django.utils import timezone

from openqi.audit.services import acting_as
from openqi.spc import Dispersion
from openqi.tabular import Limits, TableError, UncalculatedFormula, read_upload

from . import charts, importing, services
from .exports import csv_number
from .models import ImportJob, Measure

logger = logging.getLogger(__name__)

#: Rows checked between two progress reports.
IMPORT_CHUNK = 2000
#: Row errors listed on the preview; the rest are in the CSV download.
SHOWN_ERROR_ROWS = 50
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
    job: ImportJob | None = (
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
    measure: Measure, user: Any, token: str, upload: UploadedFile[bytes]
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

    records: Iterator[tuple[Any, Any, Any, Any]] = zip(
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
    return importing.classify(checked_rows(job), services.existing_points(measure))


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
    return csv_number(cell) if isinstance(cell, float) else str(cell)


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
    return charts.series_dispersion(
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
        counts = services.save_rows(measure, checked.rows, source=job.filename)
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
            job: ImportJob = ImportJob.objects.select_related("measure", "user").get(
                pk=job_pk
            )
            return job
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
