"""The national A&E 4-hour benchmark, checked against figures worked out here
from the CSV with the csv module (not through OpenQI's loader)."""

from __future__ import annotations

import csv
import datetime
import math

import pytest
from django.core.management import call_command

from openqi.benchmark.models import Benchmark, ParticipantSummary, Value
from openqi.data import AE_ATTENDANCES
from openqi.organisations.models import Organisation
from tests.factories import make_organisation

pytestmark = pytest.mark.django_db


def _by_hand(month: str) -> dict[str, tuple[int, int]]:
    """code → (attendances, breaches) in ``month``, all types summed."""
    totals: dict[str, list[int]] = {}
    with AE_ATTENDANCES.open(newline="") as handle:
        for row in csv.DictReader(handle):
            if row["period"] == month:
                pair = totals.setdefault(row["org_code"], [0, 0])
                pair[0] += int(row["attendances"])
                pair[1] += int(row["breaches"])
    return {code: (a, b) for code, (a, b) in totals.items() if a > 0}


@pytest.fixture
def system() -> Organisation:
    return make_organisation(name="A system", kind=Organisation.Kind.SYSTEM)


def test_loads_a_funnel_of_every_provider_for_march_2019(system: Organisation) -> None:
    call_command("import_national_file", "ae-4-hour", organisation=system.slug)
    benchmark = Benchmark.objects.get(organisation=system, key="ae-4-hour")
    result = benchmark.result
    march = _by_hand("2019-03-01")
    assert result.period == datetime.date(2019, 3, 1)
    assert result.participants == len(march) > 200
    # The centre: Σ(attendances − breaches) / Σ attendances, as a percentage.
    attendances = sum(a for a, _ in march.values())
    breaches = sum(b for _, b in march.values())
    assert result.funnel["target"] == pytest.approx(
        100 * (attendances - breaches) / attendances, rel=1e-12
    )
    units = {u["unit"]: u for u in result.funnel["units"]}
    for code in ("RJZ", "RF4", "R1H"):
        a, b = march[code]
        assert units[code]["value"] == pytest.approx(100 * (a - b) / a, rel=1e-12)
        assert units[code]["denominator"] == a
    assert "A&amp;E 4-hour performance" in result.svg
    assert result.description.startswith(result.description[:1])
    assert len(result.description) > 40
    # Over-dispersion across trusts is large: the limits are widened.
    assert result.funnel["adjusted"] is True and result.funnel["phi"] > 1


def test_every_provider_has_its_p_chart_in_brief(system: Organisation) -> None:
    call_command("import_national_file", "ae-4-hour", organisation=system.slug)
    benchmark = Benchmark.objects.get(organisation=system)
    summaries = ParticipantSummary.objects.filter(benchmark=benchmark)
    assert summaries.count() == benchmark.participants.count() >= 200
    rjz = summaries.get(participant__code="RJZ")
    assert rjz.n_points == 36
    assert len(rjz.sparkline) == 24 and rjz.sparkline[-1][0] == "2019-03"
    a, b = _by_hand("2019-03-01")["RJZ"]
    assert rjz.sparkline[-1][1] == pytest.approx(100 * (a - b) / a)
    assert rjz.variation and "<svg" in rjz.icon_svg and "<svg" in rjz.sparkline_svg


def test_loading_twice_changes_nothing(system: Organisation) -> None:
    call_command("import_national_file", "ae-4-hour", organisation=system.slug)
    count = Value.objects.count()
    call_command("import_national_file", "ae-4-hour", organisation=system.slug)
    assert Value.objects.count() == count
    assert not math.isnan(count)


def test_unknown_organisation_is_refused_clearly() -> None:
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="no organisation 'nowhere'"):
        call_command("import_national_file", "ae-4-hour", organisation="nowhere")
