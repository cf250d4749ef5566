"""The fast CSV reader gives the csv module's table, cell for cell, or steps aside.

``openqi.tabular.read_table`` reads a plain CSV file with NumPy; every file is
also read here with the csv module (``_read_csv_lines``, the reader of uploads)
and the two tables must agree on names, row numbers, texts, numbers and the
error each bad cell raises.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest

from openqi import tabular
from openqi.tabular import Limits, TableError, read_table

CASES = {
    "plain": "period,value\n2024-01,10\n2024-02,12.5\n",
    "no-final-newline": "period,value\n2024-01,10\n2024-02,-3",
    "crlf": "period,value\r\n2024-01,10\r\n2024-02,11\r\n",
    "bom": "\ufeffperiod,value\n2024-01,1\n",
    "blank-lines": "\n\nperiod,value\n\n2024-01,1\n , \n,\n2024-02,2\n\n",
    "blanks-in-cells": "period , value \n 2024-01 ,  7 \n2024-02,\t8\t\n2024-03,  \n",
    "unicode": "unité,value\nHôpital é,1\n\u00a0,2\nb\u00a0,3\n",
    "nbsp-line": "period,value\n2024-01,1\n\u00a0,\u00a0\n2024-02,2\n",
    "numbers": (
        "period,value\n1,-0\n2,+4.\n3,.5\n4,1e3\n5,0.1234567890123456789\n6,-12.75\n"
        "7,00000000000000000012\n8,123456789012345\n9,1234567890123456\n10,  -0.0  \n"
        "11,9007199254740993\n12,1E-2\n"
    ),
    "empty-value-column": "period,value,note\n2024-01,,x\n2024-02,,\n",
    "unnamed-column": "period,,value\n2024-01,a,1\n",
    "quoted": 'period,value\n"2024-01","1"\n"2024,02",2\n',
    "ragged-short": "period,value,x\n2024-01,1\n",
    "ragged-long-blank": "period,value\n2024-01,1,,\n",
    "long-cell": "period,value\n" + "x" * 100 + ",1\n",
    "tab-and-space": "a,b\n\t,  \nx,1\n",
    "counts": "unit,d,n\nA,0,10\nB,007,\nC,42,123456789012345\nD,,5\n",
    "count-and-blank-lines": "unit,d\n,\nA,1\n , \nB,22\n,\n",
    "count-with-decimal": "unit,d\nA,1\nB,2.5\nC,3\n",
    "count-with-blank": "unit,d\nA,1\nB, 2\nC,3 \n",
    "sixteen-digit-count": "unit,d\nA,1234567890123456\nB,1\n",
    "blank-line-alone": "unit,d\nA,1\n\nB,2\n",
    "eight-byte-cells": "unit,d\n12345678,1\nabcdefg,22\nx,12345678\ny,7",
    "eight-digit-counts": "unit,d\nA,12345678\nB,99999999\nC,0\nD,\nE,1234567\nF,08\n",
    "blank-rows-around": ",\n , \nunit,d\nA,1\nB,22\n,\n , \n",
    "blank-row-after-header": "unit,d\n,\nA,1\nB,22\n",
}

BAD_NUMBERS = {
    "text": "period,value\n2024-01,1\n2024-02,n/a\n",
    "thousands": 'period,value\n2024-01,"1,234"\n',
    "thousands-plain": "period,value,x\n2024-01,1 234,\n",
    "percent": "period,value\n2024-01,5%\n",
    "underscore": "period,value\n2024-01,1_000\n",
    "infinite": "period,value\n2024-01,inf\n2024-02,nan\n",
    "dot": "period,value\n2024-01,.\n",
    "sign": "period,value\n2024-01,+\n",
    "two-dots": "period,value\n2024-01,1.2.3\n",
    "inner-blank": "period,value\n2024-01,1 2\n",
    "exponent-only": "period,value\n2024-01,e5\n",
    "digits-and-colon": "period,value\n2024-01,12\n2024-02,1:3\n",
    "digits-and-slash": "period,value\n2024-01,12345678\n2024-02,1234567/\n",
}


def _both(tmp_path: Path, text: str) -> tuple[tabular.Table, tabular.Table]:
    path = tmp_path / "t.csv"
    path.write_bytes(text.encode("utf-8"))
    fast = read_table(str(path))
    with open(path, encoding="utf-8-sig", newline="") as handle:
        slow = tabular._read_csv_lines(handle, str(path), Limits())
    return fast, slow


def _numbers(table: tabular.Table, name: str) -> np.ndarray | str:
    try:
        return table.numbers(name, lambda i: f"row {table.rows[i]} (#{i})")
    except TableError as error:
        return str(error)


@pytest.mark.parametrize("text", CASES.values(), ids=CASES.keys())
def test_fast_reader_gives_the_csv_modules_table(tmp_path: Path, text: str) -> None:
    fast, slow = _both(tmp_path, text)
    assert fast.names == slow.names
    assert list(fast.rows) == list(slow.rows)
    for name in slow.names:
        assert fast.texts(name) == slow.texts(name), name
        assert list(fast.columns[name]) == list(slow.columns[name]), name
        assert fast.text_codes(name)[0] == slow.text_codes(name)[0]
        a, b = _numbers(fast, name), _numbers(slow, name)
        if isinstance(b, str):
            assert a == b
        else:
            assert isinstance(a, np.ndarray)
            # To the bit, signed zeros included.
            assert a.tobytes() == b.tobytes(), name


@pytest.mark.parametrize("text", BAD_NUMBERS.values(), ids=BAD_NUMBERS.keys())
def test_fast_reader_refuses_bad_numbers_in_the_same_words(
    tmp_path: Path, text: str
) -> None:
    fast, slow = _both(tmp_path, text)
    message = _numbers(slow, "value")
    assert isinstance(message, str)
    assert _numbers(fast, "value") == message


def test_fast_reader_reads_a_long_file_exactly(tmp_path: Path) -> None:
    rng = np.random.default_rng(3)
    values = rng.normal(50, 20, 5000)
    values = np.array(
        [round(v, d) for v, d in zip(values, rng.integers(0, 6, 5000), strict=True)]
    )
    values[rng.random(5000) < 0.05] = np.nan
    lines = ["series,period,value"]
    for i, v in enumerate(values.tolist()):
        cell = "" if v != v else (repr(v) if i % 7 else f"{v:.3e}")
        lines.append(f"s{i % 37},{2000 + i // 12}-{i % 12 + 1:02d},{cell}")
    fast, slow = _both(tmp_path, "\n".join(lines) + "\n")
    assert _numbers(fast, "value").tobytes() == _numbers(slow, "value").tobytes()  # type: ignore[union-attr]
    assert fast.texts("series") == slow.texts("series")
    assert (
        fast.text_codes("period")[1].tolist() == slow.text_codes("period")[1].tolist()
    )


@pytest.mark.parametrize(
    ("limits", "needle"),
    [
        (Limits(max_rows=3), "more than 3 data rows"),
        (Limits(max_cells=7), "more than 7 cells"),
        (Limits(max_rows=4, max_cells=8), "more than 4 data rows"),
    ],
)
def test_fast_reader_applies_the_limits_as_the_csv_module_does(
    tmp_path: Path, limits: Limits, needle: str
) -> None:
    text = "a,b\n" + "1,2\n" * 10
    path = tmp_path / "t.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(TableError, match=needle):
        read_table(str(path), limits=limits)
    with pytest.raises(TableError, match=needle):
        tabular._read_csv_lines(io.StringIO(text), str(path), limits)


@pytest.mark.parametrize(
    "names",
    [
        ["U001", "U002", "U010", "U100"],  # rising: every cell new
        ["a", "b", "b", "c", "c", "c"],  # rising runs
        ["b", "a", "c", "a"],  # not rising
        ["x"],
        ["ab", "abc", "abcdefghij", "abcdefghik"],  # rising, wider than 8 bytes
    ],
)
def test_fast_reader_codes_rising_and_other_columns(
    tmp_path: Path, names: list[str]
) -> None:
    text = "unit,value\n" + "".join(f"{n},{i}\n" for i, n in enumerate(names))
    fast, slow = _both(tmp_path, text)
    labels, codes = fast.text_codes("unit")
    assert (labels, codes.tolist()) == (
        slow.text_codes("unit")[0],
        slow.text_codes("unit")[1].tolist(),
    )
    assert [labels[c] for c in codes] == names


def test_whole_numbers_read_eight_digits_at_a_time() -> None:
    """Cells of at most eight bytes: every digit string and a blank read as
    ``float`` does, anything else refused (left to the slower readers)."""
    rng = np.random.default_rng(11)
    for width in range(1, 9):
        lengths = rng.integers(0, width + 1, 2000)
        cells = [
            "".join(map(str, rng.integers(0, 10, n))).encode() for n in lengths.tolist()
        ]
        raw = np.array(cells, dtype=f"S{width}")
        got = tabular._whole_numbers(raw)
        assert got is not None
        want = [float(c) if c else np.nan for c in cells]
        np.testing.assert_array_equal(got, want)
        for bad in (b"/", b":", b" ", b".", b"-", b"\xc3", b"a"):
            at = int(rng.integers(0, width))
            cell = bytearray(b"1" * width)
            cell[at : at + 1] = bad
            assert tabular._whole_numbers(np.array([b"7", bytes(cell)])) is None
