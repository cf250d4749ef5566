"""allauth's passkey forms, refusing a malformed passkey answer instead of failing.

allauth 65.21's parsers catch ``TypeError`` (and ``ValueError`` for sign-in) from
fido2's ``from_dict`` but not the ``KeyError`` a response without ``rawId`` raises,
which became a server error. Every such answer is the same "incorrect code" error
the form gives for a passkey that does not match. Named in ``MFA_FORMS``.
"""

from __future__ import annotations

from typing import Any

from allauth.mfa.adapter import get_adapter
from allauth.mfa.webauthn import forms as webauthn
from django import forms

from openqi.core.forms import SaysWhatToEnter

#: What fido2 raises on a credential of the wrong shape.
MALFORMED = (KeyError, TypeError, ValueError, AttributeError, IndexError)


def _incorrect() -> forms.ValidationError:
    error: forms.ValidationError = get_adapter().validation_error("incorrect_code")
    return error


class AddWebAuthnForm(SaysWhatToEnter, webauthn.AddWebAuthnForm):
    def clean(self) -> dict[str, Any]:
        try:
            return super().clean()
        except MALFORMED as error:
            raise _incorrect() from error


class SignupWebAuthnForm(SaysWhatToEnter, webauthn.SignupWebAuthnForm):
    def clean(self) -> dict[str, Any]:
        try:
            return super().clean()
        except MALFORMED as error:
            raise _incorrect() from error


class AuthenticateWebAuthnForm(SaysWhatToEnter, webauthn.AuthenticateWebAuthnForm):
    def clean_credential(self) -> Any:
        try:
            return super().clean_credential()
        except MALFORMED as error:
            raise _incorrect() from error


class LoginWebAuthnForm(SaysWhatToEnter, webauthn.LoginWebAuthnForm):
    def clean_credential(self) -> Any:
        try:
            return super().clean_credential()
        except MALFORMED as error:
            raise _incorrect() from error


class ReauthenticateWebAuthnForm(SaysWhatToEnter, webauthn.ReauthenticateWebAuthnForm):
    def clean_credential(self) -> Any:
        try:
            return super().clean_credential()
        except MALFORMED as error:
            raise _incorrect() from error
