"""Forms for signing in, passwords, invitations, the profile and API tokens."""

from __future__ import annotations

from typing import Any

from allauth.account import forms as account_forms
from allauth.account.forms import LoginForm
from allauth.mfa.base import forms as mfa_forms
from allauth.mfa.totp import forms as totp_forms
from allauth.mfa.webauthn import forms as webauthn_forms
from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import (
    PasswordChangeForm,
    PasswordResetForm,
    SetPasswordForm,
)

from openqi.core.forms import SaysWhatToEnter

from .models import User

PASSWORD_HINT = (
    "At least 10 characters. Not only numbers, not a common password and not like "
    "your name or e-mail address."
)


class SignInForm(SaysWhatToEnter, LoginForm):
    """allauth's sign-in form (rate limits, lockout, the MFA step) in OpenQI's words."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["login"].label = "E-mail address"
        self.fields["login"].error_messages = {
            "required": "Enter your e-mail address",
            "invalid": "Enter an e-mail address in the right format, like name@example.org",
        }
        self.fields["password"].label = "Password"
        self.fields["password"].help_text = ""
        self.fields["password"].error_messages = {"required": "Enter your password"}

    def clean_login(self) -> str:
        return super().clean_login().lower()


class _NewPasswordMixin:
    """Plain-text hint and clearer labels for Django's new-password fields."""

    fields: dict[str, forms.Field]  # the form's, set by Django's form it is mixed into

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields = self.fields
        fields["new_password1"].label = "New password"
        fields["new_password1"].help_text = PASSWORD_HINT
        fields["new_password2"].label = "Type the new password again"
        fields["new_password2"].help_text = ""
        fields["new_password1"].error_messages["required"] = "Enter a new password"
        fields["new_password2"].error_messages["required"] = (
            "Type the new password again"
        )


class NewPasswordForm(SaysWhatToEnter, _NewPasswordMixin, SetPasswordForm):
    pass


class ChangePasswordForm(SaysWhatToEnter, _NewPasswordMixin, PasswordChangeForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["old_password"].label = "Current password"
        self.fields["old_password"].error_messages["required"] = (
            "Enter your current password"
        )


class NewPersonForm(SaysWhatToEnter, forms.Form):
    """A new person's details when they accept an invitation."""

    full_name = forms.CharField(
        label="Your full name",
        max_length=150,
        error_messages={"required": "Enter your full name"},
    )
    password1 = forms.CharField(
        label="Choose a password",
        strip=False,
        widget=forms.PasswordInput,
        help_text=PASSWORD_HINT,
        error_messages={"required": "Choose a password"},
    )
    password2 = forms.CharField(
        label="Type the password again",
        strip=False,
        widget=forms.PasswordInput,
        error_messages={"required": "Type the password again"},
    )

    def __init__(self, email: str, *args: Any, **kwargs: Any) -> None:
        self.email = email
        super().__init__(*args, **kwargs)

    def clean_password2(self) -> str:
        password1 = self.cleaned_data.get("password1")
        password2 = self.cleaned_data["password2"]
        if password1 and password1 != password2:
            raise forms.ValidationError("The two passwords do not match")
        return password2

    def clean(self) -> dict[str, Any]:
        super().clean()
        password = self.cleaned_data.get("password2")
        if password:
            person = User(
                email=self.email, full_name=self.cleaned_data.get("full_name", "")
            )
            try:
                password_validation.validate_password(password, person)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return self.cleaned_data


class ProfileForm(SaysWhatToEnter, forms.ModelForm):
    class Meta:
        model = User
        fields = ["full_name"]
        labels = {"full_name": "Full name"}
        error_messages = {"full_name": {"required": "Enter your full name"}}


class TokenForm(SaysWhatToEnter, forms.Form):
    name = forms.CharField(
        label="Token name",
        max_length=100,
        help_text="What the token is for, so you can recognise it later. For example, weekly data upload.",
        error_messages={"required": "Enter a name for the token"},
    )


# allauth's and Django's own forms behind OpenQI's pages, saying what to enter
# (named in ACCOUNT_FORMS and MFA_FORMS in openqi/web/settings.py, or by the view).


class PasswordResetRequestForm(SaysWhatToEnter, PasswordResetForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["email"].label = "E-mail address"
        self.fields["email"].error_messages["required"] = "Enter your e-mail address"


class ReauthenticateForm(SaysWhatToEnter, account_forms.ReauthenticateForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["password"].error_messages["required"] = "Enter your password"


class _CodeMessage:
    """The one-time code field's message; the templates label it themselves."""

    fields: dict[str, forms.Field]  # the form's, set by the form it is mixed into
    code_required = "Enter the code"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["code"].error_messages["required"] = self.code_required


class MFAAuthenticateForm(SaysWhatToEnter, _CodeMessage, mfa_forms.AuthenticateForm):
    pass


class MFAReauthenticateForm(
    SaysWhatToEnter, _CodeMessage, mfa_forms.ReauthenticateForm
):
    pass


class ActivateTOTPForm(SaysWhatToEnter, _CodeMessage, totp_forms.ActivateTOTPForm):
    code_required = "Enter the code from the app"


class EditPasskeyForm(SaysWhatToEnter, webauthn_forms.EditWebAuthnForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["name"].error_messages["required"] = "Enter a name for the passkey"
