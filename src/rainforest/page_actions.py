"""Helpers every page that runs a service shares: call it, turn its refusal into messages, read
dates from forms, send a spreadsheet."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import messages
from django.core.exceptions import BadRequest, ValidationError
from django.http import HttpResponse
from django.utils.translation import gettext_lazy

from rainforest.core.years import PLATFORM_YEARS, YEAR_BOUNDS
from rainforest.form_fields import PlatformDateField

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def attempt(request, service, success: str, **kwargs):
    """Run ``service(actor=request.principal, **kwargs)``; its ValidationError becomes error messages
    (nothing was saved: services are atomic). Returns the service's result, or None if refused."""
    try:
        result = service(actor=request.principal, **kwargs)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return None
    messages.success(request, success)
    return True if result is None else result


def run_form(request, form_class, service, success: str, **kwargs):
    """A page action: bind ``form_class`` to the POST; when it is valid, run ``service`` with the
    form's typed values (its ``values()``, else its cleaned data) plus ``kwargs``. Every problem
    with the input, and the service's refusal, becomes an error message in the user's language.
    Returns the service's result, or None when nothing was done."""
    form = form_class(request.POST, request.FILES or None)
    request.refused_form = form  # until the service accepts it: a page may show it again, as typed
    if not form.is_valid():
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else None
            for error in errors:
                messages.error(request, f"{label}：{error}" if label else error)
        return None
    values = form.values() if hasattr(form, "values") else dict(form.cleaned_data)
    result = attempt(request, service, success, **values, **kwargs)
    if result is not None:
        request.refused_form = None
    return result


def refused_form(request):
    """The form the last :func:`run_form` of this request bound and could not act on, else None."""
    return getattr(request, "refused_form", None)


def add_form_errors(form, exc: ValidationError) -> None:
    """A service's refusal shown on the form: against the field it names where the form has it,
    above the form otherwise (a model's own errors arrive keyed by field, a service's are a list)."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            for error in errors:
                form.add_error(field if field in form.fields else None, error.messages)
    else:
        form.add_error(None, exc.messages)


class _YearQuery(forms.Form):
    year = forms.IntegerField(
        required=False, error_messages={"invalid": gettext_lazy("The year must be a number such as 2026.")}
    )

    def clean_year(self):
        year = self.cleaned_data["year"]
        if year is not None and year not in PLATFORM_YEARS:
            raise forms.ValidationError(
                gettext_lazy("The year must be between %(first)d and %(last)d."), params=YEAR_BOUNDS
            )
        return year


class _DateQuery(forms.Form):
    on = PlatformDateField(
        required=False,
        error_messages={"invalid": gettext_lazy("The date must be written as YYYY-MM-DD, for example 2026-12-31.")},
    )


def _query(form_class, request, name: str, default):
    """One value of the query string read by a form: the default when absent, a 400 that says why
    for anything the form refuses."""
    form = form_class(request.GET)
    if not form.is_valid():
        raise BadRequest(" ".join(form.errors[name]))
    value = form.cleaned_data[name]
    return default if value is None else value


def query_year(request, default: int) -> int:
    """``?year=``: a year the platform holds."""
    return _query(_YearQuery, request, "year", default)


def query_date(request, default: dt.date) -> dt.date:
    """``?on=``: a date in the platform's years."""
    return _query(_DateQuery, request, "on", default)


class _PageQuery(forms.Form):
    page = forms.IntegerField(min_value=1, max_value=10**6, required=False)


def _choice(data, name: str, choices: tuple[str, ...], default: str) -> str:
    form = forms.Form(data)
    form.fields[name] = forms.ChoiceField(choices=[(c, c) for c in choices], required=False)
    return (form.cleaned_data[name] or default) if form.is_valid() else default


def query_choice(request, name: str, choices: tuple[str, ...], default: str = "") -> str:
    """``?name=``: one of ``choices``; the default when absent or anything else (a download's format)."""
    return _choice(request.GET, name, choices, default)


def posted_choice(request, name: str, choices: tuple[str, ...], default: str = "") -> str:
    """A posted value from a fixed set (which of a form's buttons was pressed); the default otherwise."""
    return _choice(request.POST, name, choices, default)


def query_page(request) -> int:
    """``?page=``: a page number; a missing or malformed one is the first page (a list's paginator
    then clamps a number past the end to the last page)."""
    form = _PageQuery(request.GET)
    return (form.cleaned_data["page"] if form.is_valid() else None) or 1


def xlsx_response(data: bytes, name: str) -> HttpResponse:
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
    return response
