"""The django-allauth pages OpenQI uses, under /accounts/ beside its own.

Only these: the MFA pages, confirming the password again before changing MFA,
and the OpenID Connect sign-in with its error pages. allauth's own sign-up,
e-mail and password pages are not served: people join by invitation, and the
password pages are OpenQI's. Its name ``account_login`` (which allauth
redirects to) is OpenQI's sign-in page.
"""

from allauth.account import views as account_views
from allauth.socialaccount import views as social_views
from django.urls import include, path

from . import views

urlpatterns = [
    # The same page as accounts:sign_in, under the name allauth redirects to.
    path("sign-in/", views.sign_in, name="account_login"),
    path(
        "reauthenticate/", account_views.reauthenticate, name="account_reauthenticate"
    ),
    path("inactive/", account_views.account_inactive, name="account_inactive"),
    path("2fa/", include("allauth.mfa.urls")),
    path(
        "3rdparty/login/cancelled/",
        social_views.login_cancelled,
        name="socialaccount_login_cancelled",
    ),
    path(
        "3rdparty/login/error/",
        social_views.login_error,
        name="socialaccount_login_error",
    ),
    path("3rdparty/signup/", social_views.signup, name="socialaccount_signup"),
    path("", include("allauth.socialaccount.providers.openid_connect.urls")),
]
