"""The lint script that keeps views going through the organisation scope."""

from __future__ import annotations

import importlib.util
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "check_view_access.py"
spec = importlib.util.spec_from_file_location("check_view_access", SCRIPT)
assert spec and spec.loader
check_view_access = importlib.util.module_from_spec(spec)
spec.loader.exec_module(check_view_access)


def test_flags_an_unscoped_query(tmp_path: Path) -> None:
    views = tmp_path / "views.py"
    views.write_text("def v(request):\n    return Unit.objects.get(pk=1)\n")
    problems = check_view_access.check(views)
    assert len(problems) == 1 and "Unit.objects used without" in problems[0]


def test_accepts_scoped_queries_and_explained_exceptions(tmp_path: Path) -> None:
    views = tmp_path / "views.py"
    views.write_text(
        "def v(request, org):\n"
        "    a = Unit.objects.for_organisation(org).get(pk=1)\n"
        "    b = Organisation.objects.for_user(request.user)\n"
        "    c = User.objects.filter(pk=1)  # access: the person's own row\n"
    )
    assert check_view_access.check(views) == []


def test_the_code_base_passes() -> None:
    assert check_view_access.main() == 0
