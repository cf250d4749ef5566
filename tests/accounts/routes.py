"""Every accounts page, for the access walk (see tests/access.py).

Signing in, password reset and invitations are public; the profile, password
change and API tokens are about the signed-in person only (personal).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.tokens import default_token_generator
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from openqi.accounts.models import ApiToken
from openqi.organisations.models import Invitation, Role
from tests.access import Route, Write
from tests.factories import PASSWORD


def _reset_link(cast: Any) -> dict[str, Any]:
    return {
        "uidb64": urlsafe_base64_encode(force_bytes(cast.editor.pk)),
        "token": default_token_generator.make_token(cast.editor),
    }


def _invitation(cast: Any) -> dict[str, Any]:
    _, raw = Invitation.create(
        organisation=cast.org,
        email="walk.invitee@example.org",
        role=Role.MEMBER,
        invited_by=cast.editor,
    )
    return {"token": raw}


def _editor_token(cast: Any) -> dict[str, Any]:
    token, _ = ApiToken.issue(cast.editor, "walk token")
    return {"pk": token.pk}


ROUTES = [
    Route(
        "accounts:sign_in",
        public=True,
        writes=(
            Write(data=lambda cast: {"email": cast.editor.email, "password": PASSWORD}),
        ),
    ),
    Route("accounts:sign_out", personal=True, get=False, writes=(Write(),)),
    Route(
        "accounts:password_reset",
        public=True,
        writes=(Write(data=lambda cast: {"email": cast.editor.email}),),
    ),
    Route("accounts:password_reset_done", public=True),
    # A valid link hides its token in the session and redirects to itself.
    Route(
        "accounts:password_reset_confirm",
        public=True,
        kwargs=_reset_link,
        get_ok=(200, 302),
    ),
    Route("accounts:password_reset_complete", public=True),
    Route(
        "accounts:invitation",
        public=True,
        kwargs=_invitation,
        writes=(
            Write(
                data=lambda cast: {
                    "full_name": "Wren Walker",
                    "password1": "a-long-unusual-passphrase",
                    "password2": "a-long-unusual-passphrase",
                }
            ),
        ),
    ),
    Route(
        "accounts:profile",
        personal=True,
        writes=(Write(data=lambda cast: {"full_name": "Ada Editor"}),),
    ),
    Route(
        "accounts:password_change",
        personal=True,
        writes=(
            Write(
                data=lambda cast: {
                    "old_password": PASSWORD,
                    "new_password1": "another-long-passphrase",
                    "new_password2": "another-long-passphrase",
                }
            ),
        ),
    ),
    Route(
        "accounts:tokens",
        personal=True,
        writes=(Write(data=lambda cast: {"name": "Uploads"}),),
    ),
    Route(
        "accounts:token_revoke",
        personal=True,
        get=False,
        kwargs=_editor_token,
        writes=(Write(),),
    ),
]
