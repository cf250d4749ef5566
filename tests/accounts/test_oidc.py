"""Signing in through an OpenID Connect identity provider, end to end.

The provider is a small standards-following one run by the test on 127.0.0.1
(discovery, authorisation, token, user-info and JWKS endpoints, PKCE, ID tokens
signed with a real RSA key), so allauth's whole authorisation-code flow runs:
nothing in allauth is mocked.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from django.conf import settings
from django.test import override_settings
from django.urls import reverse

from openqi.accounts.models import User
from openqi.audit.models import SignInEvent
from openqi.organisations.models import Invitation, Membership, Role
from tests.base import BaseTestCase

CLIENT_ID = "openqi-test-client"
CLIENT_SECRET = "a-test-secret"


class _Provider:
    """The identity provider: one person signs in, whoever the test says."""

    def __init__(self) -> None:
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.person: dict[str, Any] = {}
        self.codes: dict[str, dict[str, str]] = {}
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _json(self, body: Any, status: int = 200) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                url = urlsplit(self.path)
                query = {k: v[0] for k, v in parse_qs(url.query).items()}
                if url.path == "/.well-known/openid-configuration":
                    self._json(provider.discovery())
                elif url.path == "/jwks":
                    jwk = json.loads(
                        jwt.algorithms.RSAAlgorithm.to_jwk(provider.key.public_key())
                    )
                    self._json(
                        {"keys": [{**jwk, "kid": "k1", "use": "sig", "alg": "RS256"}]}
                    )
                elif url.path == "/authorize":
                    code = secrets.token_urlsafe(16)
                    provider.codes[code] = query
                    self.send_response(302)
                    target = (
                        query["redirect_uri"]
                        + "?"
                        + urlencode({"code": code, "state": query["state"]})
                    )
                    self.send_header("Location", target)
                    self.end_headers()
                elif url.path == "/userinfo":
                    if self.headers.get("Authorization") != "Bearer access-for-test":
                        self._json({"error": "invalid_token"}, 401)
                    else:
                        self._json(provider.person)
                else:
                    self._json({"error": "not_found"}, 404)

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                form = {
                    k: v[0]
                    for k, v in parse_qs(self.rfile.read(length).decode()).items()
                }
                request = provider.codes.pop(form.get("code", ""), None)
                verifier = form.get("code_verifier", "")
                challenge = (
                    base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
                    .rstrip(b"=")
                    .decode()
                )
                if (
                    request is None
                    or form.get("client_id") != CLIENT_ID
                    or form.get("client_secret") != CLIENT_SECRET
                    or request.get("code_challenge") != challenge
                ):
                    self._json({"error": "invalid_grant"}, 400)
                    return
                now = int(time.time())
                claims = {
                    **provider.person,
                    "iss": provider.issuer,
                    "aud": CLIENT_ID,
                    "iat": now,
                    "exp": now + 300,
                    "nonce": request.get("nonce", ""),
                }
                id_token = jwt.encode(
                    claims, provider.key, algorithm="RS256", headers={"kid": "k1"}
                )
                self._json(
                    {
                        "access_token": "access-for-test",
                        "token_type": "Bearer",
                        "expires_in": 300,
                        "id_token": id_token,
                    }
                )

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.issuer = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def discovery(self) -> dict[str, Any]:
        return {
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token",
            "userinfo_endpoint": f"{self.issuer}/userinfo",
            "jwks_uri": f"{self.issuer}/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "token_endpoint_auth_methods_supported": ["client_secret_post"],
            "code_challenge_methods_supported": ["S256"],
        }


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


class OpenIdConnectSignInTests(BaseTestCase):
    @classmethod
    def setUpClass(cls) -> None:
        super().setUpClass()
        cls.provider = _Provider()
        cls.provider.thread.start()

    @classmethod
    def tearDownClass(cls) -> None:
        cls.provider.server.shutdown()
        cls.provider.server.server_close()
        super().tearDownClass()

    def setUp(self) -> None:
        providers = {
            "openid_connect": {
                **settings.SOCIALACCOUNT_PROVIDERS["openid_connect"],
                "APPS": [
                    {
                        "provider_id": "organisation",
                        "name": "Northfield account",
                        "client_id": CLIENT_ID,
                        "secret": CLIENT_SECRET,
                        "settings": {"server_url": self.provider.issuer},
                    }
                ],
            }
        }
        overrides = override_settings(SOCIALACCOUNT_PROVIDERS=providers)
        overrides.enable()
        self.addCleanup(overrides.disable)

    def _sign_in_at_provider(self, email: str, name: str = "Pat Provider", **data: str):  # type: ignore[no-untyped-def]
        self.provider.person = {"sub": f"sub-{email}", "email": email, "name": name}
        start = self.client.post(
            reverse("openid_connect_login", kwargs={"provider_id": "organisation"}),
            data,
        )
        self.assertEqual(start.status_code, 302)
        self.assertTrue(
            start["Location"].startswith(self.provider.issuer + "/authorize?")
        )
        opener = urllib.request.build_opener(_NoRedirect)
        try:
            opener.open(start["Location"])
            raise AssertionError("the provider did not redirect back")
        except urllib.error.HTTPError as answer:
            back = urlsplit(answer.headers["Location"])
        self.assertEqual(back.path, "/accounts/oidc/organisation/login/callback/")
        return self.client.get(back.path + "?" + back.query)

    def test_sign_in_page_offers_the_identity_provider(self) -> None:
        response = self.client.get(reverse("accounts:sign_in"))
        self.assertContains(response, "Sign in with Northfield account")

    def test_existing_person_signs_in_through_the_provider(self) -> None:
        response = self._sign_in_at_provider(self.viewer.email)
        self.assertEqual(response.status_code, 302)
        self.assertEqual(int(self.client.session["_auth_user_id"]), self.viewer.pk)
        self.assertTrue(
            SignInEvent.objects.filter(user=self.viewer, kind="signed_in").exists()
        )

    def test_address_without_an_account_or_invitation_is_turned_away(self) -> None:
        response = self._sign_in_at_provider("stranger@example.org")
        self.assertContains(
            response,
            "No OpenQI account for this address",
            status_code=response.status_code,
        )
        self.assertNotIn("_auth_user_id", self.client.session)
        self.assertFalse(User.objects.filter(email="stranger@example.org").exists())

    def test_invited_person_gets_an_account_and_accepts_the_invitation(self) -> None:
        _, raw = Invitation.create(
            organisation=self.org,
            email="new.starter@example.org",
            role=Role.MEMBER,
            invited_by=self.editor,
        )
        invitation_url = reverse("accounts:invitation", kwargs={"token": raw})
        response = self._sign_in_at_provider(
            "New.Starter@example.org", name="Nia Starter", next=invitation_url
        )
        self.assertRedirects(response, invitation_url, fetch_redirect_response=False)
        user = User.objects.get(email="new.starter@example.org")
        self.assertEqual(user.full_name, "Nia Starter")
        self.assertFalse(user.has_usable_password())
        self.client.post(invitation_url)
        self.assertTrue(
            Membership.objects.filter(user=user, organisation=self.org).exists()
        )

    def test_administrator_signed_in_through_the_provider_is_not_asked_for_openqi_mfa(
        self,
    ) -> None:
        self.org.admins_must_use_mfa = True
        self.org.save()
        self._sign_in_at_provider(self.editor.email)
        response = self.client.get(
            reverse("organisations:detail", kwargs={"slug": "northfield"})
        )
        self.assertEqual(response.status_code, 200)
