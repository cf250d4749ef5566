"""Many floats as text at once: Python's ``repr`` text, computed with NumPy.

Writing a million numbers with ``repr`` costs about half a microsecond each;
:func:`float_texts` gives the same text (the shortest decimal that reads back
to the same double, at most 17 significant digits, in plain notation) for a
column of numbers at a time, several times faster. For every number from
0.0001 up to 10¹⁵, and zero, the digits are found with exact arithmetic on
doubles and 64-bit integers:

* ``x = |v|·P``, with ``P`` the power of ten that puts 17 digits before the
  point, is computed exactly as a double and its rounding error (Dekker's
  product; ``P`` ≤ 10²⁰ is an exact double), then as an integer ``R`` and a
  fraction ``f`` in [-½, ½];
* the candidates of 15, 16 and 17 significant digits are ``R + f`` rounded to
  the nearest hundred, ten and one;
* a candidate reads back to ``v`` when its distance from ``x`` is less than
  half the gap between ``v`` and its neighbouring double, times ``P`` (an
  exact product); the shortest such candidate is written. A 17-digit
  candidate always reads back; ``repr`` writes the nearest of the shortest
  decimals that read back, which is this one.

Where a distance lies within rounding noise of a bound or of a tie, or the
number is outside that range, ``repr`` itself is called: the text is always
``repr``'s. NaN and infinities are written as ``missing``. The tests compare
the text with ``repr`` and read it back with ``float``.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import numpy as np
from numpy.typing import NDArray

__all__ = ["float_bytes", "float_texts"]

#: Numbers are handled this many at a time, so the work arrays stay in cache.
_BLOCK = 16_384
#: ``repr`` writes plain notation from 1e-4 up to 1e16; below 1e15 the
#: 15-digit candidate has no digit left of the units.
_LOW, _HIGH = 1e-4, 1e15
_POW10: NDArray[np.float64] = 10.0 ** np.arange(23, dtype=np.float64)  # exact
_INT10 = 10 ** np.arange(5, dtype=np.int64)
_SPLIT = 134_217_729.0  # 2**27 + 1, Veltkamp's splitter for doubles
_MANTISSA = (1 << 52) - 1
_EXPONENT = 0x7FF << 52
#: Relative margin within which a distance is too close to a bound to judge.
_NOISE = 1e-9
#: Characters of the text before any suffix: a sign, 21 digits and a point.
_WIDTH = 23


@lru_cache(maxsize=1)
def _digit_words() -> tuple[NDArray[np.uint32], NDArray[np.intp]]:
    """The ASCII digits of 0…9999 as one 32-bit word each (in memory order),
    and how many zeros each ends with (four for 0)."""
    n = np.arange(10_000)
    four = np.stack([n // 1000, n // 100 % 10, n // 10 % 10, n % 10], axis=1)
    words = (four + ord("0")).astype(np.uint8).view(np.uint32).ravel()
    zeros = np.zeros(10_000, dtype=np.intp)
    for place in (10, 100, 1000, 10_000):
        zeros += n % place == 0
    return words, zeros


def float_texts(
    values: NDArray[np.float64], missing: str = "", suffix: str = ""
) -> list[str]:
    """Each number as ``repr`` writes it, then ``suffix``; ``missing`` (then
    ``suffix``) where it is NaN or infinite."""
    flat = np.ascontiguousarray(values, dtype=np.float64).ravel()
    texts: list[str] = []
    for start in range(0, flat.size, _BLOCK):
        texts += _block_texts(flat[start : start + _BLOCK], missing, suffix)
    return texts


def _two_product(
    a: NDArray[np.float64], b: NDArray[np.float64]
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """``a·b`` as a double and its exact rounding error (Dekker)."""
    product = a * b
    c = _SPLIT * a
    a_high = c - (c - a)
    a_low = a - a_high
    c = _SPLIT * b
    b_high = c - (c - b)
    b_low = b - b_high
    error = ((a_high * b_high - product) + a_high * b_low + a_low * b_high) + (
        a_low * b_low
    )
    return product, error


def _scaled(
    a: NDArray[np.float64], exponent: NDArray[np.int64]
) -> tuple[NDArray[np.int64], NDArray[np.float64], NDArray[np.float64]]:
    """``a·P`` with ``P = 10^(16-exponent)``, as an integer ``R`` and a
    fraction ``f`` in [-½, ½] (``R + f`` to within a rounding of ``f``), and ``P``."""
    power = _POW10[16 - exponent]
    high, low = _two_product(a, power)
    whole = np.rint(high)
    fraction = (high - whole) + low
    carry = np.rint(fraction)
    integer = whole.astype(np.int64) + carry.astype(np.int64)
    return integer, fraction - carry, power


def _digits(
    a: NDArray[np.float64],
) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.bool_]]:
    """For positive ``a`` in [_LOW, _HIGH): the shortest digits that read back
    (as a 17-digit integer, padded with zeros), the decimal exponent of the
    first digit, and where the answer is unsure (so ``repr`` is to be called)."""
    exponent = np.floor(np.log10(a)).astype(np.int64)
    integer, fraction, power = _scaled(a, exponent)
    for _ in range(2):  # log10 may be one out next to a power of ten
        wrong = np.flatnonzero((integer < 10**16) | (integer >= 10**17))
        if not wrong.size:
            break
        exponent[wrong] += np.where(integer[wrong] >= 10**17, 1, -1)
        integer[wrong], fraction[wrong], power[wrong] = _scaled(
            a[wrong], exponent[wrong]
        )
    bits = a.view(np.int64)
    gap = ((bits & _EXPONENT) - (52 << 52)).view(np.float64)  # to the next double
    # Half of it in units of the 17th digit; below a power of two the gap to
    # the previous double is half as wide.
    bound = gap * power * 0.5
    power_of_two = (bits & _MANTISSA) == 0
    has_power_of_two = bool(power_of_two.any())

    candidates: list[NDArray[np.int64]] = []
    fits: list[NDArray[np.bool_]] = []
    unclear: list[NDArray[np.bool_]] = []
    for step in (100, 10, 1):
        if step == 1:
            candidate, distance = integer, fraction
        else:
            quotient = integer // step
            rest = (integer - quotient * step) + fraction  # x - quotient·step
            up = rest > step / 2
            candidate = (quotient + up) * step
            distance = rest - up * step
        # ``distance`` is x less the candidate: above zero, the candidate
        # lies below the number.
        size = np.abs(distance)
        limit = bound
        if has_power_of_two:
            limit = np.where(power_of_two & (distance > 0), bound * 0.5, bound)
        candidates.append(candidate)
        fits.append(size < limit)
        unclear.append(
            (np.abs(size - limit) <= limit * _NOISE)
            | (np.abs(size - step / 2) <= step * _NOISE)  # a tie, or nearly
        )
    unsure = unclear[0] | ~fits[0] & (unclear[1] | ~fits[1] & (unclear[2] | ~fits[2]))
    unsure |= (integer < 10**16) | (integer >= 10**17)
    chosen = np.where(
        fits[0], candidates[0], np.where(fits[1], candidates[1], candidates[2])
    )
    top = chosen == 10**17  # rounded up to the next power of ten
    if top.any():
        chosen[top] = 10**16
        exponent[top] += 1
    return chosen, exponent, unsure


def _frame(
    values: NDArray[np.float64], width: int
) -> tuple[NDArray[np.uint8], NDArray[np.intp], NDArray[np.bool_]]:
    """Each number's ``repr`` as ASCII bytes, one row of ``width`` (a multiple
    of 8, at least _WIDTH) each, padded with NUL; the length of each; and where
    it was not written (``repr`` is to be called, or the number is NaN or
    infinite)."""
    size = values.size
    magnitude = np.abs(values)
    fast = (magnitude >= _LOW) & (magnitude < _HIGH)
    every = bool(fast.all())
    if not every:
        magnitude[~fast] = 1.0
    digits, exponent, slow = _digits(magnitude)
    if not every:
        digits *= fast  # zero is 0 with exponent 0
        exponent *= fast
        slow = np.where(fast, slow, values != 0)  # NaN too

    # The digits as written, 21 of them: for a number under 1 a zero, then the
    # fraction's digits, for one over 1 the 17 digits and four zeros; that is
    # digits·10^shift. In 4-digit words, behind 3 zeros (the 24 of 6 words).
    scale = _INT10[4 + np.minimum(exponent, 0)]
    high = digits // 10**8
    low = (digits - high * 10**8) * scale
    carry = low // 10**8
    low -= carry * 10**8
    high *= scale
    high += carry
    upper = high // 10**8
    high -= upper * 10**8
    chunks = [upper // 10**4, None, high // 10**4, None, low // 10**4, None]
    chunks[1] = upper - chunks[0] * 10**4
    chunks[3] = high - chunks[2] * 10**4
    chunks[5] = low - chunks[4] * 10**4
    words, zeros = _digit_words()
    frame = np.zeros((size, 7), dtype=np.uint32)  # and a word of padding
    for i, chunk in enumerate(chunks):
        frame[:, i] = words[chunk]
    padded = frame.view(np.uint8)[:, 3:]  # the 21 digits first
    trailing = _trailing_zeros(chunks, zeros)

    point = 1 + np.maximum(exponent, 0)  # characters before the point
    negative = np.signbit(values)
    length = point + 1 + np.maximum(1, 21 - trailing - point) + negative

    text = np.zeros((size, width), dtype=np.uint8)
    body = text[:, :_WIDTH]
    if (point == point[0]).all():
        p = int(point[0])
        body[:, :p] = padded[:, :p]
        body[:, p] = ord(".")
        body[:, p + 1 :] = padded[:, p : _WIDTH - 1]
    else:
        column = np.arange(_WIDTH)
        shifted = np.zeros_like(body)
        shifted[:, 1:] = padded[:, : _WIDTH - 1]
        body[...] = np.where(
            column < point[:, None],
            padded[:, :_WIDTH],
            np.where(column == point[:, None], ord("."), shifted),
        )
    if negative.any():
        rows = np.flatnonzero(negative)
        text[rows, 1:_WIDTH] = text[rows, : _WIDTH - 1]
        text[rows, 0] = ord("-")
    # Clear what follows the text, eight bytes at a time.
    text.view(np.uint64)[...] &= _masks(width)[np.minimum(length, width)]
    return text, length, slow


def _trailing_zeros(chunks: list[Any], zeros: NDArray[np.intp]) -> NDArray[np.intp]:
    """How many zero digits end the 4-digit words ``chunks`` taken together."""
    count = zeros[chunks[-1]]
    if len(chunks) > 1:
        more = np.flatnonzero(count == 4)
        if more.size:
            count[more] += _trailing_zeros([c[more] for c in chunks[:-1]], zeros)
    return count


@lru_cache(maxsize=8)
def _masks(width: int) -> NDArray[np.uint64]:
    """Row ``n`` keeps the first ``n`` bytes of a row of text, as 8-byte words."""
    rows = np.tril(np.full((width + 1, width), 0xFF, dtype=np.uint8), -1)
    return rows.view(np.uint64)


def _suffixed(text: NDArray[Any], length: NDArray[np.intp], suffix: str) -> None:
    """Write ``suffix`` after each row's text, in place."""
    if suffix:
        at = np.arange(text.shape[0]) * text.shape[1] + length
        flat = text.reshape(-1)
        for i, character in enumerate(suffix):
            flat[at + i] = ord(character)


def _width(least: int) -> int:
    return -(-least // 8) * 8


def _block_texts(values: NDArray[np.float64], missing: str, suffix: str) -> list[str]:
    text, length, slow = _frame(values, _width(_WIDTH + len(suffix)))
    wide = text.astype(np.uint32)
    _suffixed(wide, length, suffix)
    texts: list[str] = wide.view(f"<U{wide.shape[1]}").ravel().tolist()
    for i in np.flatnonzero(slow).tolist():
        value = float(values[i])
        texts[i] = (repr(value) if np.isfinite(value) else missing) + suffix
    return texts


def float_bytes(
    values: NDArray[np.float64], missing: str = "", suffix: str = ""
) -> NDArray[np.uint8]:
    """:func:`float_texts` as ASCII, one row of bytes per number padded with
    NUL bytes (``missing`` and ``suffix`` are ASCII)."""
    flat = np.ascontiguousarray(values, dtype=np.float64).ravel()
    width = _width(max(_WIDTH + 1, len(missing)) + len(suffix))  # + 1: "e-05"
    out = np.empty((flat.size, width), dtype=np.uint8)
    for start in range(0, flat.size, _BLOCK):
        block = flat[start : start + _BLOCK]
        text, length, slow = _frame(block, width)
        _suffixed(text, length, suffix)
        for i in np.flatnonzero(slow).tolist():
            value = float(block[i])
            cell = (repr(value) if np.isfinite(value) else missing) + suffix
            text[i] = 0
            text[i, : len(cell)] = np.frombuffer(cell.encode("ascii"), np.uint8)
        out[start : start + _BLOCK] = text
    return out
