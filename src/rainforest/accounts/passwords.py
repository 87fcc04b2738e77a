"""Password rules of the security policy (MLPS 2.0 level 3, application part)."""

from __future__ import annotations

import string

from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from rainforest.accounts.policy import security_policy

CLASSES = (string.ascii_lowercase, string.ascii_uppercase, string.digits)


def character_classes(password: str) -> int:
    found = sum(any(ch in cls for ch in password) for cls in CLASSES)
    # Everything that is not an ASCII letter or digit counts as a symbol (Chinese included).
    found += any(not (ch.isascii() and ch.isalnum()) for ch in password)
    return found


class PolicyPasswordValidator:
    """Length, character classes, no username inside, no reuse of recent passwords."""

    def validate(self, password: str, user=None) -> None:
        policy = security_policy()
        errors = []
        if len(password) < policy.min_length:
            errors.append(
                ValidationError(
                    _("The password must have at least %(n)d characters.") % {"n": policy.min_length},
                    code="password_too_short",
                )
            )
        if character_classes(password) < policy.min_classes:
            errors.append(
                ValidationError(
                    _(
                        "The password must mix at least %(n)d of: lower-case letters, upper-case "
                        "letters, digits, symbols."
                    )
                    % {"n": policy.min_classes},
                    code="password_classes",
                )
            )
        username = getattr(user, "username", "") or ""
        if username and username.lower() in password.lower():
            errors.append(ValidationError(_("The password must not contain the user name."), code="password_username"))
        if user is not None and user.pk and self._reused(user, password, policy.history):
            errors.append(
                ValidationError(
                    _("The password must differ from the last %(n)d passwords.") % {"n": policy.history},
                    code="password_reused",
                )
            )
        if errors:
            raise ValidationError(errors)

    @staticmethod
    def _reused(user, password: str, history: int) -> bool:
        if user.password and check_password(password, user.password):
            return True
        recent = user.password_history.all()[:history]
        return any(check_password(password, old.password) for old in recent)

    def get_help_text(self) -> str:
        policy = security_policy()
        return _(
            "At least %(n)d characters mixing %(c)d of: lower-case, upper-case, digits, symbols; "
            "not containing your user name; not one of your last %(h)d passwords."
        ) % {"n": policy.min_length, "c": policy.min_classes, "h": policy.history}
