"""The SPC walkthrough: the ``openqi`` chart verbs on real public NHS A&E data.

``python -m openqi.cli.walkthrough OUTDIR`` (``make spc-walkthrough``) takes
``ae_attendances.csv`` from the public data carried with OpenQI (``openqi/data``;
NHS England A&E statistics via the NHSRdatasets package, Open Government Licence
v3.0), writes small input tables
to OUTDIR, runs the CLI verbs on them and writes JSON, CSV and SVG results
beside them:

- an XmR chart of monthly type-1 A&E attendances at King's College Hospital
  (``RJZ``, the example NHSRplotthedots uses);
- a p′ chart of the proportion of type-1 attendances at ``RJZ`` that breached
  the 4-hour standard (improvement is a decrease; the 95% standard is a 5%
  breach target);
- a funnel plot of that proportion across every type-1 department in the
  latest month;
- an XmR summary of every type-1 department's monthly attendances.
"""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

from openqi.cli import main as openqi
from openqi.data import AE_ATTENDANCES

__all__ = ["main"]

ORG = "RJZ"


def _write_csv(path: Path, header: list[str], rows: list[list[object]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)


def build_inputs(source: Path, outdir: Path) -> dict[str, Path]:
    """Write the walkthrough's input tables from ``ae_attendances.csv``; return their paths."""
    with source.open(newline="", encoding="utf-8") as handle:
        type1 = [r for r in csv.DictReader(handle) if r["type"] == "1"]
    org = sorted((r for r in type1 if r["org_code"] == ORG), key=lambda r: r["period"])
    latest = max(r["period"] for r in type1)
    paths = {
        "attendances": outdir / f"{ORG.lower()}_attendances.csv",
        "breaches": outdir / f"{ORG.lower()}_breaches.csv",
        "funnel": outdir / f"breaches_{latest[:7]}.csv",
        "long": outdir / "type1_attendances_long.csv",
    }
    _write_csv(
        paths["attendances"],
        ["period", "value"],
        [[r["period"][:7], r["attendances"]] for r in org],
    )
    _write_csv(
        paths["breaches"],
        ["period", "breaches", "attendances"],
        [[r["period"][:7], r["breaches"], r["attendances"]] for r in org],
    )
    _write_csv(
        paths["funnel"],
        ["org_code", "breaches", "attendances"],
        [
            [r["org_code"], r["breaches"], r["attendances"]]
            for r in type1
            if r["period"] == latest and int(r["attendances"]) > 0
        ],
    )
    _write_csv(
        paths["long"],
        ["org_code", "period", "attendances"],
        [[r["org_code"], r["period"][:7], r["attendances"]] for r in type1],
    )
    return paths


def run(outdir: Path) -> int:
    """Build the inputs, run every verb, print what was written; return an exit status."""
    source = AE_ATTENDANCES
    outdir.mkdir(parents=True, exist_ok=True)
    inputs = build_inputs(source, outdir)
    att, bre = inputs["attendances"], inputs["breaches"]
    funnel_in, long_in = inputs["funnel"], inputs["long"]
    stem = ORG.lower()
    runs: list[tuple[str, list[str]]] = []
    for fmt in ("json", "svg"):
        runs.append(
            (
                f"{stem}_attendances_xmr.{fmt}",
                [
                    "spc",
                    str(att),
                    "--chart",
                    "xmr",
                    "--title",
                    f"Type 1 A&E attendances, {ORG}",
                ],
            )
        )
        runs.append(
            (
                f"{stem}_4h_breaches_pp.{fmt}",
                [
                    "spc",
                    str(bre),
                    "--chart",
                    "pp",
                    "--value",
                    "breaches",
                    "--denominator",
                    "attendances",
                    "--improvement",
                    "decrease",
                    "--multiply",
                    "100",
                    "--target",
                    "5",
                    "--title",
                    f"Percentage of type 1 attendances over 4 hours, {ORG}",
                ],
            )
        )
        runs.append(
            (
                f"{funnel_in.stem}_funnel.{fmt}",
                [
                    "funnel",
                    str(funnel_in),
                    "--type",
                    "proportion",
                    "--unit",
                    "org_code",
                    "--numerator",
                    "breaches",
                    "--denominator",
                    "attendances",
                    "--title",
                    f"4-hour breaches, type 1 departments, {funnel_in.stem[-7:]}",
                ],
            )
        )
    runs.append(
        (
            "type1_attendances_summary.csv",
            [
                "spc-batch",
                str(long_in),
                "--series",
                "org_code",
                "--value",
                "attendances",
            ],
        )
    )
    for name, argv in runs:
        status = openqi([*argv, "--output", str(outdir / name)])
        if status != 0:
            print(
                f"openqi {' '.join(argv)} failed with status {status}", file=sys.stderr
            )
            return status

    print(f"Wrote to {outdir}/:")
    for path in [*inputs.values(), *(outdir / name for name, _ in runs)]:
        print(f"  {path.name:40} {path.stat().st_size:>9,} bytes")
    print()
    for name in (f"{stem}_attendances_xmr.json", f"{stem}_4h_breaches_pp.json"):
        summary = json.loads((outdir / name).read_text(encoding="utf-8"))["summary"]
        print(
            f"{name:32} variation: {summary['variation']:16} "
            f"assurance: {summary['assurance'] or 'none (no target)'}"
        )
    funnel = json.loads((outdir / f"{funnel_in.stem}_funnel.json").read_text("utf-8"))
    outliers = [u["unit"] for u in funnel["units"] if u["outlier"] != "none"]
    phi = "not estimated" if funnel["phi"] is None else f"{funnel['phi']:.1f}"
    print(
        f"funnel of {len(funnel['units'])} departments: phi {phi}, "
        f"limits adjusted for over-dispersion: {'yes' if funnel['adjusted'] else 'no'}, "
        f"{len(outliers)} outside the 99.8% limits"
    )
    with (outdir / "type1_attendances_summary.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    counts: dict[str, int] = {}
    for row in rows:
        counts[row["variation"]] = counts.get(row["variation"], 0) + 1
    listed = ", ".join(
        f"{k} {v}" for k, v in sorted(counts.items(), key=lambda kv: -kv[1])
    )
    print(f"spc-batch over {len(rows)} departments, variation icons: {listed}")
    return 0


def main(argv: list[str] | None = None) -> int:
    """``python -m openqi.cli.walkthrough OUTDIR``: run the walkthrough into OUTDIR."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1 or args[0].startswith("-"):
        print("usage: python -m openqi.cli.walkthrough OUTDIR", file=sys.stderr)
        return 2
    return run(Path(args[0]))


if __name__ == "__main__":
    sys.exit(main())
