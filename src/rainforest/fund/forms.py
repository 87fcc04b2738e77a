"""One form per fund page action: what a fund manager or a committee member types, read and bounded
here, so the services receive dates, whole numbers and amounts, never raw text."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from rainforest.form_fields import PercentField, PlatformDateField, TodayDateField, YuanField
from rainforest.fund.choices import Source, Vote
from rainforest.fund.models import MONEY, MONEY_LIMIT
from rainforest.fund.services import FUND_NAME
from rainforest.registry.forms import EnterpriseCodeField

FEN = Decimal("0.01")
# A cap table's units fit a BigIntegerField; a trillion units is far beyond any real company.
UNITS_MAX = 10**15
EVENT_KINDS = [
    ("issue", _("Issue")),
    ("transfer", _("Transfer")),
    ("cancel", _("Cancellation")),
    ("pool", _("Option pool")),
    ("grant", _("Option grant")),
    ("exercise", _("Option exercise")),
]
UNITS = [("shares", _("shares")), ("registered_capital_cny", _("yuan of registered capital"))]
YES_NO = [("1", _("Yes")), ("0", _("No"))]


def amount_field(label, *, required=True, allow_zero=False):
    """Yuan to the fen, within what a MONEY column holds; thousands separators are accepted."""
    return YuanField(
        label=label,
        required=required,
        min_value=Decimal(0) if allow_zero else FEN,
        max_value=MONEY_LIMIT - FEN,
        max_digits=MONEY["max_digits"],
        decimal_places=MONEY["decimal_places"],
    )


class DealCreateForm(forms.Form):
    uscc = EnterpriseCodeField()
    source = forms.ChoiceField(label=pgettext_lazy("deal source", "Source"), choices=Source.choices)
    referrer = forms.CharField(label=_("Referred by"), max_length=200, required=False)
    unit = forms.ChoiceField(label=_("Units"), choices=UNITS)

    def values(self) -> dict:
        data = self.cleaned_data
        return {"enterprise": data["uscc"], **{k: data[k] for k in ("source", "referrer", "unit")}}


class MoveForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=2000, required=False)


class ChecklistForm(forms.Form):
    item = forms.CharField(label=_("Checklist item"), max_length=200)
    done = forms.TypedChoiceField(label=_("Done"), choices=YES_NO, coerce=lambda v: v == "1")
    note = forms.CharField(label=_("Note"), max_length=500, required=False)


class TableEventForm(forms.Form):
    on = PlatformDateField(label=_("Date"))
    kind = forms.ChoiceField(label=_("Event"), choices=EVENT_KINDS)
    holder = forms.CharField(label=_("Holder"), max_length=200, required=False)
    to = forms.CharField(label=_("To (transfers)"), max_length=200, required=False)
    units = forms.IntegerField(label=_("Units"), min_value=1, max_value=UNITS_MAX)
    city_fund = forms.BooleanField(label=_("city fund"), required=False)


class RoundProposeForm(forms.Form):
    """A round as the deal page proposes it: the fund (line 0, when it invests) and up to three
    co-investors."""

    CO_INVESTORS = 3

    name = forms.CharField(label=_("Round"), max_length=100)
    on = PlatformDateField(label=_("Closing date"))
    pre_money = amount_field(_("Pre-money valuation (yuan)"))
    pool = PercentField(label=_("Option pool after the round (per cent)"), required=False)
    amount0 = amount_field(_("The fund's amount (yuan)"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for i in range(1, self.CO_INVESTORS + 1):
            self.fields[f"name{i}"] = forms.CharField(label=_("Co-investor"), max_length=200, required=False)
            self.fields[f"amount{i}"] = amount_field(_("Co-investor's amount (yuan)"), required=False)
            self.fields[f"city{i}"] = forms.BooleanField(label=_("city fund"), required=False)

    def clean(self):
        data = super().clean()
        for i in range(1, self.CO_INVESTORS + 1):
            if data.get(f"amount{i}") and not (data.get(f"name{i}") or "").strip():
                self.add_error(f"name{i}", _("Name the co-investor whose amount you entered."))
        return data

    def values(self) -> dict:
        data = self.cleaned_data
        investors = []
        if data.get("amount0"):
            investors.append({"name": FUND_NAME, "amount": data["amount0"], "is_fund": True, "city_fund": False})
        for i in range(1, self.CO_INVESTORS + 1):
            if data.get(f"amount{i}"):
                investors.append(
                    {"name": data[f"name{i}"], "amount": data[f"amount{i}"], "is_fund": False,
                     "city_fund": data[f"city{i}"]}
                )  # fmt: skip
        return {
            "name": data["name"],
            "on": data["on"],
            "pre_money": data["pre_money"],
            "investors": investors,
            "pool_top_up_post_pct": data.get("pool") or Decimal(0),
        }


class MeetingForm(forms.Form):
    held_on = TodayDateField(label=_("Meeting date"))


class DecisionForm(forms.Form):
    minutes = forms.CharField(label=_("Minutes"), max_length=20000)
    override_reason = forms.CharField(label=_("Override of the ticket rule"), max_length=5000, required=False)


class RecordForm(forms.Form):
    acknowledge = forms.CharField(label=_("Acknowledgement"), max_length=2000, required=False)


class DistributionForm(forms.Form):
    on = TodayDateField(label=_("Date"))
    amount = amount_field(_("Amount (yuan)"))


class WriteDownForm(forms.Form):
    on = TodayDateField(label=_("Date"))
    value = amount_field(_("Fair value (yuan)"), allow_zero=True)
    reason = forms.CharField(label=_("Reason"), max_length=2000)


class BallotForm(forms.Form):
    vote = forms.ChoiceField(label=_("Vote"), choices=[("", "—"), *Vote.choices], required=False)
    conflict = forms.CharField(label=_("Declaration of interest"), max_length=2000, required=False)
    conditions = forms.CharField(label=_("Conditions"), max_length=2000, required=False)


class OcfImportForm(forms.Form):
    MAX_BYTES = 5 * 1024 * 1024

    file = forms.FileField(label=_("OCF package (.ocf.zip)"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > self.MAX_BYTES:
            raise forms.ValidationError(_("Choose an OCF package (.ocf.zip) of at most 5 MB."))
        return upload

    def values(self) -> dict:
        return {"data": self.cleaned_data["file"].read()}
