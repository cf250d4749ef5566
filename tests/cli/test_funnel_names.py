"""``openqi funnel`` keeps unit names as arrays from the file to the output.

A CSV read by the fast reader gives the unit column as UTF-8 bytes; the verb
checks them for empty and repeated names, hands :func:`openqi.spc.funnel.funnel`
a NumPy text array and writes the bytes back out. The results, the messages and
the text written are those of the plain path (a list of Python strings, the
csv module).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest

from openqi.cli import charts
from openqi.spc.funnel import funnel
from openqi.tabular import read_table

Run = Callable[..., tuple[int, str, str]]
Write = Callable[[str, str], Path]

FUNNEL = [
    "--type",
    "proportion",
    "--unit",
    "unit",
    "--numerator",
    "d",
    "--denominator",
    "n",
]


def _message(units: object, n: int) -> str:
    with pytest.raises(ValueError) as caught:
        funnel(np.ones(n), np.full(n, 5.0), units)  # type: ignore[arg-type]  # arrays too
    return str(caught.value)


@pytest.mark.parametrize(
    "names",
    [
        ["A", "B", "C", "D"],
        ["D", "B", "A", "C"],  # not in order
        ["trust é", "ward ü", "Ωmega", "a much longer unit name than eight"],
        ["Zeta", "ab", "Ωmega", "x" * 30],
    ],
    ids=["sorted", "shuffled", "unicode", "long"],
)
def test_funnel_takes_a_text_array_as_it_takes_a_list(names: list[str]) -> None:
    numerators, denominators = [1, 2, 3, 4], [10, 20, 30, 40]
    from_list = funnel(numerators, denominators, names)
    from_array = funnel(numerators, denominators, np.array(names))
    assert [u.to_dict() for u in from_array.units] == [
        u.to_dict() for u in from_list.units
    ]
    assert all(type(u.unit) is str for u in from_array.units)
    assert type(from_array.units[0].unit) is str
    assert from_array.to_dict() == from_list.to_dict()


@pytest.mark.parametrize(
    "names",
    [
        ["A", "B", "A", "C", "B"],
        ["C", "B", "C", "A"],
        ["Ωmega", "long unit name", "Ωmega"],
        ["a much longer unit name", "b", "a much longer unit name"],
    ],
)
def test_funnel_refuses_a_repeated_name_in_an_array_as_in_a_list(
    names: list[str],
) -> None:
    assert _message(np.array(names), len(names)) == _message(names, len(names))


def test_funnel_refuses_an_empty_array_as_an_empty_list() -> None:
    assert _message(np.array([], dtype=str), 0) == _message([], 0)


def test_funnel_bad_value_names_the_unit_from_an_array() -> None:
    names = np.array(["A", "B"])
    with pytest.raises(ValueError, match=r"unit 'B' \(row 2\)"):
        funnel([1, 12], [10, 10], names)


# --------------------------------------------------------------------------- the verb


def _table(names: list[str]) -> str:
    rows = [f"{u},{i % 7},{10 + i % 13}\n" for i, u in enumerate(names)]
    return "unit,d,n\n" + "".join(rows)


def _reference(names: list[str]) -> str:
    """The plain path: a list of names and the csv module."""
    n = np.array([10 + i % 13 for i in range(len(names))], dtype=float)
    d = np.array([i % 7 for i in range(len(names))], dtype=float)
    rows = [u.to_dict() for u in funnel(d, n, names).units]
    return charts._csv(rows, list(rows[0]))


@pytest.mark.parametrize(
    "names",
    [
        [f"U{i:04d}" for i in range(300)],
        [f"U{i:04d}" for i in range(300)][::-1],
        [f"trust é {i}" for i in range(50)],
        [f"unit-{(i * 37) % 101}-name" for i in range(101)],
    ],
    ids=["sorted", "reversed", "unicode", "long-shuffled"],
)
def test_funnel_csv_writes_the_names_as_read(
    names: list[str], run: Run, write: Write, tmp_path: Path
) -> None:
    source = write("f.csv", _table(names))
    assert read_table(str(source)).text_bytes("unit") is not None  # the fast path
    status, out, err = run("funnel", source, *FUNNEL, "--format", "csv")
    assert status == 0, err
    assert out == _reference(names)
    target = tmp_path / "out.csv"
    status, _, err = run("funnel", source, *FUNNEL, "-o", target)
    assert status == 0, err
    assert target.read_bytes() == _reference(names).encode("utf-8")


def test_funnel_csv_from_name_bytes_matches_the_csv_module() -> None:
    names = ["b", "a é", "Ωmega", "plain"]
    column = np.array([n.encode("utf-8") for n in names])
    units = funnel([1, 2, 3, 4], [10, 20, 30, 40], names).units
    pieces = charts._funnel_csv(None, units, column)
    text = b"".join(charts.piece_bytes(p) for p in pieces).decode("utf-8")
    rows = [u.to_dict() for u in units]
    assert text == charts._csv(rows, list(rows[0]))


@pytest.mark.parametrize(
    ("names", "needle"),
    [
        (["B", "A", "C", "A"], 'rows 3 and 5 both have unit "A"'),
        (["a long unit name", "b", "a long unit name"], "rows 2 and 4 both have unit"),
        (["A", "", "B"], "row 3: the unit (unit) is empty"),
        (["Ωmega", "b", "Ωmega"], 'rows 2 and 4 both have unit "Ωmega"'),
    ],
)
def test_funnel_refuses_repeated_or_empty_units_from_the_fast_reader(
    names: list[str], needle: str, run: Run, write: Write
) -> None:
    source = write("f.csv", _table(names))
    status, out, err = run("funnel", source, *FUNNEL)
    assert status == 2
    assert needle in err
    assert out == ""


def test_funnel_csv_with_blank_edged_names_trims_them(run: Run, write: Write) -> None:
    source = write("f.csv", _table([" A", "B ", "C"]))
    status, out, err = run("funnel", source, *FUNNEL, "--format", "csv")
    assert status == 0, err
    assert out == _reference(["A", "B", "C"])


# --------------------------------------------------------------------------- writing


def test_emit_writes_text_and_bytes_pieces_in_order(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from openqi.cli import _emit

    pieces: list[charts.Piece] = [
        "head é\n", "row ü\n".encode(), lambda: memoryview(b"made\n"), "tail\n", b"end\n",
    ]  # fmt: skip
    target = tmp_path / "out.txt"
    _emit(iter(pieces), str(target))
    assert target.read_text(encoding="utf-8") == "head é\nrow ü\nmade\ntail\nend\n"
    _emit(iter(pieces), None)
    assert capsys.readouterr().out == "head é\nrow ü\nmade\ntail\nend\n"


def test_emit_leaves_no_file_when_a_piece_fails(tmp_path: Path) -> None:
    from openqi.cli import _emit

    def pieces() -> Iterator[str | bytes]:
        yield "head\n"
        yield b"row\n"
        raise ValueError("bad row")

    target = tmp_path / "out.txt"
    with pytest.raises(ValueError, match="bad row"):
        _emit(pieces(), str(target))
    assert list(tmp_path.iterdir()) == []


def test_emit_stops_and_leaves_no_file_when_finishing_a_piece_fails(
    tmp_path: Path,
) -> None:
    """A piece finished in the writing thread raises there: the error reaches
    the caller, no more pieces are made and no file is left."""
    from openqi.cli import _emit

    made: list[int] = []

    def broken() -> bytes:
        raise ValueError("bad chunk")

    def pieces() -> Iterator[charts.Piece]:
        yield "head\n"
        yield broken
        for i in range(100):
            made.append(i)
            yield b"row\n"

    target = tmp_path / "out.txt"
    with pytest.raises(ValueError, match="bad chunk"):
        _emit(pieces(), str(target))
    assert list(tmp_path.iterdir()) == []
    assert len(made) <= 3  # at most two pieces wait for the writer


def test_emit_reports_a_failed_write(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import openqi.cli as cli

    def full(piece: charts.Piece) -> bytes:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(cli, "piece_bytes", full)
    target = tmp_path / "out.txt"
    with pytest.raises(ValueError, match="cannot write .*No space left on device"):
        cli._emit(iter(["a\n", b"b\n"]), str(target))
    assert list(tmp_path.iterdir()) == []
