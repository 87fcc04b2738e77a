"""Helpers every page that runs a service shares: call it, turn its refusal into messages, read
dates from forms, send a spreadsheet."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import BadRequest, ValidationError
from django.http import HttpResponse
from django.utils.translation import gettext as _

from rainforest.core.years import PLATFORM_YEARS

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
    if not form.is_valid():
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else None
            for error in errors:
                messages.error(request, f"{label}：{error}" if label else error)
        return None
    values = form.values() if hasattr(form, "values") else dict(form.cleaned_data)
    return attempt(request, service, success, **values, **kwargs)


def add_form_errors(form, exc: ValidationError) -> None:
    """A service's refusal shown on the form: against the field it names where the form has it,
    above the form otherwise (a model's own errors arrive keyed by field, a service's are a list)."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            for error in errors:
                form.add_error(field if field in form.fields else None, error.messages)
    else:
        form.add_error(None, exc.messages)


YEARS = PLATFORM_YEARS


def query_year(request, default: int, name: str = "year") -> int:
    """A year from the query string (the default when absent); a 400 that says why for anything
    that is not a year the platform holds."""
    raw = request.GET.get(name, "").strip()
    if not raw:
        return default
    try:
        year = int(raw)
    except ValueError:
        raise BadRequest(_("The year must be a number such as 2026.")) from None
    if year not in YEARS:
        raise BadRequest(_("The year must be between %(first)d and %(last)d.") % {"first": YEARS[0], "last": YEARS[-1]})
    return year


def query_date(request, default: dt.date, name: str = "on") -> dt.date:
    """A date from the query string (the default when absent); a 400 that says why for anything
    that is not a date in the platform's years."""
    raw = request.GET.get(name, "").strip()
    if not raw:
        return default
    try:
        day = dt.date.fromisoformat(raw)
    except ValueError:
        raise BadRequest(_("The date must be written as YYYY-MM-DD, for example 2026-12-31.")) from None
    if day.year not in YEARS:
        raise BadRequest(_("The year must be between %(first)d and %(last)d.") % {"first": YEARS[0], "last": YEARS[-1]})
    return day


def xlsx_response(data: bytes, name: str) -> HttpResponse:
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
    return response
