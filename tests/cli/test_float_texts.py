"""The vectorised number formatter of the command line writes ``repr``'s text.

:func:`openqi.cli.numbers.float_texts` computes, for a column of doubles at a
time, the shortest decimal that reads back to the same double (at most 17
significant digits, plain notation from 0.0001 to 10¹⁶); every cell must read
back exactly, and for ordinary numbers the text must be ``repr``'s. It is in
fact ``repr``'s for every double (where it cannot tell, it calls ``repr``), so
the tests compare with ``repr`` and read the text back with ``float``.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from openqi.cli import numbers
from openqi.cli.numbers import float_bytes, float_texts

ORDINARY = [0.1, 0.25, 1 / 3, 2 / 3, 0.5, 1.5, 12.5, 100.0, 0.15294117647058825, 0.3]
TRICKY = [
    0.1 + 0.2, -2.5, 0.0, -0.0, 1e-300, 5e-324, 1e300, 1e16, 1e15, 123456789012345.0,
    9999999999999998.0, 1.2345e21, 0.0001, 1e-05, 9.999999999999999e-05, 2.675, 1.005,
    7.0, -7.0, 999999999999999.9, 99999999999999.98, 0.30000000000000004,
    # exact ties at 17 digits (repr rounds half to even)
    215966870745828.62, 219297075363.14062, 88999292938434.88,
    # powers of two: the double below is nearer than the one above
    0.5, 0.25, 2.0**-13, 2.0**40, 2.0**49, 1024.0,
]  # fmt: skip
NOT_FINITE = [math.nan, math.inf, -math.inf]


def _check(values: list[float]) -> None:
    array = np.array(values, dtype=np.float64)
    texts = float_texts(array, missing="x", suffix=",")
    for value, text in zip(values, texts, strict=True):
        assert text.endswith(",")
        if math.isfinite(value):
            assert float(text[:-1]) == value
            assert math.copysign(1, float(text[:-1])) == math.copysign(1, value)
            assert text == repr(value) + ",", value
        else:
            assert text == "x,"
    encoded = [t.encode("ascii") for t in texts]
    rows = float_bytes(array, missing="x", suffix=",")
    assert rows.view(f"S{rows.shape[1]}").ravel().tolist() == encoded


def test_ordinary_numbers_are_written_as_repr_writes_them() -> None:
    assert float_texts(np.array(ORDINARY)) == [repr(v) for v in ORDINARY]
    assert float_texts(np.array([0.1, 0.25, 1 / 3])) == [
        "0.1",
        "0.25",
        "0.3333333333333333",
    ]


def test_tricky_numbers_read_back() -> None:
    _check(TRICKY + NOT_FINITE + [-v for v in TRICKY])


def test_neighbours_of_powers_of_ten_and_two() -> None:
    values = []
    for k in range(-5, 17):
        for base in (10.0**k, 2.0 ** (k * 3)):
            values += [base, np.nextafter(base, 0.0), np.nextafter(base, math.inf)]
    _check([float(v) for v in values])


def test_random_doubles_across_magnitudes() -> None:
    rng = np.random.default_rng(20240601)
    n = 3 * numbers._BLOCK + 11  # several blocks, and a short one
    values = np.exp(rng.uniform(math.log(1e-6), math.log(1e17), n))
    values *= rng.choice([-1.0, 1.0], n)
    values[rng.random(n) < 0.01] = math.nan
    values[rng.random(n) < 0.01] = 0.0
    bits = rng.integers(0, 2**63, 2000, dtype=np.int64).view(np.float64)
    rounded = np.round(rng.uniform(0, 1000, 2000), 2)
    counts = rng.binomial(rng.integers(50, 5000, 2000), 0.1) / rng.integers(
        50, 5000, 2000
    )
    _check(np.concatenate([values, bits, rounded, counts]).tolist())


def test_one_magnitude_per_block_and_many() -> None:
    # one decimal exponent for every number (the point in one place) and many
    _check((np.arange(1, 2000) / 7919).tolist())
    _check((np.arange(1, 2000) * 7919.123).tolist())
    _check([0.0] * 10 + [-0.0] * 3)
    _check([])


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.floats(allow_nan=True, allow_infinity=True, width=64),
        min_size=1,
        max_size=60,
    )
)
def test_any_doubles_read_back_exactly(values: list[float]) -> None:
    _check(values)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.floats(min_value=1e-4, max_value=1e16, allow_subnormal=False),
        min_size=1,
        max_size=60,
    )
)
def test_doubles_in_plain_notation_read_back_exactly(values: list[float]) -> None:
    _check(values + [-v for v in values])


@pytest.mark.parametrize("suffix", ["", "\n", ",", ", "])
def test_suffix_and_missing(suffix: str) -> None:
    values = np.array([0.1, math.nan, -2.5, math.inf])
    assert float_texts(values, "null", suffix) == [
        "0.1" + suffix,
        "null" + suffix,
        "-2.5" + suffix,
        "null" + suffix,
    ]
    rows = float_bytes(values, "null", suffix)
    texts = [t.decode() for t in rows.view(f"S{rows.shape[1]}").ravel().tolist()]
    assert texts == float_texts(values, "null", suffix)
