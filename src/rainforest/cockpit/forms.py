from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from rainforest.cockpit.definitions import current_definitions
from rainforest.core.years import PLATFORM_YEARS
from rainforest.form_fields import PlatformDateField


class ObservationsFileForm(forms.Form):
    file = forms.FileField(
        label=_("Observations file (CSV in UTF-8 or GB18030, or XLSX)"),
        help_text=_("Every row is checked before anything is saved."),
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


class DefineForm(forms.Form):
    """An entered indicator an officer defines (the published catalogue's change only with a release)."""

    code = forms.SlugField(
        label=_("Code"), max_length=64, help_text=_("Lower-case letters, digits and “_”, starting with a letter.")
    )
    name_zh_hans = forms.CharField(label=_("Name (Simplified Chinese)"), max_length=100)
    name_en = forms.CharField(label=_("Name (English)"), max_length=100)
    unit = forms.ChoiceField(
        label=_("Unit"),
        choices=[("count", _("A count")), ("yuan", _("An amount in yuan")), ("percent", _("A share (%)")),
                 ("growth", _("A growth rate (%)"))],
    )  # fmt: skip
    target_kind = forms.ChoiceField(
        label=_("Target"),
        choices=[
            ("none", _("No target")),
            ("level", _("A level to reach by a date")),
            ("per_year", _("A figure every year")),
        ],
    )
    target = forms.DecimalField(label=_("Target value"), required=False, max_digits=24, decimal_places=6)
    target_date = PlatformDateField(label=_("Target date"), required=False)
    department_zh_hans = forms.CharField(label=_("Owning department (Simplified Chinese)"), max_length=100)
    department_en = forms.CharField(label=_("Owning department (English)"), max_length=100)
    counting_zh_hans = forms.CharField(
        label=_("How it is counted (Simplified Chinese)"), widget=forms.Textarea(attrs={"rows": 3})
    )
    counting_en = forms.CharField(label=_("How it is counted (English)"), widget=forms.Textarea(attrs={"rows": 3}))
    public = forms.BooleanField(label=_("Publish on the public version"), required=False)
