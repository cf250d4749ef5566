"""People who sign in, and their personal API tokens."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.utils import timezone

from openqi.core.tokens import new_token, token_hash


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(
        self, email: str, password: str | None = None, **extra: Any
    ) -> User:
        if not email:
            raise ValueError("a user needs an e-mail address")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(
        self, email: str, password: str | None = None, **extra: Any
    ) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person, signed in by e-mail address. Their organisations come from memberships."""

    email = models.EmailField("e-mail address", unique=True)
    full_name = models.CharField(max_length=150)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        ordering = ["full_name", "email"]

    def __str__(self) -> str:
        return self.full_name or self.email

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Django sets _password only when the password itself is set anew
        # (changed, reset, or by an administrator), not when a hash is upgraded.
        is_new_password = (
            getattr(self, "_password", None) is not None and not self._state.adding
        )
        super().save(*args, **kwargs)
        if is_new_password:
            self.revoke_api_tokens(reason="password changed")

    def revoke_api_tokens(self, *, reason: str) -> int:
        """Revoke every active API token: a script that used the old password's
        session-free access must be given a new token. Returns how many."""
        from openqi.audit.signins import record_sign_in_event

        count = (
            ApiToken.objects.active()
            .filter(user=self)
            .update(revoked_at=timezone.now())
        )
        self.revoked_token_count = count
        record_sign_in_event(
            None,
            "password_changed",
            user=self,
            detail=f"{reason}; {count} API token{'s' if count != 1 else ''} revoked",
        )
        return count

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    def active(self) -> ApiTokenQuerySet:
        now = timezone.now()
        return self.filter(revoked_at__isnull=True).filter(
            models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=now)
        )


class ApiToken(models.Model):
    """A personal token for scripts: ``Authorization: Bearer oqi_…``.

    Only a SHA-256 hash is stored; the token itself is shown once, when issued.
    """

    PREFIX = "oqi_"
    #: ``last_used_at`` is written at most this often, so a script's reads do not
    #: each take the write lock (SQLite has one for the whole database) to record it.
    LAST_USED_PRECISION = timedelta(minutes=1)

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    hint = models.CharField(max_length=12, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.hint}…)"

    @classmethod
    def issue(
        cls, user: User, name: str, expires_at: Any = None
    ) -> tuple[ApiToken, str]:
        """Create a token; returns it with the raw secret, which is not stored."""
        raw = new_token(cls.PREFIX)
        token = cls.objects.create(
            user=user,
            name=name,
            key_hash=token_hash(raw),
            hint=raw[:10],
            expires_at=expires_at,
        )
        return token, raw

    @classmethod
    def user_for(cls, raw: str) -> User | None:
        """The active user a raw token belongs to, recording its use; else None."""
        if not raw.startswith(cls.PREFIX):
            return None
        token = (
            cls.objects.active()
            .select_related("user")
            .filter(key_hash=token_hash(raw))
            .first()
        )
        if token is None or not token.user.is_active:
            return None
        now = timezone.now()
        stale = now - cls.LAST_USED_PRECISION
        if token.last_used_at is None or token.last_used_at <= stale:
            # The condition again in SQL, so of several requests racing here one writes.
            cls.objects.filter(pk=token.pk).filter(
                models.Q(last_used_at__isnull=True) | models.Q(last_used_at__lte=stale)
            ).update(last_used_at=now)
        return token.user

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and (
            self.expires_at is None or self.expires_at > timezone.now()
        )
