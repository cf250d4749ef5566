"""``openqi demo`` and ``python manage.py demo``: build the demo, print how to sign in."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.test import TestCase

from openqi.accounts.models import User
from openqi.cli import main
from openqi.demo import PASSWORD
from openqi.organisations.models import StaffRecord

REPO = Path(__file__).resolve().parents[2]


class DemoCommandTests(TestCase):
    @pytest.fixture(autouse=True)
    def _capsys(self, capsys: pytest.CaptureFixture[str]) -> None:
        self.capsys = capsys

    def _openqi(self, *argv: str) -> tuple[int, str, str]:
        self.capsys.readouterr()
        status = main(list(argv))
        out, err = self.capsys.readouterr()
        return status, out, err

    def test_openqi_demo_prints_every_sign_in_and_the_password(self) -> None:
        status, out, err = self._openqi("demo")
        self.assertEqual((status, err), (0, ""))
        self.assertIn(f"password: {PASSWORD}", out)
        for email in User.objects.values_list("email", flat=True):
            self.assertIn(email, out)
        self.assertIn(
            "amara.okonkwo-hale@riverside.example.org         Administrator", out
        )
        self.assertIn("QI team", out)
        self.assertIn("Viewer", out)
        self.assertIn("organisation switcher", out)

    def test_openqi_demo_again_says_there_was_nothing_to_create(self) -> None:
        self._openqi("demo")
        status, out, _ = self._openqi("demo")
        self.assertEqual(status, 0)
        self.assertIn("Nothing to create", out)
        self.assertIn(f"password: {PASSWORD}", out)

    def test_openqi_demo_size_large(self) -> None:
        status, out, _ = self._openqi("demo", "--size", "large")
        self.assertEqual(status, 0)
        self.assertIn("12,000 staff records", out)
        self.assertEqual(
            StaffRecord.objects.filter(organisation__slug="riverside").count(), 10_000
        )

    def test_openqi_demo_refuses_an_unknown_size(self) -> None:
        status, _, err = self._openqi("demo", "--size", "huge")
        self.assertEqual(status, 2)
        self.assertIn("invalid choice: 'huge'", err)

    def test_manage_py_demo_prints_the_same(self) -> None:
        out = io.StringIO()
        call_command("demo", stdout=out)
        self.assertIn(f"password: {PASSWORD}", out.getvalue())
        self.assertIn("gideon.wolstenholme@wolds.example.org", out.getvalue())
        self.assertIn("rhiannon.ashworth-pell@eastmere.example.org", out.getvalue())
        self.assertEqual(User.objects.count(), 57)

    def test_manage_py_demo_size_large(self) -> None:
        call_command("demo", size="large", stdout=io.StringIO())
        self.assertEqual(
            StaffRecord.objects.filter(organisation__slug="riverside").count(), 10_000
        )

    def test_manage_py_demo_refuses_an_unknown_size(self) -> None:
        with self.assertRaises(CommandError):
            call_command("demo", size="huge", stdout=io.StringIO())


def _run(args: list[str], database: Path) -> subprocess.CompletedProcess[str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("OPENQI_", "DATABASE_"))
    }
    env |= {
        "DJANGO_SETTINGS_MODULE": "openqi.web.settings",
        "DATABASE_URL": f"sqlite:///{database}",
        "PYTHONPATH": str(REPO),
    }
    return subprocess.run(
        [sys.executable, *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    "args",
    [["-m", "openqi.cli", "demo"], ["manage.py", "demo"]],
    ids=["openqi demo", "manage.py demo"],
)
def test_an_unmigrated_database_says_migrate_first(
    args: list[str], tmp_path: Path
) -> None:
    done = _run(args, tmp_path / "empty.sqlite3")
    assert done.returncode != 0
    assert "run python manage.py migrate first" in done.stderr
    assert "Traceback" not in done.stderr
    assert done.stdout == ""
