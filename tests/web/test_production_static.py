"""Pages render with production's static storage, where every static() needs a manifest entry.

With OPENQI_DEBUG=false static files are served from collectstatic's output with
fingerprinted names, and a static() call for a path the manifest does not hold
raises — a 500 on every page that the DEBUG-mode suite never sees.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client, override_settings

from openqi.organisations.models import Role
from tests.factories import make_member, make_organisation

MANIFEST = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Whitenoise's CompressedManifestStaticFilesStorage is this plus compression.
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"
    },
}


@pytest.fixture(scope="module")
def collected(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("staticfiles")
    with override_settings(STATIC_ROOT=root, STORAGES=MANIFEST):
        call_command(
            "collectstatic", interactive=False, verbosity=0, stdout=io.StringIO()
        )
    return root


@pytest.mark.django_db
def test_pages_render_with_the_manifest_storage(collected: Path) -> None:
    organisation = make_organisation(slug="northfield")
    member = make_member(organisation, Role.ADMIN)
    with override_settings(STATIC_ROOT=collected, STORAGES=MANIFEST, DEBUG=False):
        client = Client(raise_request_exception=True)
        assert client.get("/accounts/sign-in/").status_code == 200
        client.force_login(member)
        assert client.get("/organisations/northfield/").status_code == 200
