"""National benchmarks loaded from public files carried with OpenQI.

``ae-4-hour``: **A&E 4-hour performance, England**, from NHS England's monthly A&E
attendances (``openqi.data.AE_ATTENDANCES``, April 2016 – March 2019; Open
Government Licence v3.0). For each provider (by ODS code) and month, every
department type (1: major A&E, 2: single-specialty, other: minor injury units and
walk-in centres) is summed, as NHS England's provider-level figure counts all
types; the indicator is the proportion of attendances **seen within 4 hours**:

    numerator   = Σ attendances − Σ breaches   (left within 4 hours)
    denominator = Σ attendances

shown as a percentage; higher is better. A provider-month with no attendances
is left out. Participants are providers by code with no OpenQI organisation.
"""

from __future__ import annotations

import csv
import datetime
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction

from openqi.audit.services import record_rows
from openqi.data import AE_ATTENDANCES
from openqi.organisations.models import Organisation

from .models import Benchmark, Participant, Value
from .services import recompute

__all__ = [
    "NATIONAL_FILES",
    "NationalFile",
    "ae_four_hour_rows",
    "load_national",
    "member_values",
]


@dataclass(frozen=True)
class NationalFile:
    key: str
    name: str
    numerator: str
    denominator: str
    source: str
    improvement: str
    path: Path


NATIONAL_FILES = {
    "ae-4-hour": NationalFile(
        key="ae-4-hour",
        name="A&E 4-hour performance, England",
        numerator="Attendances that left A&E within 4 hours of arrival (attendances "
        "minus 4-hour breaches), all department types summed.",
        denominator="A&E attendances in the month, all department types (major A&E, "
        "single-specialty, minor injury units and walk-in centres) summed.",
        source="NHS England, A&E Attendances and Emergency Admissions, April 2016 – "
        "March 2019, by provider (via the NHS-R Community's NHSRdatasets). Contains "
        "public sector information licensed under the Open Government Licence v3.0.",
        improvement="increase",
        path=AE_ATTENDANCES,
    ),
}


def ae_four_hour_rows(
    path: Path = AE_ATTENDANCES,
) -> dict[tuple[str, datetime.date], tuple[int, int]]:
    """(code, month) → (seen within 4 hours, attendances), every type summed;
    months with no attendances left out."""
    sums: dict[tuple[str, datetime.date], list[int]] = defaultdict(lambda: [0, 0])
    with path.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            key = (row["org_code"], datetime.date.fromisoformat(row["period"]))
            sums[key][0] += int(row["attendances"])
            sums[key][1] += int(row["breaches"])
    return {
        key: (attendances - breaches, attendances)
        for key, (attendances, breaches) in sums.items()
        if attendances > 0
    }


def load_national(
    organisation: Organisation, key: str, *, replace: bool = False
) -> tuple[Benchmark, bool]:
    """The national benchmark ``key`` owned by ``organisation``, loaded once
    (again only with ``replace``); returns it and whether values were loaded."""
    spec = NATIONAL_FILES[key]
    with transaction.atomic():
        benchmark, _ = Benchmark.objects.get_or_create(
            organisation=organisation,
            key=spec.key,
            defaults={
                "scope": Benchmark.Scope.NATIONAL,
                "name": spec.name,
                "numerator_definition": spec.numerator,
                "denominator_definition": spec.denominator,
                "kind": Benchmark.Kind.PROPORTION,
                "frequency": Benchmark.Frequency.MONTHLY,
                "improvement": spec.improvement,
                "multiplier": 100.0,
                "overdispersion": True,
                "source": spec.source,
            },
        )
        if benchmark.participants.exists():
            if not replace:
                return benchmark, False
            Value.objects.filter(participant__benchmark=benchmark)._raw_delete(
                Value.objects.db
            )
            Participant.objects.filter(benchmark=benchmark)._raw_delete(
                Participant.objects.db
            )
        rows = ae_four_hour_rows(spec.path)
        codes = sorted({code for code, _ in rows})
        Participant.objects.bulk_create(
            [Participant(benchmark=benchmark, name=code, code=code) for code in codes],
            batch_size=1000,
        )
        ids = dict(benchmark.participants.values_list("code", "pk"))
        Value.objects.bulk_create(
            [
                Value(
                    participant_id=ids[code],
                    period=period,
                    numerator=float(within),
                    denominator=float(attendances),
                )
                for (code, period), (within, attendances) in sorted(rows.items())
            ],
            batch_size=2000,
        )
        latest = max(period for _, period in rows)
        record_rows(
            benchmark,
            summary=f"Loaded {spec.name} from the national file: {len(codes)} "
            f"providers, {len(rows):,} provider-months to {latest:%B %Y}.",
            before={},
            after={"file": {"providers": len(codes), "values": len(rows)}},
        )
        recompute(benchmark)
    return benchmark, True


#: How each national file is read into (code, period) → (numerator, denominator).
READERS = {"ae-4-hour": ae_four_hour_rows}


@dataclass(frozen=True)
class MemberValues:
    """What :func:`member_values` wrote: the values, and the members found in the file
    by their national code and those not (no code, or a code the file lacks)."""

    written: int
    found: list[str]
    missing: list[str]


def member_values(benchmark: Benchmark, key: str) -> MemberValues:
    """A system benchmark's members' values computed from the national file ``key``,
    each member by its national (ODS) code: every month the file holds for it, written
    as one import (all or nothing, one audit event) and the results recomputed."""
    from .services import ImportRow, ensure_members, import_values

    spec = NATIONAL_FILES[key]
    if benchmark.scope != Benchmark.Scope.SYSTEM:
        raise ValueError(
            "Only a system's benchmark takes its members' values from a file."
        )
    ensure_members(benchmark)
    rows = READERS[key](spec.path)
    codes = {code for code, _ in rows}
    found: list[str] = []
    missing: list[str] = []
    wanted: list[ImportRow] = []
    for participant in benchmark.participants.select_related("organisation").order_by(
        "name"
    ):
        code = (
            participant.organisation.ods_code if participant.organisation else ""
        ) or ""
        if not code or code not in codes or participant.code != code:
            missing.append(participant.name)
            continue
        found.append(participant.name)
        wanted += [
            ImportRow(code, period, float(numerator), float(denominator))
            for (row_code, period), (numerator, denominator) in sorted(rows.items())
            if row_code == code
        ]
    written = import_values(benchmark, wanted) if wanted else 0
    return MemberValues(written, found, missing)
