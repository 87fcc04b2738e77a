from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from rainforest.accounts.choices import OrganisationKind, Role
from rainforest.accounts.validators import validate_uscc


class Organisation(models.Model):
    """Any body that takes part: enterprise, department, carrier, fund..."""

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=32, choices=OrganisationKind.choices)
    uscc = models.CharField(_("unified social credit code"), max_length=18, unique=True, validators=[validate_uscc])
    district = models.CharField(_("district"), max_length=50, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]
        indexes = [models.Index(fields=["kind", "district"])]

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    """A person. Rights come only from memberships, never from is_staff or is_superuser."""

    display_name = models.CharField(_("display name"), max_length=100, blank=True)
    password_changed_at = models.DateTimeField(_("password changed at"), null=True, blank=True)
    must_change_password = models.BooleanField(_("must change the password at next sign-in"), default=False)
    failed_logins = models.PositiveIntegerField(default=0, editable=False)
    locked_until = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.display_name or self.username


class Membership(models.Model):
    """One role a user holds in one organisation."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [models.UniqueConstraint(fields=["user", "organisation", "role"], name="unique_membership")]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.organisation}"


class PasswordHistory(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="password_history")
    password = models.CharField(max_length=128)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.user} {self.created_at:%Y-%m-%d}"


class SecurityPolicy(models.Model):
    """The one security policy, kept by the security administrator.

    Floors follow MLPS 2.0 level 3: a policy may be stricter than the defaults, never laxer.
    """

    min_length = models.PositiveSmallIntegerField(
        _("minimum password length"), default=8, validators=[MinValueValidator(8)]
    )
    min_classes = models.PositiveSmallIntegerField(
        _("character classes required"),
        default=3,
        validators=[MinValueValidator(3), MaxValueValidator(4)],
    )
    history = models.PositiveSmallIntegerField(
        _("recent passwords that may not be reused"), default=5, validators=[MinValueValidator(5)]
    )
    privileged_expiry_days = models.PositiveSmallIntegerField(
        _("password expiry for privileged roles (days)"),
        default=90,
        validators=[MinValueValidator(1), MaxValueValidator(180)],
    )
    lockout_threshold = models.PositiveSmallIntegerField(
        _("failed attempts before lockout"),
        default=5,
        validators=[MinValueValidator(3), MaxValueValidator(10)],
    )
    lockout_minutes = models.PositiveSmallIntegerField(
        _("lockout duration (minutes)"), default=30, validators=[MinValueValidator(10)]
    )
    idle_timeout_minutes = models.PositiveSmallIntegerField(
        _("idle session timeout (minutes)"),
        default=30,
        validators=[MinValueValidator(5), MaxValueValidator(30)],
    )
    absolute_lifetime_hours = models.PositiveSmallIntegerField(
        _("absolute session lifetime (hours)"),
        default=8,
        validators=[MinValueValidator(1), MaxValueValidator(12)],
    )
    version = models.PositiveIntegerField(default=1, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("security policy")
        verbose_name_plural = _("security policy")

    def __str__(self) -> str:
        return str(_("Security policy"))


class UserSession(models.Model):
    """Which server sessions belong to whom, so deactivation can end them all."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="sessions")
    session_key = models.CharField(max_length=40, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.user} {self.created_at:%Y-%m-%d %H:%M}"


class ApiToken(models.Model):
    """A machine client's bearer token; only its SHA-256 digest is stored."""

    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="tokens")
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(max_length=8)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
