"""One form per Seedling page action, and the filter forms of its lists: what an officer, an
enterprise or an expert types is read and bounded here, so the services receive years, whole
numbers, dates and amounts in yuan, never raw text."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from rainforest.core.districts import DISTRICTS
from rainforest.core.facts.industries import HZ296X
from rainforest.core.years import PLATFORM_YEARS
from rainforest.form_fields import PlatformDateField, TodayDateField, YuanField
from rainforest.place_names import cluster_label_lazy, district_label_lazy
from rainforest.registry.forms import EnterpriseCodeField
from rainforest.seedling.choices import ApplicationStatus, Ground, NeedStatus
from rainforest.seedling.models import MONEY

FEN = Decimal("0.01")
# What a MONEY column holds: 14 digits, 2 of them after the point.
MONEY_LIMIT = Decimal(10) ** (MONEY["max_digits"] - MONEY["decimal_places"])
TEXT = 5000  # free text (evidence, notes, declarations): a page of writing at most
MAX_QUOTA = 100_000  # far above any rule set's yearly number (the service checks the real one)
MAX_MONTHS = 120  # far above any concession's length (the service checks the measure's own)


def amount_field(label, *, required=True):
    """Yuan to the fen; thousands separators are accepted."""
    return YuanField(
        label=label, required=required, min_value=FEN, max_value=MONEY_LIMIT - FEN,
        max_digits=MONEY["max_digits"], decimal_places=MONEY["decimal_places"],
    )  # fmt: skip


def year_field(label, **kwargs):
    return forms.IntegerField(label=label, min_value=PLATFORM_YEARS[0], max_value=PLATFORM_YEARS[-1], **kwargs)


def text_field(label, *, max_length=TEXT, required=False):
    """Free text; left optional where the service refuses a blank one in its own words."""
    return forms.CharField(label=label, max_length=max_length, required=required)


def _experts():
    return get_user_model().objects.filter(memberships__role="expert").distinct()


def _programme_officers():
    return get_user_model().objects.filter(memberships__role="programme_officer").distinct()


# The selection round


class RoundOpenForm(forms.Form):
    year = year_field(_("Year"))
    quota = forms.IntegerField(label=_("Quota"), min_value=1, max_value=MAX_QUOTA, required=False)


class ApplyForm(forms.Form):
    """The enterprise applies to the round (the route follows from who acts)."""

    ground = forms.ChoiceField(label=_("Relaxation ground"), choices=Ground.choices, required=False)
    evidence = text_field(_("Evidence"))


class NominateForm(ApplyForm):
    uscc = EnterpriseCodeField()

    def values(self) -> dict:
        data = self.cleaned_data
        return {"enterprise": data["uscc"], "ground": data["ground"], "evidence": data["evidence"]}


class PanelForm(forms.Form):
    expert = forms.ModelChoiceField(
        label=_("Expert"), queryset=_experts(),
        error_messages={"required": _("Choose the expert to add."),
                        "invalid_choice": _("Choose one of the experts listed.")},
    )  # fmt: skip


class DeclareForm(forms.Form):
    declaration = text_field(_("Declaration of interests"))


class ConfirmForm(forms.Form):
    """A move that takes no input (close, approve, publish): the button is the whole request."""


class ScoreForm(forms.Form):
    """One point per rubric criterion (0 to its most points) and a comment."""

    def __init__(self, *args, rubric, **kwargs):
        super().__init__(*args, **kwargs)
        for i, (name, _weight, top) in enumerate(rubric):
            self.fields[f"p{i}"] = forms.DecimalField(
                label=name, min_value=0, max_value=Decimal(top), max_digits=7, decimal_places=2
            )
        self.fields["comment"] = text_field(_("Comment"))

    def values(self) -> dict:
        data = self.cleaned_data
        points = [data[name] for name in self.fields if name.startswith("p") and name[1:].isdigit()]
        return {"points": points, "comment": data["comment"]}


# Measures and loans


class MeasureApplyForm(forms.Form):
    measure = forms.CharField(label=_("Measure"), max_length=16)
    year = year_field(_("Year"))
    amount = amount_field(_("Amount (yuan)"), required=False)
    months = forms.IntegerField(label=_("Months (rent concessions)"), min_value=1, max_value=MAX_MONTHS, required=False)
    evidence = text_field(_("Evidence"))

    def values(self) -> dict:
        data = self.cleaned_data
        return {
            "measure_id": data["measure"].strip(), "year": data["year"], "amount": data["amount"],
            "months": data["months"], "evidence": data["evidence"],
        }  # fmt: skip


class LoanForm(forms.Form):
    lender = forms.CharField(label=_("Lender"), max_length=200)
    reference = forms.CharField(label=_("Contract number"), max_length=64)
    principal = amount_field(_("Principal outstanding (yuan)"))
    # People write a loan's rate in percent (3.85 %), as the contract does; the page asks for that.
    # ``rate``, the fraction the loan keeps (0.0385), is still read where a client posts it.
    rate_percent = forms.DecimalField(
        label=_("Annual rate (%)"), min_value=0, max_digits=8, decimal_places=4, required=False,
        error_messages={"invalid": _("Write the annual rate in percent, such as 3.85.")},
    )  # fmt: skip
    # max_digits bounds it below 10; clean_rate says what a rate of 1 or more must have meant.
    rate = forms.DecimalField(
        label=_("Rate"), min_value=0, max_digits=7, decimal_places=6, required=False,
        error_messages={"invalid": _("The interest rate must be a number such as 0.0385.")},
    )  # fmt: skip
    start = PlatformDateField(label=_("Drawn on"))
    end = PlatformDateField(label=_("Repaid on"))

    def clean_rate(self):
        rate = self.cleaned_data["rate"]
        if rate is not None and rate >= 1:
            raise forms.ValidationError(_("The annual rate is a fraction: 3.85% is 0.0385."))
        return rate

    def clean_rate_percent(self):
        percent = self.cleaned_data["rate_percent"]
        if percent is not None and percent >= 100:
            raise forms.ValidationError(_("Write the annual rate in percent, such as 3.85."))
        return percent

    def clean(self):
        data = super().clean()
        if data.get("rate_percent") is not None:
            data["rate"] = data["rate_percent"] / 100
        elif data.get("rate") is None and "rate" not in self.errors and "rate_percent" not in self.errors:
            self.add_error("rate_percent", _("Write the annual rate in percent, such as 3.85."))
        return data

    def values(self) -> dict:
        data = self.cleaned_data
        return {
            "lender": data["lender"], "reference": data["reference"], "principal": data["principal"],
            "annual_rate": data["rate"], "start": data["start"], "end": data["end"],
        }  # fmt: skip


class ApproveForm(forms.Form):
    """An officer approves, possibly a lower amount than was asked, with a reason."""

    amount = amount_field(_("Amount (yuan)"), required=False)
    reason = text_field(_("Reason"), max_length=2000)

    def values(self) -> dict:
        return {"approve": True, "amount": self.cleaned_data["amount"], "reason": self.cleaned_data["reason"]}


class RefuseForm(forms.Form):
    reason = text_field(_("Reason"), max_length=2000)

    def values(self) -> dict:
        return {"approve": False, "reason": self.cleaned_data["reason"]}


class PaymentForm(forms.Form):
    paid_on = TodayDateField(label=_("Paid on"))
    reference = forms.CharField(label=_("Payment reference"), max_length=64)


# Companion support


class CaseOfficerForm(forms.Form):
    officer = forms.ModelChoiceField(label=_("Case officer"), queryset=_programme_officers())


class VisitForm(forms.Form):
    on = PlatformDateField(
        label=_("Date"),
        error_messages={"required": _("Give the date of the visit."), "invalid": _("Give the date of the visit.")},
    )
    notes = text_field(_("Notes"))


class NeedForm(forms.Form):
    category = forms.CharField(label=_("Category"), max_length=50, required=False)
    description = text_field(_("Description"))


class ResolveForm(forms.Form):
    resolution = text_field(_("Resolution"))


# Filters of the lists (GET): a value that is not a choice is said above the list, which then
# shows what it would without that filter.


def _choices(pairs) -> list:
    return [("", "")] + list(pairs)


DOWNLOAD = [("", ""), ("xlsx", "XLSX")]


class FilterForm(forms.Form):
    format = forms.ChoiceField(label=_("Download"), choices=DOWNLOAD, required=False)
    defaults: dict = {}

    def __init__(self, data=None):
        super().__init__(data if data is not None else {})
        self.is_valid()

    def value(self, name: str) -> str:
        return self.cleaned_data.get(name) or self.defaults.get(name, "")

    def download(self) -> bool:
        return self.value("format") == "xlsx"

    def messages(self) -> list[str]:
        return [
            f"{self.fields[f].label}：{e}" if f in self.fields and self.fields[f].label else e
            for f, es in self.errors.items()
            for e in es
        ]


class PyramidFilterForm(FilterForm):
    district = forms.ChoiceField(
        label=_("District"), choices=_choices((d, district_label_lazy(d)) for d in DISTRICTS), required=False
    )
    cluster = forms.ChoiceField(
        label=_("Industry cluster"), choices=_choices((c, cluster_label_lazy(c)) for c in HZ296X), required=False
    )
    format = None  # the pyramid's XLSX is built in the background (PyramidExportForm)


class PyramidExportForm(forms.Form):
    """The pyramid page's table, with its filters, asked for as a file built in the background."""

    year = year_field(_("Year"))
    district = PyramidFilterForm.base_fields["district"]
    cluster = PyramidFilterForm.base_fields["cluster"]


class ApplicationFilterForm(FilterForm):
    status = forms.ChoiceField(
        label=_("Status"), choices=_choices([*ApplicationStatus.choices, ("all", _("All"))]), required=False
    )
    defaults = {"status": ApplicationStatus.SUBMITTED}


class ReturnForm(FilterForm):
    """Where an officer's action on one application returns: its own page, else the list."""

    format = None
    back = forms.ChoiceField(choices=[("", ""), ("application", "application")], required=False)


class NeedFilterForm(FilterForm):
    status = forms.ChoiceField(
        label=_("Status"), choices=_choices([*NeedStatus.choices, ("all", _("All"))]), required=False
    )
    defaults = {"status": NeedStatus.OPEN}
