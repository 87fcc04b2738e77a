from django import forms
from django.utils.translation import gettext_lazy as _

from rainforest.core.facts.validate import FORMULA_PREFIXES
from rainforest.registry.choices import ExportFormat
from rainforest.registry.models import Enterprise, YearlyFacts
from rainforest.registry.services import FACT_FIELDS


def _no_formula(value: str) -> str:
    if value and value.startswith(FORMULA_PREFIXES):
        raise forms.ValidationError(
            _("Text may not start with = + - @ or a tab: it would run as a spreadsheet formula.")
        )
    return value


class ProfileForm(forms.Form):
    name = forms.CharField(label=_("Registered name"), max_length=200)
    district = forms.CharField(label=_("District"), max_length=50, required=False)
    founded_on = forms.DateField(label=_("Founded on"), widget=forms.DateInput({"type": "date"}, format="%Y-%m-%d"))
    version = forms.IntegerField(widget=forms.HiddenInput)

    def clean_name(self):
        return _no_formula(self.cleaned_data["name"])

    def clean_district(self):
        return _no_formula(self.cleaned_data["district"])


class FactsForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = YearlyFacts
        fields = ["fiscal_year", *FACT_FIELDS]
        widgets = {"hnte_certified_on": forms.DateInput({"type": "date"}, format="%Y-%m-%d")}

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            self.fields["fiscal_year"].disabled = True

    def clean_industries(self):
        from rainforest.core.facts import industries

        value = _no_formula(self.cleaned_data["industries"] or "")
        codes = [c.strip() for c in value.split(";") if c.strip()]
        unknown = [c for c in codes if not industries.is_known(c)]
        if unknown:
            raise forms.ValidationError(
                _("Unknown industry cluster code(s): %(codes)s.") % {"codes": ";".join(unknown)}
            )
        return ";".join(codes) or None

    def clean_district(self):
        return _no_formula(self.cleaned_data["district"] or "") or None

    def _post_clean(self):
        # Model-level checks run in the service, which reports them per field.
        pass


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Facts file (CSV in UTF-8 or GB18030, or XLSX)"),
        help_text=_("Columns as in the facts schema; all rows are checked before anything is saved."),
    )


class ExportRequestForm(forms.Form):
    """The registry's export, asked for in the background (the page's XLSX button)."""

    format = forms.ChoiceField(label=_("Format"), choices=ExportFormat.choices)

    def values(self) -> dict:
        return {"fmt": self.cleaned_data["format"]}


class EnterpriseCodeField(forms.CharField):
    """A unified social credit code typed into a form, cleaned into the enterprise on the registry
    (a form error when there is none)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Unified social credit code"))
        super().__init__(max_length=18, **kwargs)

    def clean(self, value):
        code = (super().clean(value) or "").strip().upper()
        if not code:
            return None
        enterprise = Enterprise.objects.select_related("organisation").filter(organisation__uscc=code).first()
        if enterprise is None:
            raise forms.ValidationError(_("No enterprise with this code is on the registry."))
        return enterprise
