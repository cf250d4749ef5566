"""Importing a staff list and a learning-management export (CSV or Excel).

Both go the same way: the file is read by :func:`openqi.tabular.read_upload`
within :data:`LIMITS`, its columns are matched by their headings (any case,
spacing or punctuation: "Employee Number", "employee_number"), and its cells are
kept in a :class:`~.models.HeldImport` under a random token for the person who
uploaded it. The check says, row by row, what the import will do and what is
wrong (with the row number a spreadsheet shows and how to fix it); the person
fixes the file and uploads it again. The commit checks the kept cells again
against the data as they are then, and saves every row or none, in one
transaction, with one event on the audit trail for the lot.

- **Staff list** (:func:`check_staff`, :func:`commit_staff`): employee number,
  and optionally e-mail address, unit and staff group. It creates and updates
  staff records and never deletes one; records not in the file are marked no
  longer active only when the person asks for it on the preview.
- **Completions** (:func:`check_completions`, :func:`commit_completions`): who
  (employee number and/or e-mail address, matched by :class:`StaffMatcher`),
  the programme or the level, the completion date, and optionally the cohort.
  A completion already recorded (same person, level and date) is left as it
  is; with a cohort, the person's enrolment in it is recorded as completed.
"""

from __future__ import annotations

import datetime
import re
import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from openqi.audit.services import record_rows
from openqi.core.wording import listed
from openqi.organisations.models import Organisation, StaffRecord, Unit
from openqi.tabular import Limits, TableError, UncalculatedFormula, read_upload

from .models import (
    EARLIEST_DATE,
    CapabilityFramework,
    CapabilityLevel,
    Cohort,
    Completion,
    Enrolment,
    HeldImport,
    Programme,
)

# ---------------------------------------------------------------------------
# Bounds

#: The most an upload may be: 10 MB, 50,000 data rows, a million cells.
MAX_BYTES = 10 * 1024 * 1024
MAX_ROWS = 50_000
LIMITS = Limits(
    max_bytes=MAX_BYTES,
    max_rows=MAX_ROWS,
    max_cells=1_000_000,
    max_uncompressed_bytes=100 * 1024 * 1024,
)
#: The file types an upload may be.
SUFFIXES = (".csv", ".xlsx", ".xlsm")
#: The longest text each field takes (the database's own limits).
MAX_LENGTHS = {
    "reference": 40,
    "email": 254,
    "unit": 650,
    "staff_group": 100,
    "programme": 200,
    "level": 100,
    "cohort": 100,
    "completed_on": 40,
}
#: Rows of each kind the preview lists (the counts cover the whole file).
SHOWN_ROWS = 200
#: Row errors the preview lists.
SHOWN_ERRORS = 500
#: Rows written per query.
WRITE_BATCH = 1000

_TOKEN = re.compile(r"[A-Za-z0-9_-]{20,64}\Z")


class ImportFileError(ValueError):
    """The file cannot be imported at all (unreadable, too big, columns missing):
    the message says why and how to fix it."""


class ImportRejected(ValueError):
    """The commit was refused: a row has an error; nothing was saved."""


# ---------------------------------------------------------------------------
# Columns

#: The heading texts taken for each field, compared as :func:`heading_key` makes
#: them (any case; spaces, underscores and punctuation ignored), first match first.
_PERSON_HEADINGS = {
    "reference": (
        "employee number",
        "employee no",
        "employee id",
        "employee reference",
        "staff number",
        "staff no",
        "staff id",
        "person number",
        "payroll number",
        "emp no",
        "reference",
        "assignment number",
        "assignment no",
    ),
    "email": (
        "email",
        "email address",
        "work email",
        "work email address",
        "learner email",
        "user email",
        "primary email",
    ),
}
STAFF_COLUMNS: dict[str, tuple[str, ...]] = {
    **_PERSON_HEADINGS,
    "unit": (
        "unit",
        "unit name",
        "team",
        "team name",
        "department",
        "ward",
        "directorate",
        "division",
        "organisation unit",
    ),
    "staff_group": (
        "staff group",
        "staff group name",
        "professional group",
        "group",
    ),
}
COMPLETION_COLUMNS: dict[str, tuple[str, ...]] = {
    **_PERSON_HEADINGS,
    "programme": (
        "programme",
        "programme name",
        "programme title",
        "program",
        "program name",
        "course",
        "course title",
        "course name",
        "learning title",
        "competence name",
        "competence",
        "module",
        "module name",
        "title",
    ),
    "level": ("level", "capability level", "level name"),
    "completed_on": (
        "completion date",
        "completed on",
        "date completed",
        "completed date",
        "date of completion",
        "completed",
        "achieved date",
        "date achieved",
        "date",
    ),
    "cohort": ("cohort", "cohort name", "class", "session", "intake"),
}
COLUMNS = {
    HeldImport.Kind.STAFF: STAFF_COLUMNS,
    HeldImport.Kind.COMPLETIONS: COMPLETION_COLUMNS,
}
#: What each field is called in messages.
FIELD_NAMES = {
    "reference": "employee number",
    "email": "e-mail address",
    "unit": "unit",
    "staff_group": "staff group",
    "programme": "programme",
    "level": "level",
    "completed_on": "completion date",
    "cohort": "cohort",
}


def heading_key(text: str) -> str:
    """A heading as compared: letters and digits only, in lower case."""
    return re.sub(r"[^0-9a-z]", "", text.casefold())


def match_columns(
    names: Iterable[str], columns: Mapping[str, Sequence[str]]
) -> dict[str, str | None]:
    """The file's heading for each field (None where none matches); a heading
    serves one field only."""
    by_key: dict[str, str] = {}
    for name in names:
        by_key.setdefault(heading_key(name), name)
    used: set[str] = set()
    mapping: dict[str, str | None] = {}
    for name, headings in columns.items():
        found = None
        for heading in headings:
            candidate = by_key.get(heading_key(heading))
            if candidate is not None and candidate not in used:
                found = candidate
                break
        if found is not None:
            used.add(found)
        mapping[name] = found
    return mapping


def _quoted(headings: Iterable[str]) -> str:
    return ", ".join(f'"{h}"' for h in headings)


def missing_columns_message(
    kind: str, mapping: Mapping[str, str | None], names: Sequence[str]
) -> str | None:
    """What the file lacks, with the headings taken and the file's own, or None."""
    needs: list[str] = []
    if kind == HeldImport.Kind.STAFF:
        if not mapping.get("reference"):
            needs.append('for the employee number (for example "Employee Number")')
    else:
        if not mapping.get("reference") and not mapping.get("email"):
            needs.append(
                "for the employee number or the e-mail address (for example "
                '"Employee Number", "Assignment Number" or "Email")'
            )
        if not mapping.get("programme") and not mapping.get("level"):
            needs.append(
                'for the programme or the level (for example "Course Title", '
                '"Programme" or "Level")'
            )
        if not mapping.get("completed_on"):
            needs.append('for the completion date ("Completion Date")')
    if not needs:
        return None
    return (
        f"The file needs {listed([f'a column {n}' for n in needs])}. Its columns are "
        f"{_quoted(names) or 'none'}: rename the column headings and upload it again."
    )


# ---------------------------------------------------------------------------
# Reading the file


def _file_message(error: TableError) -> str:
    """The reader's message, which also serves the command line, for this page."""
    message = str(error)
    for offered, here in (
        ("a CSV, .xlsx or .parquet file", "a CSV or .xlsx file"),
        ("an .xlsx or .parquet file", "an .xlsx file"),
    ):
        message = message.replace(offered, here)
    return message[:1].upper() + message[1:]


def _stored(cell: Any) -> Any:
    """A cell as kept: text (numbers without a needless .0), or {"formula": "C14"}."""
    if cell is None:
        return ""
    if isinstance(cell, UncalculatedFormula):
        return {"formula": cell.cell}
    if isinstance(cell, float):
        if cell.is_integer() and abs(cell) < 1e15:
            return str(int(cell))
        return repr(cell)
    return str(cell).strip()


@dataclass(frozen=True)
class ReadFile:
    mapping: dict[str, str | None]
    records: list[list[Any]]


def read_file(data: bytes, filename: str, kind: str) -> ReadFile:
    """The file's cells for the import's fields, a row per data row (rows with
    every one of those cells empty are left out).

    Raises :class:`ImportFileError` when the file cannot be read, is past
    :data:`LIMITS` or lacks a column the import needs."""
    suffix = Path(filename).suffix.lower()
    if suffix not in SUFFIXES:
        raise ImportFileError(
            "The file must be a CSV file or an Excel .xlsx workbook: save it as one "
            "of those and upload it again."
        )
    try:
        table = read_upload(data, filename, limits=LIMITS)
    except TableError as error:
        raise ImportFileError(_file_message(error)) from None
    columns = COLUMNS[HeldImport.Kind(kind)]
    mapping = match_columns(table.names, columns)
    if problem := missing_columns_message(kind, mapping, table.names):
        raise ImportFileError(problem)
    cells = {
        name: list(table.columns[column]) if column else None
        for name, column in mapping.items()
    }
    records: list[list[Any]] = []
    for i, number in enumerate(table.rows):
        row = [
            _stored(column[i]) if (column := cells[name]) is not None else ""
            for name in columns
        ]
        if any(row):
            records.append([number, *row])
    if not records:
        raise ImportFileError(
            f"{filename} has no rows with anything in its "
            f"{listed([FIELD_NAMES[n] for n, c in mapping.items() if c])} columns: "
            "give a file with at least one row."
        )
    return ReadFile(mapping, records)


# ---------------------------------------------------------------------------
# Checking cells


@dataclass(frozen=True)
class RowError:
    """What is wrong with one row: its number in the file, the field at fault
    (a key of :data:`FIELD_NAMES`, or "" for the row) and how to fix it."""

    number: int
    column: str
    message: str


def _text(cell: Any, name: str) -> str:
    """A kept cell as text; raises ValueError for a formula or a cell too long."""
    if isinstance(cell, dict):
        raise ValueError(
            f"the {FIELD_NAMES[name]} is a formula with no saved result (cell "
            f"{cell.get('formula', '')}); open the file in Excel and save it, or "
            "paste values"
        )
    text = " ".join(str(cell).split())
    limit = MAX_LENGTHS[name]
    if len(text) > limit:
        raise ValueError(
            f"the {FIELD_NAMES[name]} is {len(text):,} characters long, more than "
            f"the {limit:,} it may be; check the cell"
        )
    return text


def normal_email(text: str) -> str:
    """An e-mail address as staff records keep it (lower-cased); raises
    ValueError when it is not an address."""
    address = text.strip().lower()
    try:
        validate_email(address)
    except ValidationError:
        raise ValueError(
            f'"{text}" is not an e-mail address; correct it or leave the cell empty'
        ) from None
    return address


_ISO = re.compile(
    r"(\d{4})-(\d{1,2})-(\d{1,2})"
    r"(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?"
)
_DAY_FIRST = re.compile(
    r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4}|\d{2})(?:,?\s+\d{1,2}:\d{2}(?::\d{2})?)?"
)
_NAMED_MONTH = re.compile(
    r"(\d{1,2})(?:st|nd|rd|th)?[\s-]+([A-Za-z]+)\.?[\s,-]+(\d{4})"
)
_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ),
        start=1,
    )
    for name in names
}
_DATE_FIX = "write it as 2024-03-15, 15/03/2024 or 15 March 2024"


def parse_completion_date(text: str, today: datetime.date) -> datetime.date:
    """A completion date from a cell: ISO (an Excel date is read so), day first
    (15/03/2024) or with the month's name (15 Mar 2024); between 1990 and today.

    Raises ``ValueError`` with a message that says how to fix it."""
    text = text.strip()
    if not text:
        raise ValueError(f"the completion date is empty; {_DATE_FIX}")
    parts: tuple[int, int, int] | None = None
    if match := _ISO.fullmatch(text):
        parts = (int(match[1]), int(match[2]), int(match[3]))
    elif match := _DAY_FIRST.fullmatch(text):
        year = int(match[3])
        if len(match[3]) == 2:
            year += 2000 if 2000 + year <= today.year else 1900
        parts = (year, int(match[2]), int(match[1]))
    elif (match := _NAMED_MONTH.fullmatch(text)) and match[2].lower() in _MONTHS:
        parts = (int(match[3]), _MONTHS[match[2].lower()], int(match[1]))
    if parts is None:
        if re.fullmatch(r"\d+(?:\.\d+)?", text):
            raise ValueError(
                f"the completion date is the number {text}, not a date; format the "
                f"column as dates in the spreadsheet, or {_DATE_FIX}"
            )
        raise ValueError(f'"{text}" is not a date we can read; {_DATE_FIX}')
    year, month, day = parts
    try:
        date = datetime.date(year, month, day)
    except ValueError:
        hint = " (dates are read day first, as dd/mm/yyyy)" if month > 12 else ""
        raise ValueError(
            f'"{text}" is not a real date{hint}; check the day and the month'
        ) from None
    if date < EARLIEST_DATE:
        raise ValueError(
            f'"{text}" is before {EARLIEST_DATE.year}, earlier than any training '
            "record this takes; check the year"
        )
    if date > today:
        raise ValueError(
            f'"{text}" is after today ({today:%-d %B %Y}): a completion cannot be '
            "in the future; check the year, or import it once it has happened"
        )
    return date


# ---------------------------------------------------------------------------
# Matching people, units and staff groups


@dataclass(frozen=True)
class StaffMatch:
    """The staff record a row names, or what is wrong (``column``: the field)."""

    record: StaffRecord | None
    column: str = ""
    problem: str = ""


class StaffMatcher:
    """An organisation's staff records, found by employee number first, else by
    e-mail address (any case): one query for a whole file.

    :meth:`match` is the rule every import uses; ``services.find_staff_record``
    finds one record from one text the same way."""

    _ASSIGNMENT = re.compile(r"(\d+)-\d{1,3}")

    def __init__(
        self, organisation: Organisation, records: Iterable[StaffRecord] | None = None
    ) -> None:
        if records is None:
            records = StaffRecord.objects.for_organisation(organisation).only(
                "pk", "reference", "email", "unit", "staff_group", "is_active"
            )
        self.records = list(records)
        self._by_reference = {r.reference: r for r in self.records}
        self._by_folded: dict[str, StaffRecord | None] = {}
        for record in self.records:
            key = record.reference.casefold()
            # Two references that differ only in case are matched exactly only.
            self._by_folded[key] = None if key in self._by_folded else record
        self._by_email = {r.email: r for r in self.records if r.email}

    def by_reference(self, text: str, *, assignment: bool = True) -> StaffRecord | None:
        """The record with this employee number: as written, in any case, or
        (with ``assignment``: an assignment number, 10234567-2) the employee
        number before the dash."""
        text = text.strip()
        if not text:
            return None
        found = self._by_reference.get(text) or self._by_folded.get(text.casefold())
        if found is None and assignment and (match := self._ASSIGNMENT.fullmatch(text)):
            return self.by_reference(match[1], assignment=False)
        return found

    def by_email(self, text: str) -> StaffRecord | None:
        return self._by_email.get(text.strip().lower()) if text.strip() else None

    def match(self, reference: str, email: str) -> StaffMatch:
        """The record a row names by its employee number, else its e-mail address."""
        reference, email = reference.strip(), email.strip()
        if not reference and not email:
            return StaffMatch(
                None,
                "reference",
                "no employee number or e-mail address; give one of them for each "
                "person",
            )
        by_number = self.by_reference(reference)
        by_email = self.by_email(email)
        if by_number and by_email and by_number.pk != by_email.pk:
            return StaffMatch(
                None,
                "email",
                f"employee number {reference} and e-mail address {email} are two "
                f"different people (the address is employee number "
                f"{by_email.reference}'s); correct whichever is wrong",
            )
        if found := by_number or by_email:
            return StaffMatch(found)
        given = listed(
            [
                *([f"employee number {reference}"] if reference else []),
                *([f"e-mail address {email}"] if email else []),
            ]
        )
        return StaffMatch(
            None,
            "reference" if reference else "email",
            f"no staff record has the {given}; check it against the staff list, or "
            "import the staff list first",
        )


class UnitMatcher:
    """An organisation's units by name (any case), or where two units share a
    name by their path ("Surgery / Theatres"); or by their number."""

    def __init__(self, organisation: Organisation) -> None:
        units = list(Unit.objects.for_organisation(organisation))
        by_pk = {u.pk: u for u in units}
        self.by_pk = by_pk
        self.by_name: dict[str, list[Unit]] = {}
        self.by_path: dict[str, Unit] = {}
        for unit in units:
            self.by_name.setdefault(_fold(unit.name), []).append(unit)
            chain = [unit]
            while chain[0].parent_id is not None and chain[0].parent_id in by_pk:
                chain.insert(0, by_pk[chain[0].parent_id])
            for start in range(len(chain) - 1):
                self.by_path.setdefault(
                    " / ".join(_fold(u.name) for u in chain[start:]), unit
                )
        self.paths = {
            unit.pk: " / ".join(u.name for u in self._chain(unit) if u.pk != unit.pk)
            for unit in units
        }

    def _chain(self, unit: Unit) -> list[Unit]:
        chain = [unit]
        while chain[0].parent_id is not None and chain[0].parent_id in self.by_pk:
            chain.insert(0, self.by_pk[chain[0].parent_id])
        return chain

    def find(self, text: str) -> Unit:
        """The unit ``text`` names; raises ValueError saying how to name it."""
        key = _fold(text)
        path = " / ".join(p.strip() for p in re.split(r"\s*[/>]\s*", key))
        if path in self.by_path:
            return self.by_path[path]
        named = self.by_name.get(key, [])
        if len(named) == 1:
            return named[0]
        if len(named) > 1:
            ways = [f'"{self.paths[u.pk]} / {u.name}"' for u in named]
            raise ValueError(
                f'{len(named)} units are called "{text}"; say which with the unit '
                f"above it, as {listed(ways, 'or')}"
            )
        if text.isdigit() and int(text) in self.by_pk:
            return self.by_pk[int(text)]
        examples = sorted({u.name for u in self.by_pk.values()})[:8]
        known = (
            f"; the units include {', '.join(examples)}"
            if examples
            else "; the organisation has no units yet"
        )
        raise ValueError(
            f'no unit is called "{text}"{known}. Correct the name, or add the unit '
            "on the organisation's units page first"
        )


def _fold(text: str) -> str:
    return " ".join(text.split()).casefold()


#: Staff groups as the NHS's Electronic Staff Record names them, besides OpenQI's
#: own labels and values.
_STAFF_GROUP_ALIASES = {
    "medical and dental": "medical",
    "nursing and midwifery registered": "nursing",
    "allied health professionals": "ahp",
    "additional professional scientific and technical": "scientific",
    "healthcare scientists": "scientific",
    "administrative and clerical": "admin",
    "estates and ancillary": "estates",
    "additional clinical services": "other",
    "students": "other",
}


def parse_staff_group(text: str) -> str:
    """A staff group's value from its label or value (any case); ValueError else."""
    key = _fold(text)
    for value, label in StaffRecord.StaffGroup.choices:
        if key in (value, _fold(str(label))):
            return str(value)
    if key in _STAFF_GROUP_ALIASES:
        return _STAFF_GROUP_ALIASES[key]
    labels = ", ".join(str(label) for label in StaffRecord.StaffGroup.labels)
    raise ValueError(f'"{text}" is not a staff group; use one of {labels}')


# ---------------------------------------------------------------------------
# The staff list


@dataclass
class StaffCheck:
    """What a staff list would do: the records it makes and changes (with what
    changes), those it leaves as they are, the active records not in it, and
    every row error."""

    rows: int = 0
    new: list[dict[str, Any]] = field(default_factory=list)
    changed: list[dict[str, Any]] = field(default_factory=list)
    unchanged: int = 0
    missing: list[StaffRecord] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    def result(self) -> dict[str, Any]:
        """The check as the preview shows it (JSON)."""
        return {
            "rows": self.rows,
            "n_new": len(self.new),
            "n_changed": len(self.changed),
            "n_unchanged": self.unchanged,
            "new": [_shown_staff(r) for r in self.new[:SHOWN_ROWS]],
            "changed": [
                {"row": r["row"], "reference": r["reference"], "what": r["what"]}
                for r in self.changed[:SHOWN_ROWS]
            ],
            "n_missing": len(self.missing),
            "missing": [r.reference for r in self.missing[:20]],
            **_errors_result(self.errors),
        }


def _shown_staff(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "row": row["row"],
        "reference": row["reference"],
        "email": row["email"] or "",
        "unit": row["unit_name"] or "",
        "staff_group": str(StaffRecord.StaffGroup(row["staff_group"]).label),
    }


def _errors_result(errors: Sequence[RowError]) -> dict[str, Any]:
    return {
        "errors": [
            [e.number, FIELD_NAMES.get(e.column, ""), _sentence(e.message)]
            for e in errors[:SHOWN_ERRORS]
        ],
        "n_errors": len(errors),
        "n_error_rows": len({e.number for e in errors}),
    }


def _sentence(message: str) -> str:
    return message[:1].upper() + message[1:] + ("" if message.endswith(".") else ".")


def check_staff(
    organisation: Organisation, records: Sequence[Sequence[Any]]
) -> StaffCheck:
    """Check a staff list's rows ([row, employee number, e-mail, unit, staff
    group] cells; an empty cell keeps what is recorded) against the records."""
    matcher = StaffMatcher(organisation)
    units = UnitMatcher(organisation)
    check = StaffCheck(rows=len(records))
    seen_refs: dict[str, int] = {}
    seen_emails: dict[str, tuple[int, str]] = {}
    planned: list[dict[str, Any]] = []
    for number, *cells in records:
        problems: list[tuple[str, str]] = []
        values: dict[str, str] = {}
        for name, cell in zip(STAFF_COLUMNS, cells, strict=True):
            try:
                values[name] = _text(cell, name)
            except ValueError as error:
                problems.append((name, str(error)))
                values[name] = ""
        reference = values["reference"]
        email = unit_name = group = None
        unit: Unit | None = None
        if not reference and not any(p[0] == "reference" for p in problems):
            problems.append(
                ("reference", "the employee number is empty; give each person's number")
            )
        existing = (
            matcher.by_reference(reference, assignment=False) if reference else None
        )
        key = existing.reference if existing else reference.casefold()
        if reference and key in seen_refs:
            problems.append(
                (
                    "reference",
                    f"employee number {reference} is also on row {seen_refs[key]}; "
                    "keep one of the two rows",
                )
            )
        elif reference:
            seen_refs[key] = number
        if values["email"]:
            try:
                email = normal_email(values["email"])
            except ValueError as error:
                problems.append(("email", str(error)))
            else:
                if email in seen_emails and seen_emails[email][1] != key:
                    problems.append(
                        (
                            "email",
                            f"the e-mail address {email} is also on row "
                            f"{seen_emails[email][0]}, for another person; each "
                            "address belongs to one person",
                        )
                    )
                else:
                    seen_emails[email] = (number, key)
        if values["unit"]:
            try:
                unit = units.find(values["unit"])
                unit_name = unit.name
            except ValueError as error:
                problems.append(("unit", str(error)))
        if values["staff_group"]:
            try:
                group = parse_staff_group(values["staff_group"])
            except ValueError as error:
                problems.append(("staff_group", str(error)))
        if problems:
            check.errors += [RowError(number, c, m) for c, m in problems]
            continue
        planned.append(
            {
                "row": number,
                "reference": existing.reference if existing else reference,
                "record": existing,
                "email": email,
                "unit": unit,
                "unit_name": unit_name,
                "staff_group": group,
            }
        )
    # An address may not end up on two records: one in the file that another
    # record not changing its own keeps.
    moving = {
        p["record"].pk
        for p in planned
        if p["record"] is not None and p["email"] and p["email"] != p["record"].email
    }
    kept = {r.email: r for r in matcher.records if r.email and r.pk not in moving}
    for plan in planned:
        email, record = plan["email"], plan["record"]
        holder = kept.get(email) if email else None
        if holder is not None and (record is None or holder.pk != record.pk):
            check.errors.append(
                RowError(
                    plan["row"],
                    "email",
                    f"the e-mail address {email} is already employee number "
                    f"{holder.reference}'s; each address belongs to one person, so "
                    "correct it, or give that person their new address in the file too",
                )
            )
            continue
        if record is None:
            plan["staff_group"] = plan["staff_group"] or StaffRecord.StaffGroup.OTHER
            check.new.append(plan)
            continue
        what = _staff_changes(record, plan, units)
        if what:
            plan["what"] = what
            check.changed.append(plan)
        else:
            check.unchanged += 1
    check.errors.sort(key=lambda e: e.number)
    seen = {p["record"].pk for p in planned if p["record"] is not None}
    seen |= {
        r.pk
        for r in matcher.records
        if r.reference in seen_refs or r.reference.casefold() in seen_refs
    }
    check.missing = [r for r in matcher.records if r.is_active and r.pk not in seen]
    return check


def _staff_changes(
    record: StaffRecord, plan: dict[str, Any], units: UnitMatcher
) -> str:
    """What the row changes of the record, in words ("" when nothing)."""
    what = []
    if plan["email"] and plan["email"] != record.email:
        what.append(f"e-mail address {record.email or '(none)'} → {plan['email']}")
    if plan["unit"] is not None and plan["unit"].pk != record.unit_id:
        old = units.by_pk.get(record.unit_id) if record.unit_id else None
        what.append(f"unit {old.name if old else '(none)'} → {plan['unit'].name}")
    if plan["staff_group"] and plan["staff_group"] != record.staff_group:
        old_label = StaffRecord.StaffGroup(record.staff_group).label
        new_label = StaffRecord.StaffGroup(plan["staff_group"]).label
        what.append(f"staff group {old_label} → {new_label}")
    if not record.is_active:
        what.append("active again")
    text = "; ".join(what)
    return text[:1].upper() + text[1:]


def _staff_audit(record: StaffRecord) -> dict[str, Any]:
    # Never the e-mail address: it stays off the audit trail (StaffRecord.AUDIT_EXCLUDE).
    return {
        "unit": record.unit_id,
        "staff_group": record.staff_group,
        "is_active": record.is_active,
    }


def commit_staff(
    held: HeldImport, *, mark_missing_inactive: bool = False
) -> dict[str, int]:
    """Save a held staff list: every row or none, after checking it again.

    Raises :class:`ImportRejected` when a row has an error. Returns how many
    records are new, changed, unchanged and marked no longer active."""
    organisation = held.organisation
    with transaction.atomic():
        check = check_staff(organisation, held.records)
        if check.errors:
            raise _rejected(check)
        before: dict[str, dict[str, Any]] = {}
        after: dict[str, dict[str, Any]] = {}
        new = [
            StaffRecord(
                organisation=organisation,
                reference=p["reference"],
                email=p["email"] or "",
                unit=p["unit"],
                staff_group=p["staff_group"],
            )
            for p in check.new
        ]
        for record in new:
            record.email = record.email.strip().lower()
            after[record.reference] = _staff_audit(record)
        changed: list[StaffRecord] = []
        moving_email: list[StaffRecord] = []
        for plan in check.changed:
            record = plan["record"]
            before[record.reference] = _staff_audit(record)
            if plan["email"] and plan["email"] != record.email:
                moving_email.append(record)
                record.email = plan["email"]
            if plan["unit"] is not None:
                record.unit = plan["unit"]
            if plan["staff_group"]:
                record.staff_group = plan["staff_group"]
            record.is_active = True
            changed.append(record)
            after[record.reference] = _staff_audit(record)
        inactive = check.missing if mark_missing_inactive else []
        for record in inactive:
            before[record.reference] = _staff_audit(record)
            record.is_active = False
            after[record.reference] = _staff_audit(record)
        if moving_email:
            # Addresses may move between records: free them all first, so no
            # address is ever on two records at once.
            StaffRecord.objects.filter(pk__in=[r.pk for r in moving_email]).update(
                email=""
            )
        StaffRecord.objects.bulk_update(
            changed,
            ["email", "unit", "staff_group", "is_active"],
            batch_size=WRITE_BATCH,
        )
        StaffRecord.objects.bulk_update(inactive, ["is_active"], batch_size=WRITE_BATCH)
        StaffRecord.objects.bulk_create(new, batch_size=WRITE_BATCH)
        counts = {
            "new": len(new),
            "changed": len(changed),
            "unchanged": check.unchanged,
            "inactive": len(inactive),
        }
        if before or after:
            record_rows(
                organisation,
                summary=f"Imported the staff list {held.filename}: {staff_summary(counts)}",
                before=before,
                after=after,
            )
        held.delete()
    return counts


def staff_summary(counts: Mapping[str, int]) -> str:
    text = (
        f"{counts['new']:,} new, {counts['changed']:,} changed and "
        f"{counts['unchanged']:,} unchanged staff record"
        f"{'' if counts['new'] + counts['changed'] + counts['unchanged'] == 1 else 's'}"
    )
    if counts.get("inactive"):
        text += f"; {counts['inactive']:,} marked no longer active"
    return text + "."


# ---------------------------------------------------------------------------
# Completions


@dataclass
class CompletionCheck:
    """What a learning-management export would do: the completions it records,
    the rows already recorded, and every row error."""

    rows: int = 0
    new: list[dict[str, Any]] = field(default_factory=list)
    recorded: list[dict[str, Any]] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    def result(self) -> dict[str, Any]:
        return {
            "rows": self.rows,
            "n_new": len(self.new),
            "n_recorded": len(self.recorded),
            "n_enrolments": sum(1 for r in self.new if r["cohort"] is not None),
            "new": [_shown_completion(r) for r in self.new[:SHOWN_ROWS]],
            "recorded": [_shown_completion(r) for r in self.recorded[:SHOWN_ROWS]],
            **_errors_result(self.errors),
        }


def _shown_completion(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "row": row["row"],
        "reference": row["person"].reference,
        "level": row["level"].name,
        "programme": row["programme"].name if row["programme"] else "",
        "cohort": row["cohort"].name if row["cohort"] else "",
        "completed_on": f"{row['completed_on']:%-d %B %Y}",
    }


class _Catalogue:
    """The organisation's levels, programmes and cohorts by name (any case)."""

    def __init__(self, organisation: Organisation) -> None:
        self.levels = {
            _fold(level.name): level
            for level in CapabilityLevel.objects.for_organisation(organisation)
        }
        self.programmes = {
            _fold(p.name): p
            for p in Programme.objects.for_organisation(organisation).select_related(
                "level"
            )
        }
        self.cohorts: dict[tuple[int, str], Cohort] = {
            (c.programme_id, _fold(c.name)): c
            for c in Cohort.objects.for_organisation(organisation)
        }

    def programme(self, text: str) -> Programme:
        found = self.programmes.get(_fold(text))
        if found is None:
            raise ValueError(
                f'no programme is called "{text}"; correct the name to one on the '
                "programmes page, or add the programme there first"
                + _examples(p.name for p in self.programmes.values())
            )
        return found

    def level(self, text: str) -> CapabilityLevel:
        found = self.levels.get(_fold(text))
        if found is None:
            raise ValueError(
                f'no level of the framework is called "{text}"; correct the name'
                + _examples(level.name for level in self.levels.values())
            )
        return found

    def cohort(self, programme: Programme, text: str) -> Cohort:
        found = self.cohorts.get((programme.pk, _fold(text)))
        if found is None:
            raise ValueError(
                f'{programme.name} has no cohort called "{text}"; add the cohort on '
                "the programme's page first, or leave the cell empty"
            )
        return found


def _examples(names: Iterable[str]) -> str:
    known = sorted(names)
    if not known:
        return " (there are none yet)"
    shown = ", ".join(known[:8])
    return f" (they include {shown})" if len(known) > 8 else f" (they are {shown})"


def check_completions(
    organisation: Organisation,
    records: Sequence[Sequence[Any]],
    *,
    today: datetime.date | None = None,
) -> CompletionCheck:
    """Check an export's rows ([row, employee number, e-mail, programme, level,
    completion date, cohort] cells) against the staff records, the framework and
    the completions already recorded."""
    today = today or timezone.localdate()
    matcher = StaffMatcher(organisation)
    catalogue = _Catalogue(organisation)
    existing = set(
        Completion.objects.for_organisation(organisation)
        .filter(staff_record__isnull=False)
        .values_list("staff_record_id", "level_id", "completed_on")
    )
    enrolments = {
        (e.cohort_id, e.staff_record_id): e
        for e in Enrolment.objects.for_organisation(organisation).only(
            "pk", "cohort", "staff_record", "status", "completed_on", "version"
        )
    }
    check = CompletionCheck(rows=len(records))
    seen: dict[tuple[int, int, datetime.date], int] = {}
    seen_cohort: dict[tuple[int, int], int] = {}
    for number, *cells in records:
        problems: list[tuple[str, str]] = []
        values: dict[str, str] = {}
        for name, cell in zip(COMPLETION_COLUMNS, cells, strict=True):
            try:
                values[name] = _text(cell, name)
            except ValueError as error:
                problems.append((name, str(error)))
                values[name] = ""
        found = matcher.match(values["reference"], values["email"])
        if found.problem and not any(c in ("reference", "email") for c, _ in problems):
            problems.append((found.column, found.problem))
        programme: Programme | None = None
        level: CapabilityLevel | None = None
        cohort: Cohort | None = None
        try:
            if values["programme"]:
                programme = catalogue.programme(values["programme"])
                level = programme.level
        except ValueError as error:
            problems.append(("programme", str(error)))
        try:
            if values["level"]:
                named = catalogue.level(values["level"])
                if programme is not None and named.pk != programme.level_id:
                    problems.append(
                        (
                            "level",
                            f"{programme.name} confers {programme.level.name}, not "
                            f"{named.name}; correct the level or leave it empty",
                        )
                    )
                level = level or named
        except ValueError as error:
            problems.append(("level", str(error)))
        if not values["programme"] and not values["level"] and not problems:
            problems.append(
                ("programme", "no programme or level; give the programme's name")
            )
        if values["cohort"]:
            if programme is not None:
                try:
                    cohort = catalogue.cohort(programme, values["cohort"])
                except ValueError as error:
                    problems.append(("cohort", str(error)))
            elif not values["programme"]:
                problems.append(
                    (
                        "cohort",
                        "a cohort belongs to a programme; give the programme too, "
                        "or leave the cohort empty",
                    )
                )
        completed_on = None
        try:
            completed_on = parse_completion_date(values["completed_on"], today)
        except ValueError as error:
            problems.append(("completed_on", str(error)))
        person = found.record
        if person is not None and level is not None and completed_on is not None:
            key = (person.pk, level.pk, completed_on)
            if key in seen:
                problems.append(
                    (
                        "",
                        f"the same completion as row {seen[key]} ({person.reference}, "
                        f"{level.name}, {completed_on:%-d %B %Y}); delete one of the "
                        "two rows",
                    )
                )
            else:
                seen[key] = number
            if cohort is not None:
                pair = (cohort.pk, person.pk)
                if pair in seen_cohort and seen_cohort[pair] != number:
                    problems.append(
                        (
                            "cohort",
                            f"{person.reference} completes {cohort.name} on row "
                            f"{seen_cohort[pair]} too; keep one of the two rows",
                        )
                    )
                seen_cohort.setdefault(pair, number)
                enrolment = enrolments.get(pair)
                if (
                    enrolment is not None
                    and enrolment.status == Enrolment.Status.COMPLETED
                    and enrolment.completed_on != completed_on
                    and key not in existing
                ):
                    problems.append(
                        (
                            "completed_on",
                            f"{person.reference} completed {cohort.name} on "
                            f"{enrolment.completed_on:%-d %B %Y}, not "
                            f"{completed_on:%-d %B %Y}; correct the date, or change "
                            "it on the cohort's page",
                        )
                    )
        if problems:
            check.errors += [RowError(number, c, m) for c, m in problems]
            continue
        assert person is not None and level is not None and completed_on is not None
        row = {
            "row": number,
            "person": person,
            "level": level,
            "programme": programme,
            "cohort": cohort,
            "completed_on": completed_on,
            "enrolment": enrolments.get((cohort.pk, person.pk)) if cohort else None,
        }
        if (person.pk, level.pk, completed_on) in existing:
            check.recorded.append(row)
        else:
            check.new.append(row)
    return check


def commit_completions(held: HeldImport) -> dict[str, int]:
    """Record a held export's completions: every row or none, after checking it
    again; with a cohort, the person's enrolment is recorded as completed.

    Raises :class:`ImportRejected` when a row has an error. Returns how many
    completions are new and how many were recorded already."""
    organisation = held.organisation
    with transaction.atomic():
        check = check_completions(organisation, held.records)
        if check.errors:
            raise _rejected(check)
        new_enrolments: list[Enrolment] = []
        changed_enrolments: list[Enrolment] = []
        for row in check.new:
            if row["cohort"] is None:
                continue
            enrolment = row["enrolment"]
            if enrolment is None:
                enrolment = Enrolment(cohort=row["cohort"], staff_record=row["person"])
                new_enrolments.append(enrolment)
            else:
                enrolment.version += 1
                enrolment.updated_at = timezone.now()
                changed_enrolments.append(enrolment)
            enrolment.status = Enrolment.Status.COMPLETED
            enrolment.completed_on = row["completed_on"]
            row["enrolment"] = enrolment
        Enrolment.objects.bulk_create(new_enrolments, batch_size=WRITE_BATCH)
        Enrolment.objects.bulk_update(
            changed_enrolments,
            ["status", "completed_on", "version", "updated_at"],
            batch_size=WRITE_BATCH,
        )
        # An enrolment already completed with no completion of its own (the
        # completion was taken back) gets this one.
        linked = (
            set(
                Completion.objects.filter(enrolment__in=changed_enrolments).values_list(
                    "enrolment_id", flat=True
                )
            )
            if changed_enrolments
            else set()
        )
        completions = [
            Completion(
                level=row["level"],
                completed_on=row["completed_on"],
                staff_record=row["person"],
                unit_id=row["person"].unit_id,
                staff_group=row["person"].staff_group,
                programme=row["programme"],
                cohort=row["cohort"],
                enrolment=(
                    row["enrolment"]
                    if row["enrolment"] and row["enrolment"].pk not in linked
                    else None
                ),
            )
            for row in check.new
        ]
        Completion.objects.bulk_create(completions, batch_size=WRITE_BATCH)
        counts = {
            "new": len(completions),
            "recorded": len(check.recorded),
            "enrolments": len(new_enrolments) + len(changed_enrolments),
        }
        if completions:
            framework, _ = CapabilityFramework.objects.get_or_create(
                organisation=organisation
            )
            framework.organisation = organisation  # no query for it again
            after = {
                f"completion {c.pk}": {
                    "staff_record": c.staff_record.reference if c.staff_record else "",
                    "level": c.level.name,
                    "completed_on": c.completed_on,
                    "programme": c.programme.name if c.programme else "",
                    "cohort": c.cohort.name if c.cohort else "",
                }
                for c in completions
            }
            record_rows(
                framework,
                summary=f"Imported completions from {held.filename}: "
                f"{completion_summary(counts)}",
                before={},
                after=after,
            )
        held.delete()
    return counts


def completion_summary(counts: Mapping[str, int]) -> str:
    text = (
        f"{counts['new']:,} new completion{'' if counts['new'] == 1 else 's'} "
        f"recorded, {counts['recorded']:,} already recorded"
    )
    if counts.get("enrolments"):
        n = counts["enrolments"]
        text += f"; {n:,} enrolment{'' if n == 1 else 's'} marked completed"
    return text + "."


def _rejected(check: StaffCheck | CompletionCheck) -> ImportRejected:
    rows = len({e.number for e in check.errors})
    return ImportRejected(
        f"{rows:,} row{'' if rows == 1 else 's'} of the file "
        f"{'has' if rows == 1 else 'have'} errors now (the records changed since "
        "it was checked), so nothing was saved: fix the file and upload it again."
    )


# ---------------------------------------------------------------------------
# Holding an upload between its preview and its commit


def new_token() -> str:
    return secrets.token_urlsafe(24)


def is_token(token: str) -> bool:
    return bool(_TOKEN.match(token))


def clear_expired() -> int:
    deleted, _ = HeldImport.objects.filter(expires_at__lte=timezone.now()).delete()
    return deleted


def check_held(held: HeldImport) -> dict[str, Any]:
    """Check the held rows against the data as they are now: the preview's result."""
    if held.kind == HeldImport.Kind.STAFF:
        return check_staff(held.organisation, held.records).result()
    return check_completions(held.organisation, held.records).result()


def hold(
    organisation: Organisation, user: Any, kind: str, filename: str, data: bytes
) -> HeldImport:
    """Read and check an upload and hold it under a new token; raises
    :class:`ImportFileError` when it cannot be imported at all."""
    clear_expired()
    read = read_file(data, filename, kind)
    held = HeldImport(
        token=new_token(),
        organisation=organisation,
        user=user,
        kind=kind,
        filename=Path(filename).name[:255] or "upload.csv",
        mapping=read.mapping,
        records=read.records,
        expires_at=timezone.now()
        + datetime.timedelta(seconds=settings.OPENQI_IMPORT_LIFETIME),
    )
    held.result = check_held(held)
    held.save()
    return held


def load(
    token: str, organisation: Organisation, user: Any, kind: str
) -> HeldImport | None:
    """The person's held upload of this kind in this organisation, or None
    (unknown, someone else's, another organisation's, or expired)."""
    if not is_token(token):
        return None
    held: HeldImport | None = (
        HeldImport.objects.filter(
            token=token, organisation=organisation, user_id=user.pk, kind=kind
        )
        .select_related("organisation")
        .first()
    )
    if held is None:
        return None
    if held.expires_at <= timezone.now():
        held.delete()
        return None
    return held


def lock(held: HeldImport) -> HeldImport | None:
    """The held upload again, locked for its commit (None once another request
    committed it): call inside a transaction."""
    locked: HeldImport | None = (
        HeldImport.objects.select_for_update()
        .select_related("organisation")
        .filter(pk=held.pk)
        .first()
    )
    return locked
