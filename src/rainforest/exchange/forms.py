from django import forms
from django.utils.translation import gettext_lazy as _

from rainforest.core.districts import DISTRICTS
from rainforest.exchange.choices import Domain, ListKind
from rainforest.exchange.models import Capability, Scenario
from rainforest.exchange.services.scenarios import SCENARIO_FIELDS

DISTRICT_CHOICES = [("", "—")] + [(d, d) for d in DISTRICTS]
DATE = forms.DateInput({"type": "date"})
DATETIME = forms.DateTimeInput({"type": "datetime-local", "step": 1}, format="%Y-%m-%dT%H:%M:%S")


class ScenarioForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    attachment = forms.FileField(label=_("Attachment (PDF, image or Office document)"), required=False)
    district = forms.ChoiceField(label=_("District"), choices=DISTRICT_CHOICES, required=False)

    class Meta:
        model = Scenario
        fields = SCENARIO_FIELDS
        widgets = {
            "starts_on": DATE,
            "ends_on": DATE,
            "problem": forms.Textarea({"rows": 4}),
            "resources": forms.Textarea({"rows": 3}),
            "constraints": forms.Textarea({"rows": 3}),
        }

    def _post_clean(self):
        pass  # the service validates the model, in its transaction


class CapabilityForm(forms.ModelForm):
    domains = forms.MultipleChoiceField(label=_("Domains"), choices=Domain.choices, widget=forms.CheckboxSelectMultiple)
    districts_served = forms.MultipleChoiceField(
        label=_("Districts served"), choices=DISTRICT_CHOICES[1:], widget=forms.CheckboxSelectMultiple, required=False
    )

    class Meta:
        model = Capability
        fields = ["title", "domains", "description", "trl", "reference_cases", "certifications", "districts_served"]
        widgets = {"description": forms.Textarea({"rows": 4}), "reference_cases": forms.Textarea({"rows": 3})}

    def _post_clean(self):
        pass


class ReasonForm(forms.Form):
    action = forms.CharField(widget=forms.HiddenInput)
    reason = forms.CharField(label=_("Reason"), required=False, widget=forms.Textarea({"rows": 2}))


class ListForm(forms.Form):
    kind = forms.ChoiceField(label=_("List"), choices=ListKind.choices)
    year = forms.IntegerField(label=_("Year"), min_value=2020, max_value=2100)
    number = forms.IntegerField(label=_("Batch number"), min_value=1)
    title = forms.CharField(label=_("Title"), max_length=200)
    ids = forms.CharField(widget=forms.MultipleHiddenInput, required=False)
    correction_note = forms.CharField(
        label=_("Correction note (when re-publishing a batch)"), required=False, widget=forms.Textarea({"rows": 2})
    )


class CallForm(forms.Form):
    opens_at = forms.DateTimeField(label=_("Opens at"), widget=DATETIME)
    closes_at = forms.DateTimeField(label=_("Closes at (to the second)"), widget=DATETIME)
    max_winners = forms.IntegerField(label=_("Winners at most"), min_value=1, initial=1)
    blind_review = forms.BooleanField(label=_("Blind review"), required=False)
    rubric = forms.CharField(
        label=_("Rubric: one criterion per line as name, weight, maximum score"),
        widget=forms.Textarea({"rows": 4}),
        initial="技术方案, 40, 10\n实施能力, 30, 10\n经济性, 20, 10\n团队, 10, 10",
    )

    def clean_rubric(self):
        rows = []
        for line in self.cleaned_data["rubric"].splitlines():
            if not line.strip():
                continue
            parts = [p.strip() for p in line.replace("，", ",").split(",")]
            if len(parts) != 3 or not parts[1].isdigit() or not parts[2].isdigit():
                raise forms.ValidationError(_("Each line is: name, weight, maximum score."))
            rows.append((parts[0], int(parts[1]), int(parts[2])))
        return rows


class ApplicationForm(forms.Form):
    approach = forms.CharField(label=_("Approach"), widget=forms.Textarea({"rows": 4}))
    plan = forms.CharField(label=_("Plan and milestones"), widget=forms.Textarea({"rows": 4}))
    budget = forms.DecimalField(label=_("Budget (yuan)"), min_value=0, max_digits=14, decimal_places=0)
    team = forms.CharField(label=_("Team"), widget=forms.Textarea({"rows": 3}))
    attachment = forms.FileField(label=_("Attachment (PDF, image or Office document)"), required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class DeclareForm(forms.Form):
    conflicted = forms.MultipleChoiceField(
        label=_("I have a conflict of interest with"), required=False, widget=forms.CheckboxSelectMultiple
    )
    note = forms.CharField(label=_("Declaration"), required=False, widget=forms.Textarea({"rows": 2}))
    confirm = forms.BooleanField(label=_("I declare that the above is complete and true."))


class PanelForm(forms.Form):
    username = forms.CharField(label=_("Expert user name"))


class ObjectionForm(forms.Form):
    text = forms.CharField(label=_("Objection"), widget=forms.Textarea({"rows": 3}))


class MilestoneForm(forms.Form):
    title = forms.CharField(label=_("Milestone"), max_length=200)
    due_on = forms.DateField(label=_("Due on"), widget=DATE)


class FollowupForm(forms.Form):
    """After landing: bounded to what the project's columns hold."""

    in_use = forms.TypedChoiceField(choices=[("1", _("Yes")), ("0", _("No"))], coerce=lambda v: v == "1")
    in_use_since = forms.DateField(required=False, widget=DATE)
    further_contracts = forms.IntegerField(min_value=0, max_value=1000, required=False)
    further_value = forms.DecimalField(min_value=0, max_digits=14, decimal_places=0, required=False)


class SubscriptionForm(forms.Form):
    domains = forms.MultipleChoiceField(
        label=_("Domains"), choices=Domain.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    districts = forms.MultipleChoiceField(
        label=_("Districts"), choices=DISTRICT_CHOICES[1:], required=False, widget=forms.CheckboxSelectMultiple
    )
    keywords = forms.CharField(label=_("Keywords (separated by commas)"), required=False)
    email = forms.EmailField(label=_("E-mail for notices"), required=False)
