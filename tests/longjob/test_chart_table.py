"""openqi.longjob.chart_table: the long job on an Arrow table — row order does
not matter, keys of several columns, per-series directions and targets, and
input it refuses in words naming the column or the series and period."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest

from openqi.longjob import JobError, chart_table, is_in_order
from openqi.spc import charts


def _table(seed: int = 1) -> pa.Table:
    rng = np.random.default_rng(seed)
    rows = []
    for trust in ("RXX", "RYY"):
        for indicator in ("falls", "pressure ulcers", "sepsis"):
            level = rng.uniform(10, 100)
            for month in range(30):
                value = float(round(rng.normal(level, level / 10), 1))
                rows.append((trust, indicator, f"2022-{month:02d}", value))
    trust, indicator, period, value = zip(*rows, strict=True)
    return pa.table(
        {
            "trust": list(trust),
            "indicator": list(indicator),
            "month": list(period),
            "value": list(value),
        }
    )


def test_the_order_of_the_rows_does_not_matter() -> None:
    table = _table()
    shuffled = table.take(np.random.default_rng(7).permutation(table.num_rows))
    assert not is_in_order(shuffled, ["trust", "indicator", "month"])
    keys = ["trust", "indicator"]
    a = chart_table(table, keys=keys, period="month", value="value")
    b = chart_table(shuffled, keys=keys, period="month", value="value")
    assert a[0].equals(b[0]) and a[1].equals(b[1])
    assert a[1].num_rows == 6


def test_each_series_its_own_direction_and_target_from_columns() -> None:
    table = _table()
    direction = [
        "increase" if i == "sepsis" else "decrease"
        for i in table["indicator"].to_pylist()
    ]
    target = [50.0 if i == "falls" else None for i in table["indicator"].to_pylist()]
    table = table.append_column("better", pa.array(direction)).append_column(
        "goal", pa.array(target, pa.float64())
    )
    _, summaries = chart_table(
        table,
        keys=["trust", "indicator"],
        period="month",
        value="value",
        improvement_column="better",
        target_column="goal",
    )
    for row in summaries.to_pylist():
        rows = [
            r
            for r in table.to_pylist()
            if r["trust"] == row["trust"] and r["indicator"] == row["indicator"]
        ]
        alone = charts.xmr(
            [r["value"] for r in rows],
            [r["month"] for r in rows],
            improvement=rows[0]["better"],
            target=rows[0]["goal"],
        )
        assert row["variation"] == alone.variation
        assert row["assurance"] == alone.assurance


def test_dictionary_encoded_keys_read_as_their_text() -> None:
    table = _table()
    encoded = table.set_column(0, "trust", table["trust"].dictionary_encode())
    plain = chart_table(
        table, keys=["trust", "indicator"], period="month", value="value"
    )
    coded = chart_table(
        encoded, keys=["trust", "indicator"], period="month", value="value"
    )
    assert coded[1]["variation"].to_pylist() == plain[1]["variation"].to_pylist()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"keys": ["nope"]}, "no column 'nope'"),
        ({"value": "trust"}, "column 'trust' holds string, not numbers"),
        ({"chart": "c"}, "chart must be one of xmr, run, p, u, pp, up"),
        ({"chart": "p"}, "a p chart needs a denominator column"),
        ({"multiply": 100.0}, "xmr chart does not take multiply"),
        ({"fix_after": 5}, "fix_after must be at least 12"),
        ({"keys": []}, "name at least one key column"),
    ],
)
def test_what_is_wrong_is_said(change: dict[str, object], message: str) -> None:
    job: dict[str, object] = {
        "keys": ["trust", "indicator"],
        "period": "month",
        "value": "value",
        **change,
    }
    with pytest.raises(JobError, match=message):
        chart_table(_table(), **job)  # type: ignore[arg-type]


def test_an_empty_key_or_a_twice_given_period_is_named() -> None:
    table = pa.table(
        {"trust": ["A", None], "month": ["2024-01", "2024-02"], "value": [1.0, 2.0]}
    )
    with pytest.raises(JobError, match="column 'trust' has 1 empty cell"):
        chart_table(table, keys=["trust"], period="month", value="value")
    table = pa.table(
        {"trust": ["A", "A"], "month": ["2024-01", "2024-01"], "value": [1.0, 2.0]}
    )
    with pytest.raises(JobError, match="series trust=A, period 2024-01 appears twice"):
        chart_table(table, keys=["trust"], period="month", value="value")


def test_a_key_named_like_a_result_column_is_refused() -> None:
    table = pa.table({"phase": ["a"], "period": [1], "v": [1.0]})
    with pytest.raises(JobError, match="rename the key or period column 'phase'"):
        chart_table(table, keys=["phase"], period="period", value="v")


def test_a_series_with_no_value_is_summarised_without_icons() -> None:
    table = pa.table(
        {
            "s": ["A", "A", "B", "B"],
            "period": [1, 2, 1, 2],
            "value": pa.array([None, None, 1.0, 2.0], pa.float64()),
        }
    )
    points, summaries = chart_table(table, keys=["s"], period="period", value="value")
    first = summaries.to_pylist()[0]
    assert first["points"] == 0 and first["latest_period"] is None
    assert first["variation"] is None and first["assurance"] is None
    assert points.num_rows == 4
