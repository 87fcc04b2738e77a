"""One form per exchange page action: what people type is read and bounded here, so the services
receive whole numbers, dates, choices and texts of a known length, never raw POST or GET data."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from rainforest.accounts.models import User
from rainforest.core.districts import DISTRICTS
from rainforest.exchange.choices import ApplicationStatus, Domain, FocusArea, ListKind, ScenarioKind, ScenarioStatus
from rainforest.exchange.models import Capability, Scenario
from rainforest.exchange.selectors import PUBLIC_STATES
from rainforest.exchange.services.scenarios import SCENARIO_FIELDS
from rainforest.form_fields import PlatformDateField, PlatformDateTimeField, WanYuanField
from rainforest.place_names import district_label_lazy

DISTRICT_CHOICES = [("", "—")] + [(d, district_label_lazy(d)) for d in DISTRICTS]
DATE = forms.DateInput({"type": "date"}, format="%Y-%m-%d")
DATETIME = forms.DateTimeInput({"type": "datetime-local", "step": 1}, format="%Y-%m-%dT%H:%M:%S")


class ScenarioForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    attachment = forms.FileField(label=_("Attachment (PDF, image or Office document)"), required=False)
    district = forms.ChoiceField(label=_("District"), choices=DISTRICT_CHOICES, required=False)
    # Entered in 万元, as every list and page shows a scenario's budget; kept in yuan.
    budget_min = WanYuanField(label=_("Budget from (10,000 yuan)"), min_value=0, required=False)
    budget_max = WanYuanField(label=_("Budget up to (10,000 yuan)"), min_value=0, required=False)

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
        label=_("Districts served"), choices=DISTRICT_CHOICES[1:], widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Capability
        fields = ["title", "domains", "description", "trl", "reference_cases", "certifications", "districts_served"]
        widgets = {"description": forms.Textarea({"rows": 4}), "reference_cases": forms.Textarea({"rows": 3})}

    def _post_clean(self):
        pass


TEXT_MAX = 4000  # a reason, a note, an objection, a piece of evidence
PROPOSAL_MAX = 20000  # one part of a proposal
ID_MAX = 2**31 - 1  # what an id column holds


class ReasonForm(forms.Form):
    """A workflow move (the move is in the URL), with the reason some moves need."""

    reason = forms.CharField(label=_("Reason"), max_length=TEXT_MAX, required=False, widget=forms.Textarea({"rows": 2}))


class ConfirmForm(forms.Form):
    """An action whose only input is the button (withdrawing an application)."""


class IdListField(forms.Field):
    """Ticked items: each a whole number that could be an id (Django's own messages, so they read in
    the user's language); at most ``max_items`` of them."""

    widget = forms.MultipleHiddenInput
    default_error_messages = {"too_many": _("Tick at most %(n)d items.")}

    def __init__(self, *, max_items: int = 1000, **kwargs):
        self.max_items = max_items
        super().__init__(**kwargs)

    def to_python(self, value) -> list[int]:
        if value in self.empty_values:
            return []
        values = value if isinstance(value, list | tuple) else [value]
        if len(values) > self.max_items:
            raise forms.ValidationError(self.error_messages["too_many"], code="too_many", params={"n": self.max_items})
        one = forms.IntegerField(min_value=1, max_value=ID_MAX)
        return sorted({one.clean(raw) for raw in values})


class ListForm(forms.Form):
    kind = forms.ChoiceField(label=_("List"), choices=ListKind.choices)
    year = forms.IntegerField(label=_("Year"), min_value=2020, max_value=2100)
    number = forms.IntegerField(label=_("Batch number"), min_value=1, max_value=999)
    title = forms.CharField(label=_("Title"), max_length=200)
    ids = IdListField(label=_("Ticked items"), required=False)
    correction_note = forms.CharField(
        label=_("Correction note (when re-publishing a batch)"),
        max_length=TEXT_MAX,
        required=False,
        widget=forms.Textarea({"rows": 2}),
    )


class CallForm(forms.Form):
    opens_at = PlatformDateTimeField(label=_("Opens at"), widget=DATETIME)
    closes_at = PlatformDateTimeField(label=_("Closes at (to the second)"), widget=DATETIME)
    max_winners = forms.IntegerField(label=_("Winners at most"), min_value=1, max_value=100, initial=1)
    blind_review = forms.BooleanField(label=_("Blind review"), required=False)
    rubric = forms.CharField(
        label=_("Rubric: one criterion per line as name, weight, maximum score"),
        max_length=TEXT_MAX,
        widget=forms.Textarea({"rows": 4}),
        initial="技术方案, 40, 10\n实施能力, 30, 10\n经济性, 20, 10\n团队, 10, 10",
    )

    def clean_rubric(self):
        rows = []
        for line in self.cleaned_data["rubric"].splitlines():
            if not line.strip():
                continue
            parts = [p.strip() for p in line.replace("，", ",").split(",")]
            if len(parts) != 3 or not all(p.isascii() and p.isdigit() and len(p) <= 3 for p in parts[1:]):
                raise forms.ValidationError(_("Each line is: name, weight, maximum score."))
            rows.append((parts[0], int(parts[1]), int(parts[2])))
        return rows


class ApplicationForm(forms.Form):
    approach = forms.CharField(label=_("Approach"), max_length=PROPOSAL_MAX, widget=forms.Textarea({"rows": 4}))
    plan = forms.CharField(label=_("Plan and milestones"), max_length=PROPOSAL_MAX, widget=forms.Textarea({"rows": 4}))
    budget = forms.DecimalField(label=_("Budget (yuan)"), min_value=0, max_digits=14, decimal_places=0)
    team = forms.CharField(label=_("Team"), max_length=PROPOSAL_MAX, widget=forms.Textarea({"rows": 3}))
    attachment = forms.FileField(label=_("Attachment (PDF, image or Office document)"), required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class DeclareForm(forms.Form):
    conflicted = forms.MultipleChoiceField(
        label=_("I have a conflict of interest with"), required=False, widget=forms.CheckboxSelectMultiple
    )
    note = forms.CharField(
        label=_("Declaration"), max_length=TEXT_MAX, required=False, widget=forms.Textarea({"rows": 2})
    )
    confirm = forms.BooleanField(label=_("I declare that the above is complete and true."))


class PanelForm(forms.Form):
    username = forms.CharField(label=_("Expert user name"), max_length=150)

    def clean_username(self):
        username = self.cleaned_data["username"]
        expert = User.objects.filter(username=username).first()
        if expert is None:
            raise forms.ValidationError(_("There is no account with this user name."))
        self.expert = expert
        return username

    def values(self) -> dict:
        return {"expert": self.expert}


class ObjectionForm(forms.Form):
    text = forms.CharField(label=_("Objection"), max_length=TEXT_MAX, widget=forms.Textarea({"rows": 3}))


class ObjectionAnswerForm(forms.Form):
    """An officer's answer to an objection: dismiss it, or uphold it (the call goes back to review)."""

    upheld = forms.TypedChoiceField(
        label=_("Decision"),
        choices=[("0", _("Dismiss")), ("1", _("Uphold: re-review"))],
        coerce=lambda v: v == "1",
    )
    response = forms.CharField(label=_("Response"), max_length=TEXT_MAX)


class PickForm(forms.Form):
    """Winners of a call, each with its reason, and the channel for objections. The choices are the
    call's live applications, so an id from elsewhere is refused here."""

    def __init__(self, *args, call, **kwargs):
        super().__init__(*args, **kwargs)
        live = list(call.applications.exclude(status=ApplicationStatus.WITHDRAWN).select_related("applicant"))
        self.applications = {a.pk: a for a in live}
        self.fields["winner"] = forms.TypedMultipleChoiceField(
            label=_("winner"),
            choices=[(a.pk, a.applicant.name) for a in live],
            coerce=int,
            required=False,
        )
        for a in live:
            self.fields[f"reason_{a.pk}"] = forms.CharField(label=_("Reason"), max_length=TEXT_MAX, required=False)
        self.fields["channel"] = forms.CharField(label=_("Objection channel (e-mail or phone)"), max_length=200)

    def values(self) -> dict:
        data = self.cleaned_data
        picks = [(self.applications[pk], data.get(f"reason_{pk}", "")) for pk in data["winner"]]
        return {"picks": picks, "channel": data["channel"]}


class ScoreForm(forms.Form):
    """One expert's scores for one application: a whole number per criterion, within its maximum."""

    def __init__(self, *args, rubric, **kwargs):
        super().__init__(*args, **kwargs)
        self.rubric = list(rubric)
        for criterion in self.rubric:
            self.fields[f"score_{criterion.pk}"] = forms.IntegerField(
                label=criterion.name, min_value=0, max_value=criterion.max_score
            )
        self.fields["comment"] = forms.CharField(label=_("Comment"), max_length=TEXT_MAX, required=False)

    def values(self) -> dict:
        data = self.cleaned_data
        scores = {str(c.pk): data[f"score_{c.pk}"] for c in self.rubric}
        return {"scores": scores, "comment": data["comment"]}


class MilestoneForm(forms.Form):
    title = forms.CharField(label=_("Milestone"), max_length=200)
    due_on = PlatformDateField(label=_("Due on"), widget=DATE)


class MilestoneDoneForm(forms.Form):
    """A milestone marked done today, with its evidence."""

    evidence = forms.CharField(label=_("Evidence"), max_length=TEXT_MAX)

    def values(self) -> dict:
        return {"evidence": self.cleaned_data["evidence"], "done_on": timezone.localdate()}


class ChangeForm(forms.Form):
    text = forms.CharField(label=_("Record a change to the agreement"), max_length=TEXT_MAX)


class ProjectMoveForm(forms.Form):
    note = forms.CharField(label=_("Note"), max_length=TEXT_MAX, required=False)
    grade = forms.CharField(label=_("Acceptance evaluation"), max_length=32, required=False)


class FollowupForm(forms.Form):
    """After landing: bounded to what the project's columns hold."""

    in_use = forms.TypedChoiceField(
        label=_("The publisher really uses the solution"),
        choices=[("1", _("Yes")), ("0", _("No"))],
        coerce=lambda v: v == "1",
    )
    in_use_since = PlatformDateField(label=_("In use since"), required=False, widget=DATE)
    further_contracts = forms.IntegerField(label=_("Further contracts"), min_value=0, max_value=1000, required=False)
    further_value = forms.DecimalField(
        label=_("Their value (yuan)"), min_value=0, max_digits=14, decimal_places=0, required=False
    )

    def values(self) -> dict:
        data = self.cleaned_data
        return {
            "in_use": data["in_use"],
            "in_use_since": data["in_use_since"],
            "further_contracts": data["further_contracts"] or 0,
            "further_value": data["further_value"] or Decimal(0),
        }


class SubscriptionForm(forms.Form):
    domains = forms.MultipleChoiceField(
        label=_("Domains"), choices=Domain.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    districts = forms.MultipleChoiceField(
        label=_("Districts"), choices=DISTRICT_CHOICES[1:], required=False, widget=forms.CheckboxSelectMultiple
    )
    keywords = forms.CharField(
        label=_("Keywords (separated by commas)"),
        max_length=500,
        required=False,
        help_text=_(
            "Synonyms and other spellings are understood: 机器狗 also finds 四足机器人, 無人機 finds 无人机. "
            "A scenario must hold every word of a keyword, in any order; a generic word such as 智能 or 技术 "
            "alone finds nothing."
        ),
    )
    email = forms.EmailField(label=_("E-mail for notices"), required=False)


def _choices(pairs) -> list:
    return [("", "")] + list(pairs)


class FilterForm(forms.Form):
    """The public filters of the scenario and capability lists (GET). A value that is not a choice
    or not a number is an error shown above the results; the list is then filtered by the rest."""

    q = forms.CharField(label=_("Search"), max_length=200, required=False)
    domain = forms.ChoiceField(label=_("Domain"), choices=_choices(Domain.choices), required=False)
    district = forms.ChoiceField(label=_("District"), choices=DISTRICT_CHOICES, required=False)
    min_trl = forms.IntegerField(label=_("Technology readiness (TRL)"), min_value=1, max_value=9, required=False)
    page = forms.IntegerField(min_value=1, max_value=100000, required=False)

    def __init__(self, data=None, *args, **kwargs):
        super().__init__(data if data is not None else {}, *args, **kwargs)
        self.is_valid()

    def filters(self) -> dict[str, str]:
        """The valid filters as the selectors take them (text; "" when absent or refused)."""
        data = self.cleaned_data
        return {
            name: "" if data.get(name) in (None, "") else str(data[name])
            for name in self.fields
            if name not in ("page", "format")
        }

    def page_number(self) -> int:
        return self.cleaned_data.get("page") or 1

    def messages(self) -> list[str]:
        return [
            f"{self.fields[f].label}：{e}" if self.fields[f].label else e for f, es in self.errors.items() for e in es
        ]


class ScenarioFilterForm(FilterForm):
    kind = forms.ChoiceField(label=_("Kind"), choices=_choices(ScenarioKind.choices), required=False)
    focus_area = forms.ChoiceField(label=_("focus area"), choices=_choices(FocusArea.choices), required=False)
    budget = WanYuanField(label=_("Budget reaches (10,000 yuan)"), min_value=0, required=False)  # as the list shows
    status = forms.ChoiceField(
        label=_("Status"),
        choices=_choices((s, ScenarioStatus(s).label) for s in PUBLIC_STATES),
        required=False,
    )


class ListFilterForm(ScenarioFilterForm):
    """A published list's filters, and the download it asks for."""

    format = forms.ChoiceField(
        label=_("Download"), choices=[("", ""), ("xlsx", "XLSX"), ("pdf", "PDF")], required=False
    )
