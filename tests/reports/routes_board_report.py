"""The board report's pages, for the access walk (see tests/access.py)."""

from __future__ import annotations

import datetime
from typing import Any

from openqi.reports.models import BoardReport
from tests.access import Route, Write
from tests.reports.report_helpers import (
    add_entry,
    make_charted_measure,
    make_report,
    published_report,
)


def _org(cast: Any) -> dict[str, Any]:
    return {"slug": cast.org.slug}


def _fresh_month(cast: Any) -> datetime.date:
    """A month no report of the cast's organisation has yet: after the latest."""
    latest = (
        BoardReport.objects.filter(organisation=cast.org)
        .order_by("-month")
        .values_list("month", flat=True)
        .first()
    )
    if latest is None:
        return datetime.date(2020, 1, 1)
    return (latest + datetime.timedelta(days=32)).replace(day=1)


def _published(cast: Any) -> dict[str, Any]:
    report = published_report(cast.org, _fresh_month(cast))
    return {"slug": cast.org.slug, "pk": report.pk}


def _draft(cast: Any) -> dict[str, Any]:
    return {"slug": cast.org.slug, "pk": make_report(cast.org, _fresh_month(cast)).pk}


def _draft_with_entry(cast: Any) -> dict[str, Any]:
    report = make_report(cast.org, _fresh_month(cast))
    # The cast's member owns it (the page crawl's cast has no member: no owner).
    owner = getattr(cast, "member", None)
    measure = make_charted_measure(cast.org, f"Falls {report.pk}", owner=owner)
    entry = add_entry(report, measure)
    return {"slug": cast.org.slug, "pk": report.pk, "entry": entry.pk}


def _draft_filled(cast: Any) -> dict[str, Any]:
    found = _draft_with_entry(cast)
    return {"slug": found["slug"], "pk": found["pk"]}


def _entry_with_measure(cast: Any) -> dict[str, Any]:
    found = _draft_with_entry(cast)
    return {"pk": found["pk"], "entry": found["entry"]}


def _create_data(cast: Any) -> dict[str, Any]:
    # This month, or the latest before it that an earlier attempt left free.
    month = datetime.date.today().replace(day=1)
    while BoardReport.objects.filter(organisation=cast.org, month=month).exists():
        month = (month - datetime.timedelta(days=1)).replace(day=1)
    return {
        "month": month.isoformat(),
        "title": "Board report",
        "headings": "Safe\nEffective",
    }


def _edit_data(cast: Any) -> dict[str, Any]:
    """A change of the latest draft's title and headings (its month kept)."""
    report = BoardReport.objects.filter(organisation=cast.org).order_by("-pk").first()
    assert report is not None
    return {
        "month": report.month.isoformat(),
        "title": "Board report, changed",
        "headings": "Safe\nEffective",
    }


def _add_data(cast: Any) -> dict[str, Any]:
    from openqi.measures.models import Measure

    count = Measure.objects.filter(organisation=cast.org).count()
    measure = make_charted_measure(cast.org, f"Pressure ulcers {count + 1}")
    return {"measure": measure.pk, "heading": "Safe"}


def _spare_entry(cast: Any) -> dict[str, Any]:
    return _entry_with_measure(cast)


def _publish_setup(cast: Any) -> dict[str, Any]:
    found = _draft_with_entry(cast)
    return {"pk": found["pk"]}


def _entry_only(cast: Any) -> dict[str, Any]:
    return {"slug": cast.org.slug, "pk": 0, "entry": 0}


def _commentary_data(cast: Any) -> dict[str, Any]:
    return {"commentary": "Falls are steady; the new mattresses arrive in May."}


def _pk_only(cast: Any) -> dict[str, Any]:
    return {"slug": cast.org.slug, "pk": 0}


def _spare_draft(cast: Any) -> dict[str, Any]:
    return {"pk": make_report(cast.org, _fresh_month(cast)).pk}


def _owned_entry(cast: Any) -> dict[str, Any]:
    return _draft_with_entry(cast)


#: The measure's owner (the cast's member) writes its commentary, as do the QI
#: team and administrators; the project lead owns no measure here.
_OWNER_RULE = {"project_lead": 403}

ROUTES: list[Route] = [
    Route("reports:list", kwargs=_org),
    Route("reports:create", kwargs=_org, writes=(Write(data=_create_data),)),
    Route("reports:detail", kwargs=_published),
    Route("reports:edit", kwargs=_draft, writes=(Write(data=_edit_data),)),
    Route("reports:compose", kwargs=_draft_filled),
    Route(
        "reports:add_entry",
        kwargs=_draft,
        get=False,
        writes=(Write(data=_add_data),),
    ),
    Route(
        "reports:remove_entry",
        kwargs=_entry_only,
        get=False,
        writes=(Write(setup=_spare_entry),),
    ),
    Route(
        "reports:commentary",
        kwargs=_owned_entry,
        get_expect=_OWNER_RULE,
        writes=(Write(data=_commentary_data, setup=_spare_entry, expect=_OWNER_RULE),),
    ),
    Route("reports:preview", kwargs=_draft_filled),
    Route(
        "reports:publish",
        kwargs=_draft,
        writes=(Write(data=lambda cast: {"confirm": "on"}, setup=_publish_setup),),
    ),
    Route(
        "reports:delete",
        kwargs=_pk_only,
        get=False,
        writes=(Write(setup=_spare_draft),),
    ),
]
