import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from rainforest.core.facts import industries as industry_codes
from rainforest.place_names import cluster_label_lazy
from rainforest.policy.labels import reading_label
from rainforest.policy.models import ReviewDecision
from rainforest.policy.rules import current_ruleset
from rainforest.policy.services import as_of_check
from rainforest.registry.choices import HnteField, Round, Stage

TRI_STATE = [("", _("Not known")), ("true", _("Yes")), ("false", _("No"))]
YEAR_MONEY = ("revenue", "total_costs", "rd_expense", "rd_expense_domestic", "high_tech_income", "total_income",
              "total_assets", "net_assets", "financing_total", "valuation")  # fmt: skip
YEAR_COUNTS = ("employees", "tech_staff", "rd_staff", "ip_class1", "ip_class2", "conversions")
FLAGS = ("registered_in_hangzhou", "tech_sme_registered", "provincial_tech_sme", "direct_confirmation",
         "restricted_sector", "clean_record")  # fmt: skip
# What the three-year rules read in the two years before (HT-05, HT-05b, conversions, growth).
EARLIER = ("revenue", "rd_expense", "rd_expense_domestic", "net_assets", "conversions")


def _money(label):
    return forms.DecimalField(label=label, required=False, min_value=None, max_digits=18, decimal_places=2)


class SelfCheckForm(forms.Form):
    """One enterprise's figures, typed in by a founder: blank means not known."""

    founded_on = forms.DateField(label=_("Founded on"), widget=forms.DateInput({"type": "date"}, format="%Y-%m-%d"))
    fiscal_year = forms.IntegerField(label=_("Fiscal year of the figures"), min_value=1949)
    as_of = forms.DateField(
        label=_("Check as of"), required=False, widget=forms.DateInput({"type": "date"}, format="%Y-%m-%d")
    )
    industries = forms.MultipleChoiceField(
        label=_("Industry clusters"), required=False, widget=forms.CheckboxSelectMultiple,
        choices=[(c, cluster_label_lazy(c)) for c in industry_codes.HZ296X],
    )  # fmt: skip
    hnte_field = forms.ChoiceField(label=_("High-tech field"), required=False, choices=[("", "—"), *HnteField.choices])
    stage = forms.ChoiceField(label=_("Stage"), required=False, choices=[("", "—"), *Stage.choices])
    last_round = forms.ChoiceField(label=_("Latest round"), required=False, choices=[("", "—"), *Round.choices])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from rainforest.registry.models import YearlyFacts

        label = lambda n: YearlyFacts._meta.get_field(n).verbose_name  # noqa: E731
        for name in YEAR_COUNTS:
            self.fields[name] = forms.IntegerField(label=label(name), required=False, min_value=0)
        for name in YEAR_MONEY:
            self.fields[name] = _money(label(name))
        for name in FLAGS:
            self.fields[name] = forms.ChoiceField(label=label(name), required=False, choices=TRI_STATE)
        self.fields["hnte_certified_on"] = forms.DateField(
            label=label("hnte_certified_on"),
            required=False,
            widget=forms.DateInput({"type": "date"}, format="%Y-%m-%d"),
        )
        for back in (1, 2):
            for name in EARLIER:
                self.fields[f"{name}_{back}"] = (
                    forms.IntegerField(label=label(name), required=False, min_value=0)
                    if name == "conversions"
                    else _money(label(name))
                )
        if not self.is_bound:
            self.fields["fiscal_year"].initial = timezone.localdate().year - 1

    def rows(self) -> list[dict]:
        """The figures as canonical rows, oldest first; earlier years only where some figure is given."""
        data = self.cleaned_data
        year = data["fiscal_year"]
        latest = {name: data.get(name) for name in (*YEAR_COUNTS, *YEAR_MONEY, "hnte_certified_on")}
        latest.update({name: {"true": True, "false": False}.get(data.get(name) or "") for name in FLAGS})
        latest.update(
            fiscal_year=year, industries=";".join(data["industries"]) or None, hnte_field=data["hnte_field"] or None,
            stage=data["stage"] or None, last_round=data["last_round"] or None, district=None,
        )  # fmt: skip
        rows = [latest]
        for back in (1, 2):
            earlier = {name: data.get(f"{name}_{back}") for name in EARLIER}
            if any(v is not None for v in earlier.values()):
                rows.insert(0, {**{k: None for k in latest}, **earlier, "fiscal_year": year - back})
        return rows

    def clean(self):
        data = super().clean()
        founded, year = data.get("founded_on"), data.get("fiscal_year")
        if founded and founded > timezone.localdate():
            self.add_error("founded_on", _("The founding date is in the future."))
        if founded and year and year < founded.year:
            self.add_error("fiscal_year", _("The fiscal year is before the year the enterprise was founded."))
        for part in ("tech_staff", "rd_staff"):
            if data.get(part) is not None and data.get("employees") is not None and data[part] > data["employees"]:
                self.add_error(part, _("Cannot exceed total employees."))
        return data

    def clean_as_of(self):
        as_of = self.cleaned_data.get("as_of")
        if as_of:
            as_of_check(as_of)
        return as_of

    def as_of_date(self) -> dt.date:
        return self.cleaned_data.get("as_of") or timezone.localdate()


def tier_choices():
    ruleset = current_ruleset()
    return [(t.id, t.name.get("zh-hans", t.id)) for t in ruleset.tiers.values()]


class RunForm(forms.Form):
    as_of = forms.DateField(label=_("As of"), widget=forms.DateInput({"type": "date"}, format="%Y-%m-%d"))
    tiers = forms.MultipleChoiceField(label=_("Tiers"), widget=forms.CheckboxSelectMultiple, required=False)
    file = forms.FileField(
        label=_("Facts file (leave empty to screen the registry)"), required=False,
        help_text=_("CSV in UTF-8 or GB18030, or XLSX, in the facts schema."),
    )  # fmt: skip

    def clean_as_of(self):
        as_of_check(self.cleaned_data["as_of"])
        return self.cleaned_data["as_of"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tiers"].choices = tier_choices()
        if not self.is_bound:
            self.fields["as_of"].initial = timezone.localdate()
        # Where sources disagree, the rule file keeps each reading; the officer may pick one.
        for tier in current_ruleset().tiers.values():
            for c in tier.criteria:
                if len(c.tests) > 1:
                    self.fields[f"reading_{c.id}"] = forms.ChoiceField(
                        label=f"{c.id} {c.title.get('zh-hans', '')}",
                        required=False,
                        choices=[
                            (name, str(reading_label(name)) + (" *" if name == c.default_reading else ""))
                            for name in c.tests
                        ],
                        initial=c.default_reading,
                    )

    def readings(self) -> dict[str, str]:
        return {k[len("reading_") :]: v for k, v in self.cleaned_data.items() if k.startswith("reading_") and v}


class SettleForm(forms.Form):
    tier = forms.CharField(widget=forms.HiddenInput)
    decision = forms.ChoiceField(label=_("Decision"), choices=ReviewDecision.Decision.choices)
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea({"rows": 3}), min_length=10)
