from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from rainforest.core import uscc


def uscc_message(error: uscc.UsccError) -> str:
    if error.code == "check":
        return _("The check character of this unified social credit code should be %(expected)s, not %(found)s.") % {
            "expected": error.expected,
            "found": error.found,
        }
    if error.code == "charset":
        return _("The character %(char)s cannot appear in a unified social credit code.") % {"char": error.found}
    return _("A unified social credit code has exactly 18 characters.")


def validate_uscc(value: str) -> None:
    try:
        uscc.validate(value)
    except uscc.UsccError as exc:
        raise ValidationError(uscc_message(exc), code=f"uscc_{exc.code}") from exc
