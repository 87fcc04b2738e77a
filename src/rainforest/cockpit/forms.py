from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from rainforest.cockpit.definitions import current_definitions
from rainforest.core.years import PLATFORM_YEARS


class ObservationsFileForm(forms.Form):
    file = forms.FileField(
        label=_("Observations file (CSV in UTF-8 or GB18030, or XLSX)"),
        help_text=_(
            "Columns: indicator, period (2025, or 2025-10 for January to October), value, source_document, note. "
            "Every row is checked before anything is saved."
        ),
    )


class ObservationForm(forms.Form):
    """One figure entered or corrected by hand; percentages are typed as percentages (4.5 for 4.5 %)."""

    indicator = forms.ChoiceField(label=_("Indicator"))
    year = forms.TypedChoiceField(label=_("Year"), coerce=int)
    month = forms.TypedChoiceField(label=_("Period"), coerce=int, initial=0)
    value = forms.DecimalField(label=_("Value"), max_digits=24, decimal_places=6)
    source_document = forms.CharField(label=_("Source document"), max_length=300)
    note = forms.CharField(label=_("Note"), max_length=500, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        entered = [d for d in current_definitions() if d.kind == "entered"]
        self.fields["indicator"].choices = [("", _("Choose an indicator"))] + [(d.code, d.name) for d in entered]
        this_year = timezone.localdate().year
        self.fields["year"].choices = [(y, str(y)) for y in range(this_year, PLATFORM_YEARS[0] - 1, -1)][:15]
        self.fields["month"].choices = [(0, _("The whole year"))] + [
            (m, _("January to month %(m)s") % {"m": m}) for m in range(1, 13)
        ]

    def values(self) -> dict:
        data = dict(self.cleaned_data)
        code = data["indicator"]
        unit = next((d.unit for d in current_definitions() if d.code == code), "")
        if unit == "percent":  # typed as a percentage, kept as a ratio
            data["value"] = data["value"] / Decimal(100)
        data["code"] = data.pop("indicator")
        return data


class BriefForm(forms.Form):
    year = forms.TypedChoiceField(label=_("Year"), coerce=int)
    month = forms.TypedChoiceField(label=_("Month"), coerce=int, choices=[(m, str(m)) for m in range(1, 13)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        this_year = timezone.localdate().year
        self.fields["year"].choices = [(y, str(y)) for y in range(this_year, this_year - 5, -1)]
