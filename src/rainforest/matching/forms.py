"""The matching pages' forms: a search box, and an officer's verdict on a recommendation."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from rainforest.matching.models import Verdict


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), max_length=200, required=False, strip=True)

    def query(self) -> str:
        return self.cleaned_data.get("q", "") if self.is_valid() else ""


class FeedbackForm(forms.Form):
    verdict = forms.ChoiceField(label=_("Verdict"), choices=Verdict.choices)
    note = forms.CharField(label=_("Note"), max_length=1000, required=False)
