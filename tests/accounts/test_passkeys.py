"""Passkeys (allauth.mfa WebAuthn): the pages render in OpenQI's NHS.UK style, with
allauth's scripts as static files and their data in JSON blocks (no inline script).
The ceremony itself needs a browser: tests/browser/test_passkey_journey.py."""

from __future__ import annotations

import json
import re
from typing import Any

from allauth.account.utils import user_pk_to_url_str
from allauth.mfa.models import Authenticator
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from django.conf import settings
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from fido2 import cbor
from fido2.cose import ES256
from fido2.utils import sha256, websafe_encode

from tests.base import BaseTestCase
from tests.web.test_content_security_policy import inline_code

SIGN_IN = reverse("accounts:sign_in")


CREDENTIAL_ID = b"openqi-test-passkey"
#: Browsers, and the fido2 library, allow passkeys over plain HTTP on localhost only.
HOST = "localhost"
ORIGIN = f"http://{HOST}"


def _registration(key: ec.EllipticCurvePrivateKey) -> dict[str, Any]:
    """What a browser posts when it creates a passkey for localhost ("none"
    attestation: flags user present, verified, attested credential data)."""
    public_key = cbor.encode(ES256.from_cryptography_key(key.public_key()))
    auth_data = (
        sha256(HOST.encode())
        + bytes([0x45])
        + bytes(4)
        + bytes(16)
        + len(CREDENTIAL_ID).to_bytes(2, "big")
        + CREDENTIAL_ID
        + public_key
    )
    client_data = {
        "type": "webauthn.create",
        "challenge": "AAAA",
        "origin": ORIGIN,
    }
    return {
        "id": websafe_encode(CREDENTIAL_ID),
        "rawId": websafe_encode(CREDENTIAL_ID),
        "type": "public-key",
        "response": {
            "clientDataJSON": websafe_encode(json.dumps(client_data).encode()),
            "attestationObject": websafe_encode(
                cbor.encode({"fmt": "none", "attStmt": {}, "authData": auth_data})
            ),
        },
        "clientExtensionResults": {"credProps": {"rk": True}},
    }


def _assertion(
    key: ec.EllipticCurvePrivateKey, challenge: str, user: Any
) -> dict[str, Any]:
    """What a browser posts when it signs in with the passkey ``CREDENTIAL_ID``."""
    auth_data = sha256(HOST.encode()) + bytes([0x05]) + (1).to_bytes(4, "big")
    client_data = json.dumps(
        {"type": "webauthn.get", "challenge": challenge, "origin": ORIGIN}
    ).encode()
    signature = key.sign(auth_data + sha256(client_data), ec.ECDSA(hashes.SHA256()))
    return {
        "id": websafe_encode(CREDENTIAL_ID),
        "rawId": websafe_encode(CREDENTIAL_ID),
        "type": "public-key",
        "response": {
            "clientDataJSON": websafe_encode(client_data),
            "authenticatorData": websafe_encode(auth_data),
            "signature": websafe_encode(signature),
            # allauth's user handle: the pk in base 36 ("a" for 10), as a browser
            # hands back what allauth gave it at registration.
            "userHandle": websafe_encode(user_pk_to_url_str(user).encode()),
        },
        "clientExtensionResults": {},
    }


def _passkey(  # type: ignore[no-untyped-def]
    user, name: str = "Work laptop", key: ec.EllipticCurvePrivateKey | None = None
) -> Authenticator:
    """A passkey as allauth stores one, made with ``key`` (a new one if not given)."""
    credential = _registration(key or ec.generate_private_key(ec.SECP256R1()))
    return Authenticator.objects.create(
        user=user,
        type=Authenticator.Type.WEBAUTHN,
        data={"name": name, "credential": credential},
    )


def _json_block(html: str, id_: str) -> dict:  # type: ignore[type-arg]
    found = re.search(
        rf'<script type="application/json" id="{id_}">(.*?)</script>', html, re.S
    )
    assert found, f"no JSON block {id_}"
    return json.loads(found.group(1))  # type: ignore[no-any-return]


class PasskeySettingsTests(BaseTestCase):
    def test_passkeys_are_on_without_trusting_insecure_origins(self) -> None:
        self.assertIn("webauthn", settings.MFA_SUPPORTED_TYPES)
        self.assertTrue(settings.MFA_PASSKEY_LOGIN_ENABLED)
        self.assertFalse(getattr(settings, "MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN", False))


class PasskeyPagesTests(BaseTestCase):
    def setUp(self) -> None:
        cache.clear()
        self.client.defaults["HTTP_HOST"] = HOST

    def _confirm_password(self) -> None:
        self.client.post(reverse("account_reauthenticate"), {"password": self.password})

    def assert_no_inline_code(self, response) -> None:  # type: ignore[no-untyped-def]
        self.assertEqual(inline_code(response.content.decode()), [])

    def test_anonymous_people_are_sent_to_sign_in(self) -> None:
        passkey = _passkey(self.editor)
        anonymous = Client()
        for url in (
            reverse("mfa_list_webauthn"),
            reverse("mfa_add_webauthn"),
            reverse("mfa_reauthenticate_webauthn"),
            reverse("mfa_edit_webauthn", kwargs={"pk": passkey.pk}),
            reverse("mfa_remove_webauthn", kwargs={"pk": passkey.pk}),
        ):
            response = anonymous.get(url)
            self.assertEqual(response.status_code, 302, url)
            self.assertTrue(response["Location"].startswith(SIGN_IN), url)

    def test_adding_a_passkey_asks_to_confirm_the_password_first(self) -> None:
        self.sign_in(self.viewer)
        response = self.client.get(reverse("mfa_add_webauthn"))
        self.assertEqual(response.status_code, 302)
        self.assertIn(reverse("account_reauthenticate"), response["Location"])

    def test_the_add_page_hands_allauths_script_its_options_as_json(self) -> None:
        self.sign_in(self.viewer)
        self._confirm_password()
        response = self.client.get(reverse("mfa_add_webauthn"))
        self.assertContains(response, "<h1>Add a passkey</h1>", html=True)
        self.assertContains(response, "/static/mfa/js/webauthn.js")
        self.assertContains(response, "/static/account/js/onload.js")
        html = response.content.decode()
        options = _json_block(html, "js_data")["creation_options"]["publicKey"]
        self.assertEqual(options["rp"]["id"], HOST)
        self.assertEqual(options["user"]["name"], self.viewer.email)
        self.assertIn('data-allauth-onload="allauth.webauthn.forms.addForm"', html)
        self.assert_no_inline_code(response)

    def test_the_list_shows_each_passkey_with_rename_and_remove(self) -> None:
        passkey = _passkey(self.viewer)
        _passkey(self.editor, name="Someone else's")
        self.sign_in(self.viewer)
        response = self.client.get(reverse("mfa_list_webauthn"))
        self.assertContains(response, "Your passkeys")
        self.assertContains(response, "Work laptop")
        self.assertContains(response, "Passkey: signs in on its own")
        self.assertNotContains(response, "Someone else")
        self.assertContains(
            response, reverse("mfa_remove_webauthn", kwargs={"pk": passkey.pk})
        )
        self.assert_no_inline_code(response)

    def test_someone_else_s_passkey_cannot_be_removed(self) -> None:
        theirs = _passkey(self.editor)
        self.sign_in(self.viewer)
        self._confirm_password()
        url = reverse("mfa_remove_webauthn", kwargs={"pk": theirs.pk})
        self.assertEqual(self.client.get(url).status_code, 404)
        self.assertEqual(self.client.post(url).status_code, 404)
        self.assertTrue(Authenticator.objects.filter(pk=theirs.pk).exists())

    def test_a_passkey_is_renamed_and_removed(self) -> None:
        passkey = _passkey(self.viewer)
        self.sign_in(self.viewer)
        self._confirm_password()
        edit = reverse("mfa_edit_webauthn", kwargs={"pk": passkey.pk})
        self.assertContains(self.client.get(edit), "Rename a passkey")
        self.client.post(edit, {"name": "Phone"})
        passkey.refresh_from_db()
        self.assertEqual(passkey.data["name"], "Phone")
        remove = reverse("mfa_remove_webauthn", kwargs={"pk": passkey.pk})
        page = self.client.get(remove)
        self.assertContains(page, "Remove the passkey “Phone”")
        self.assert_no_inline_code(page)
        response = self.client.post(remove)
        self.assertEqual(response.status_code, 302)
        self.assertFalse(Authenticator.objects.filter(pk=passkey.pk).exists())

    def test_the_profile_and_mfa_page_show_passkeys_beside_the_app(self) -> None:
        _passkey(self.viewer)
        self.sign_in(self.viewer)
        profile = self.client.get(reverse("accounts:profile"))
        self.assertContains(profile, "Passkeys")
        self.assertContains(profile, "1 added")
        self.assertContains(profile, reverse("mfa_list_webauthn"))
        index = self.client.get(reverse("mfa_index"))
        self.assertContains(index, "Authenticator app")
        self.assertContains(index, "You have added 1 passkey.")

    def test_confirming_it_is_you_offers_the_passkey(self) -> None:
        _passkey(self.viewer)
        self.sign_in(self.viewer)
        page = self.client.get(reverse("account_reauthenticate"))
        self.assertContains(page, reverse("mfa_reauthenticate_webauthn"))
        response = self.client.get(reverse("mfa_reauthenticate_webauthn"))
        self.assertContains(response, "Use your passkey")
        self.assertIn(
            "request_options", _json_block(response.content.decode(), "js_data")
        )
        self.assert_no_inline_code(response)


class PasskeySignInTests(BaseTestCase):
    def setUp(self) -> None:
        cache.clear()
        self.client.defaults["HTTP_HOST"] = HOST

    def test_the_sign_in_page_offers_a_passkey_only_with_javascript(self) -> None:
        response = self.client.get(SIGN_IN)
        html = response.content.decode()
        self.assertRegex(html, r"<div data-passkeys hidden>")
        self.assertIn(f'action="{reverse("mfa_login_webauthn")}"', html)
        self.assertIn('data-allauth-onload="allauth.webauthn.forms.loginForm"', html)
        self.assertEqual(inline_code(html), [])

    def test_passkey_sign_in_options_come_as_json_to_the_page_s_script(self) -> None:
        response = self.client.get(
            reverse("mfa_login_webauthn"), headers={"Accept": "application/json"}
        )
        self.assertEqual(response.status_code, 200)
        self.assertIn("challenge", response.json()["request_options"]["publicKey"])
        # Without the script's Accept header: back to the sign-in page.
        response = self.client.get(reverse("mfa_login_webauthn"))
        self.assertRedirects(response, SIGN_IN, fetch_redirect_response=False)

    def _challenge(self) -> str:
        options = self.client.get(
            reverse("mfa_login_webauthn"), headers={"Accept": "application/json"}
        ).json()
        return options["request_options"]["publicKey"]["challenge"]  # type: ignore[no-any-return]

    def test_a_passkey_signs_in_on_its_own(self) -> None:
        key = ec.generate_private_key(ec.SECP256R1())
        _passkey(self.editor, key=key)
        credential = _assertion(key, self._challenge(), self.editor)
        response = self.client.post(
            reverse("mfa_login_webauthn"), {"credential": json.dumps(credential)}
        )
        self.assertRedirects(
            response, reverse("core:home"), fetch_redirect_response=False
        )
        self.assertEqual(int(self.client.session["_auth_user_id"]), self.editor.pk)

    def test_a_passkey_signed_by_another_key_signs_no_one_in(self) -> None:
        _passkey(self.editor)
        other_key = ec.generate_private_key(ec.SECP256R1())
        credential = _assertion(other_key, self._challenge(), self.editor)
        response = self.client.post(
            reverse("mfa_login_webauthn"), {"credential": json.dumps(credential)}
        )
        self.assertRedirects(response, SIGN_IN, fetch_redirect_response=False)
        self.assertNotIn("_auth_user_id", self.client.session)

    def test_a_malformed_passkey_answer_signs_no_one_in_and_is_no_server_error(
        self,
    ) -> None:
        key = ec.generate_private_key(ec.SECP256R1())
        _passkey(self.editor, key=key)
        good = _assertion(key, self._challenge(), self.editor)
        malformed = [
            {k: v for k, v in good.items() if k != "rawId"},
            {**good, "response": {}},
            {**good, "response": "not an object"},
            [],
            "text",
        ]
        for credential in malformed:
            with self.subTest(credential=str(credential)[:60]):
                self._challenge()
                response = self.client.post(
                    reverse("mfa_login_webauthn"),
                    {"credential": json.dumps(credential)},
                )
                self.assertLess(response.status_code, 500)
                self.assertNotIn("_auth_user_id", self.client.session)

    def test_a_person_with_only_a_passkey_is_asked_for_it_after_the_password(
        self,
    ) -> None:
        _passkey(self.editor)
        response = self.client.post(
            SIGN_IN, {"login": self.editor.email, "password": self.password}
        )
        self.assertRedirects(
            response, reverse("mfa_authenticate"), fetch_redirect_response=False
        )
        self.assertNotIn("_auth_user_id", self.client.session)
        page = self.client.get(reverse("mfa_authenticate"))
        self.assertContains(page, "<h1>Use your passkey</h1>", html=True)
        self.assertContains(page, "Or enter a recovery code")
        html = page.content.decode()
        self.assertIn("request_options", _json_block(html, "js_data"))
        self.assertEqual(inline_code(html), [])

    def test_the_passkey_is_the_second_factor_after_the_password(self) -> None:
        key = ec.generate_private_key(ec.SECP256R1())
        _passkey(self.editor, key=key)
        self.client.post(
            SIGN_IN, {"login": self.editor.email, "password": self.password}
        )
        page = self.client.get(reverse("mfa_authenticate"))
        options = _json_block(page.content.decode(), "js_data")["request_options"]
        credential = _assertion(key, options["publicKey"]["challenge"], self.editor)
        response = self.client.post(
            reverse("mfa_authenticate"), {"credential": json.dumps(credential)}
        )
        self.assertEqual(response.status_code, 302)
        self.assertEqual(int(self.client.session["_auth_user_id"]), self.editor.pk)
