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
            Write(data=lambda cast: {"login": cast.editor.email, "password": PASSWORD}),
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


def _org(cast: Any) -> dict[str, Any]:
    return {"slug": cast.org.slug}


# Sign-in pages from django-allauth (openqi/accounts/allauth_urls.py), the
# organisation's sign-in rules and its members' sign-in events.
ROUTES += [
    Route("account_login", public=True),
    Route("account_reauthenticate", personal=True),
    Route("account_inactive", public=True),
    Route("mfa_index", personal=True),
    Route("mfa_activate_totp", personal=True, get_ok=(200, 302)),
    # Only with MFA set up (and then only someone mid-sign-in): 302 or 404 otherwise.
    Route("mfa_authenticate", public=True, get_ok=(302,)),
    Route("mfa_reauthenticate", personal=True, get_ok=(302,)),
    Route("mfa_deactivate_totp", personal=True, get_ok=(302, 404)),
    Route("mfa_view_recovery_codes", personal=True, get_ok=(302, 404)),
    Route("mfa_generate_recovery_codes", personal=True, get_ok=(302,)),
    Route("mfa_download_recovery_codes", personal=True, get_ok=(302, 404)),
    # Passkeys (WebAuthn). Adding, renaming and removing one first asks to confirm
    # it is you (302); confirming with a passkey needs one (the editor has none).
    Route("mfa_list_webauthn", personal=True),
    Route("mfa_add_webauthn", personal=True, get_ok=(302,)),
    Route("mfa_reauthenticate_webauthn", personal=True, get_ok=(200, 302)),
    Route(
        "mfa_edit_webauthn",
        personal=True,
        kwargs=lambda cast: {"pk": 1},
        get_ok=(302,),
    ),
    Route(
        "mfa_remove_webauthn",
        personal=True,
        kwargs=lambda cast: {"pk": 1},
        get_ok=(302,),
    ),
    # Signing in with a passkey: the page's script fetches the options as JSON;
    # anyone else is sent to the sign-in page.
    Route("mfa_login_webauthn", public=True, get_ok=(302,)),
    Route("socialaccount_login_cancelled", public=True),
    Route("socialaccount_login_error", public=True, get_ok=(401,)),
    Route("socialaccount_signup", public=True, get_ok=(302,)),
    # No identity provider is configured in the tests: both are 404.
    Route(
        "openid_connect_login",
        public=True,
        kwargs=lambda cast: {"provider_id": "organisation"},
        get_ok=(404,),
    ),
    Route(
        "openid_connect_callback",
        public=True,
        kwargs=lambda cast: {"provider_id": "organisation"},
        get_ok=(404,),
    ),
    Route(
        "organisations:security",
        kwargs=_org,
        manage_only=True,
        writes=(Write(data=lambda cast: {"admins_must_use_mfa": ""}),),
    ),
    Route("audit:sign_ins", kwargs=_org, manage_only=True),
]
