"""Every page, crawled: at 320 px wide (the reflow width of WCAG 1.4.10: a
1,280 px screen at 400% zoom) and at 390 px (a phone held upright) no page
scrolls sideways — wide tables, charts and diagrams scroll inside their own
labelled container instead — and axe-core finds nothing, of any impact, at
320 px nor on a desktop-sized window.

The pages come from the URL patterns: every page route declared for the access
walk (tests/<app>/routes*.py) is visited with its sample arguments, so a new page
is covered without touching this file. The demo organisation fills the lists
(portfolio, matrix, measures, audit log), and the pages about one object show
the demo's fullest one (the longest series, the biggest driver diagram, the
assessment round with the most responses).
"""

from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

from django.db.models import Count, Max
from django.db.models.functions import Length
from django.urls import reverse
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page, expect

from openqi.accounts.models import ApiToken, User
from openqi.assessments.models import AssessmentRound
from openqi.audit.models import AuditEvent
from openqi.barriers.models import Barrier
from openqi.benchmark.models import Benchmark
from openqi.demo import PASSWORD, build_demo
from openqi.improvement.models import PDSACycle
from openqi.measures.models import Measure
from openqi.organisations.models import Invitation, Organisation, Role, Unit
from openqi.projects.models import Project
from openqi.reports.models import BoardReport
from tests.access import Route
from tests.browser.helpers import (
    ALL_IMPACTS,
    DESKTOP,
    HEIGHT,
    PHONE,
    REFLOW,
    axe_violations,
    resize,
    scrolls_sideways,
    sign_in,
)
from tests.test_access_walk import ROUTES, url_patterns

ADMIN = "amara.okonkwo-hale@riverside.example.org"
VIEWER = "arthur.pennycott@riverside.example.org"
OUTSIDER = "gideon.wolstenholme@wolds.example.org"

#: Routes that answer with something other than a page to look at.
NOT_PAGES = {
    "core:healthz",
    # Steps of a sign-in flow (django-allauth) that answer a page only mid-flow
    # or once MFA or an identity provider is set up: redirects or 404 here.
    "mfa_authenticate",
    "mfa_deactivate_totp",
    "mfa_view_recovery_codes",
    "mfa_download_recovery_codes",
    # Passkey sign-in: the sign-in page's script fetches its options as JSON;
    # opened as a page it goes back to sign in (the sign-in page is checked).
    "mfa_login_webauthn",
    "socialaccount_login_error",
    "socialaccount_signup",
    "openid_connect_login",
    "openid_connect_callback",
}


def _cast(organisation: Organisation) -> SimpleNamespace:
    """The access walk's cast (tests/base.py), played by the demo's people."""
    units = {u.name: u for u in Unit.objects.filter(organisation=organisation)}
    return SimpleNamespace(
        org=organisation,
        other_org=Organisation.objects.get(slug="wolds"),
        division=units["Medicine"],
        directorate=units["Emergency care"],
        team=units["Emergency department"],
        editor=User.objects.get(email=ADMIN),
        viewer=User.objects.get(email=VIEWER),
        outsider=User.objects.get(email=OUTSIDER),
    )


def _fullest(organisation: Organisation) -> dict[str, Callable[[], dict[str, Any]]]:
    """For the pages about one object, the demo's fullest object (as URL kwargs)."""
    slug = organisation.slug
    projects = Project.objects.filter(organisation=organisation)

    def measure() -> dict[str, Any]:
        pk = (
            Measure.objects.filter(organisation=organisation)
            .annotate(n=Count("points"))
            .order_by("-n", "pk")
            .values_list("pk", flat=True)
            .first()
        )
        return {"slug": slug, "pk": pk}

    def driver_project() -> dict[str, Any]:
        pk = projects.annotate(n=Count("driver_nodes")).order_by("-n", "pk").first()
        return {"slug": slug, "pk": pk.pk}

    def cycle_project() -> dict[str, Any]:
        pk = projects.annotate(n=Count("cycles")).order_by("-n", "pk").first()
        return {"slug": slug, "pk": pk.pk}

    def cycle() -> dict[str, Any]:
        found = (
            PDSACycle.objects.filter(project__organisation=organisation)
            .annotate(n=Length("plan"))
            .order_by("-n", "pk")
            .first()
        )
        return {"slug": slug, "pk": found.project_id, "cycle_pk": found.pk}

    def round_() -> dict[str, Any]:
        found = (
            AssessmentRound.objects.filter(organisation=organisation)
            .annotate(n=Count("responses"))
            .order_by("-n", "pk")
            .first()
        )
        return {"slug": slug, "pk": found.pk}

    def barrier() -> dict[str, Any]:
        found = (
            Barrier.objects.filter(organisation=organisation)
            .annotate(n=Length("description"))
            .order_by("-n", "pk")
            .first()
        )
        return {"slug": slug, "pk": found.pk}

    def event() -> dict[str, Any]:
        newest = AuditEvent.objects.filter(organisation=organisation).aggregate(
            pk=Max("pk")
        )
        return {"slug": slug, "pk": newest["pk"]}

    def board_report() -> dict[str, Any]:
        latest = BoardReport.objects.filter(organisation=organisation).first()
        assert latest is not None, "the demo has no board report"
        return {"slug": slug, "pk": latest.pk}

    def national_benchmark() -> dict[str, Any]:
        found = Benchmark.objects.get(key="ae-4-hour")
        return {"slug": slug, "pk": found.pk}

    def national_participant() -> dict[str, Any]:
        found = Benchmark.objects.get(key="ae-4-hour")
        pk = found.participants.get(code="RJZ").pk
        return {"slug": slug, "pk": found.pk, "participant": pk}

    return {
        "reports:detail": board_report,
        "benchmark:detail": national_benchmark,
        "benchmark:participant": national_participant,
        "measures:detail": measure,
        "projects:detail": driver_project,
        "improvement:drivers": driver_project,
        "improvement:cycles": cycle_project,
        "improvement:cycle_detail": cycle,
        "assessments:round_detail": round_,
        "assessments:links": round_,
        "assessments:results": round_,
        "barriers:detail": barrier,
        "audit:event": event,
    }


def _pages(cast: SimpleNamespace) -> tuple[dict[str, str], dict[str, str]]:
    """Every page route as (anonymous pages, signed-in pages): name → URL."""
    declared = {route.name: route for route in ROUTES}
    fullest = _fullest(cast.org)
    anonymous: dict[str, str] = {}
    signed_in: dict[str, str] = {}
    for pattern in url_patterns():
        route: Route | None = declared.get(pattern.name or "")
        if route is None or route.is_api or not route.get or route.name in NOT_PAGES:
            continue
        kwargs = fullest[route.name]() if route.name in fullest else route.kwargs(cast)
        url = reverse(route.name, kwargs=kwargs)
        (anonymous if route.public else signed_in)[route.name] = url
    signed_in["page not found"] = "/organisations/no-such-organisation/"
    return anonymous, signed_in


def _open(page: Page, name: str, url: str) -> tuple[bool, str | None]:
    """Open the page: (whether it is a page to look at, why it could not be
    checked or None)."""
    try:
        response = page.goto(url)
    except PlaywrightError as error:
        if "Download is starting" in str(error):
            return False, None  # a file to save (CSV, JSON, SVG), not a page
        raise
    if "text/html" not in (page.evaluate("document.contentType") or ""):
        return False, None
    expected = 404 if name == "page not found" else 200
    if response is None or response.status != expected:
        status = response.status if response else "nothing"
        return False, f"{name} ({url}) answered {status}, not {expected}: not checked"
    sign_in_path = reverse("accounts:sign_in")
    if sign_in_path in page.url and not url.startswith(sign_in_path):
        return False, f"{name} ({url}) sent the person to sign in: not checked"
    return True, None


def _problems(page: Page, name: str, url: str) -> list[str]:
    """What is wrong with the page at each width: sideways scrolling at 320 and
    390 px, axe-core's violations at 320 and 1,280 px."""
    what = f"{name} ({url})"
    resize(page, REFLOW, HEIGHT)
    is_page, problem = _open(page, name, url)
    if not is_page:
        return [problem] if problem else []
    found = axe_violations(page, f"{what} at {REFLOW} px", ALL_IMPACTS)
    for width in (REFLOW, PHONE):
        resize(page, width, HEIGHT)
        if problem := scrolls_sideways(page, what):
            found.append(problem)
    resize(page, DESKTOP, HEIGHT)
    found += axe_violations(page, f"{what} at {DESKTOP} px", ALL_IMPACTS)
    return found


def test_every_page_reflows_and_axe_finds_nothing(page: Page) -> None:
    build_demo()
    riverside = Organisation.objects.get(slug="riverside")
    cast = _cast(riverside)
    # The demo has neither: the invitations and API tokens pages list one each.
    Invitation.create(
        organisation=riverside,
        email="a.very.long.address.for.an.invited.colleague@riverside.example.org",
        role=Role.MEMBER,
        invited_by=cast.editor,
    )
    ApiToken.issue(cast.editor, "Nightly upload from the data warehouse")
    anonymous, signed_in = _pages(cast)
    problems = [
        problem
        for name, url in anonymous.items()
        for problem in _problems(page, name, url)
    ]
    sign_in(page, ADMIN, PASSWORD)
    problems += [
        problem
        for name, url in signed_in.items()
        for problem in _problems(page, name, url)
    ]
    # A new token is one long word, shown once after the form posts.
    page.goto(reverse("accounts:tokens"))
    page.get_by_label("Token name").fill("Board report upload")
    page.get_by_role("button", name="Create token").click()
    expect(page.locator("#new-token")).to_be_visible()
    for width in (REFLOW, PHONE):
        resize(page, width, HEIGHT)
        if problem := scrolls_sideways(page, "the new API token"):
            problems.append(problem)
    problems += axe_violations(page, "the new API token", ALL_IMPACTS)

    checked = len(anonymous) + len(signed_in) + 1
    assert not problems, (
        f"{len(problems)} problems in {checked} pages (sideways scrolling at "
        f"{REFLOW} or {PHONE} px, axe-core at {REFLOW} or {DESKTOP} px, or not "
        "checked):\n" + "\n".join(problems)
    )
    assert checked > 60, f"only {checked} pages found to check"
