"""Form fields every app's forms share: dates the platform can hold, amounts as readers write them,
and the empty choice's words."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.db.models import fields as model_fields
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext, gettext_noop, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from rainforest.core.years import PLATFORM_YEARS, YEAR_BOUNDS
from rainforest.formatting import WAN, wan, wan_entry, yuan


def _check_year(value) -> None:
    if value is not None and value.year not in PLATFORM_YEARS:
        raise forms.ValidationError(
            _("The year must be between %(first)d and %(last)d."), params=YEAR_BOUNDS, code="year"
        )


# What a drop-down shows before anything is chosen. Django's own ("- Select an option -") has no
# Chinese translation; Django 6.1 reads it from BLANK_CHOICE_LABEL each time a field builds its
# choices, and leaves an app's ready() to replace it.
EMPTY_CHOICE = pgettext_lazy("empty choice", "Please choose")


# Django's forms end each label with gettext(":"). Its own Chinese catalogue keeps the ASCII colon;
# the platform's catalogues (LOCALE_PATHS, read before Django's) give the full-width one. Named
# here, unused, so that makemessages keeps the entry.
LABEL_SUFFIX = gettext_noop(":")


def use_plain_empty_choice() -> None:
    model_fields.BLANK_CHOICE_LABEL = EMPTY_CHOICE


# A date input shows its value as ISO: the browser's date picker reads nothing else.
DATE_INPUT = forms.DateInput({"type": "date"}, format="%Y-%m-%d")


class PlatformDateField(forms.DateField):
    """A date within the platform's years (9999-12-31 is a typing error, not a deadline)."""

    widget = DATE_INPUT

    def validate(self, value):
        super().validate(value)
        _check_year(value)


class PlatformDateTimeField(forms.DateTimeField):
    """A moment within the platform's years: beyond them a time cannot even be converted to UTC."""

    def validate(self, value):
        super().validate(value)
        _check_year(value)


class TodayDateField(PlatformDateField):
    """A date that is today when left empty."""

    def __init__(self, **kwargs):
        super().__init__(required=False, **kwargs)

    def clean(self, value):
        return super().clean(value) or timezone.localdate()


class YuanField(forms.DecimalField):
    """An amount in yuan; thousands separators (half- or full-width) are accepted. Too large an
    amount is one error in words, not the two a column's bounds would each give."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        # Worded when shown (fields are made at import), in the reader's language; a caller's own
        # messages stand.
        if self.max_value is not None:
            limit, shown = self.max_value, self.shown
            too_large = lazy(
                lambda: gettext("The amount is too large: at most %(limit)s.") % {"limit": shown(limit)}, str
            )
            for code in ("max_value", "max_digits", "max_whole_digits"):
                self.error_messages.setdefault(code, too_large())
        if self.decimal_places is not None:
            places = self.decimal_places
            self.error_messages.setdefault(
                "max_decimal_places",
                lazy(lambda: gettext("An amount has at most %(n)s decimal places.") % {"n": places}, str)(),
            )

    @staticmethod
    def shown(amount) -> str:
        return yuan(amount)

    def to_python(self, value):
        if isinstance(value, str):
            value = value.replace(",", "").replace("，", "").strip()
        return super().to_python(value)

    def run_validators(self, value):
        try:
            super().run_validators(value)
        except forms.ValidationError as exc:
            once, seen = [], set()
            for error in exc.error_list:  # the same words once, each with its code
                if (text := " ".join(error.messages)) not in seen:
                    seen.add(text)
                    once.append(error)
            raise forms.ValidationError(once) from None


class WanYuanField(YuanField):
    """A programme figure entered in 万元, as the lists show it (to two decimals), and cleaned to
    whole yuan, as it is stored: 125.5 is 1,255,000 yuan. A stored amount is shown back in 万元."""

    def __init__(self, *, yuan_digits: int = 14, **kwargs):
        # 4 places of 万: the yuan; at most what a column of ``yuan_digits`` holds.
        largest = Decimal(10) ** (yuan_digits - 4) - 1
        super().__init__(max_digits=yuan_digits, decimal_places=4, max_value=largest, **kwargs)

    @staticmethod
    def shown(amount) -> str:
        return wan(amount * WAN)

    def prepare_value(self, value):
        return wan_entry(value) if isinstance(value, Decimal | int) else value

    def clean(self, value):
        amount = super().clean(value)
        return None if amount is None else (amount * WAN).quantize(Decimal(1))


class PercentField(forms.DecimalField):
    """A share entered as a percentage, as every page shows shares (10 or 10 %), and cleaned to
    the fraction the services take (0.1)."""

    def __init__(self, *, below: int = 100, **kwargs):
        super().__init__(min_value=0, max_value=Decimal(below) - Decimal("0.01"), decimal_places=2, **kwargs)

    def to_python(self, value):
        if isinstance(value, str):
            value = value.replace("%", "").replace("％", "").strip()
        return super().to_python(value)

    def clean(self, value):
        share = super().clean(value)
        return None if share is None else share / 100
