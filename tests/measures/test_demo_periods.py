"""The demo's series end on fixed dates before the demo's own date, so none has a
period the app would refuse as not yet happened (the never events ran into 2027)."""

from __future__ import annotations

import datetime

import pytest

from openqi.demo import measures as demo
from openqi.measures import importing

#: When the demo's data were last drawn: every series must end before it.
DEMO_DATE = datetime.date(2026, 12, 4)


@pytest.mark.parametrize("spec", demo.MEASURES, ids=lambda spec: spec.name)
def test_no_demo_point_is_after_the_current_period(spec: demo._MeasureSpec) -> None:
    periods, values, _ = spec.series(demo._stream(spec))
    assert len(periods) == len(values)
    last = max(periods)
    assert importing.future_problem(last, spec.frequency, DEMO_DATE) is None
    assert last <= max(demo.LAST_MONTH, demo.LAST_WEEK, demo.LAST_EVENT)


def test_the_never_events_end_on_the_last_event_with_the_gaps_between_them() -> None:
    spec = next(s for s in demo.MEASURES if s.name.startswith("Days between never"))
    periods, gaps, _ = spec.series(demo._stream(spec))
    assert periods[-1] == demo.LAST_EVENT
    assert [
        (b - a).days for a, b in zip(periods[:-1], periods[1:], strict=True)
    ] == gaps[1:]
