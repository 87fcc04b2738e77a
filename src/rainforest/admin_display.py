"""The back office in plain words: how its list columns and read-only fields show a value.

Django's admin shows a field as the database holds it: a code, ``True`` (an icon whose alt text is
``True``), an ISO date, a JSON document. The back office is read by the same people as the rest of
the platform (issue 14), so its columns and read-only fields go through the platform's formatting:
codes by their names, money in 元, dates in Beijing time, yes and no as words, and the digests a
person compares as literals (``<code>``), as the other pages mark them.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import types
from collections.abc import Callable
from decimal import Decimal, InvalidOperation

from django.apps import apps
from django.contrib import admin
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.templatetags.static import static
from django.utils.functional import Promise
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from rainforest import formatting
from rainforest.accounts.choices import role_name
from rainforest.admin_site import RoleAdmin
from rainforest.audit.labels import action_name
from rainforest.place_names import cluster_label, district_label

EMPTY = "—"

# What the trail's object types are called (audit.AuditEvent.subject_type): the types services record.
SUBJECT_TYPES = {
    "account": _("user"),
    "user": _("user"),
    "organisation": _("organisation"),
    "security_policy": _("security policy"),
    "api_token": _("API token"),
    "enterprise": _("enterprise"),
    "facts": _("yearly facts"),
    "import": pgettext_lazy("audit object", "Registry file import"),
    "export": _("export"),
    "screening_run": _("screening run"),
    "screening_result": _("screening result"),
    "scenario": _("scenario"),
    "capability": _("capability"),
    "call": _("Call"),
    "application": _("application"),
    "notice": _("notice"),
    "published_list": _("published list"),
    "project": _("Project"),
    "selection_round": pgettext_lazy("audit object", "Good-seedling selection round"),
    "candidacy": pgettext_lazy("audit object", "Candidacy in a selection round"),
    "measure_application": pgettext_lazy("audit object", "Application for a support measure"),
    "deal": pgettext_lazy("audit object", "Investment deal"),
    "indicator": _("Indicator"),
    "observation": pgettext_lazy("audit object", "Cockpit figure"),
    "brief": pgettext_lazy("audit object", "Monthly brief"),
    "job": _("job"),
    "backup": pgettext_lazy("audit object", "Backup"),
}

# Fields many models have without a written-out name (Django would call them "version", "updated at").
COMMON_FIELDS = {
    "version": _("version"),
    "created_at": _("Created"),
    "updated_at": _("Updated"),
}

# Keys of a recorded change (AuditEvent.before and .after) that name no model field.
CHANGE_KEYS = {
    "demo": pgettext_lazy("audit change", "Demo data"),
    "value": pgettext_lazy("audit change", "Value"),
    "version": _("version"),
    "note": _("note"),
    "name": _("name"),
    "rate": pgettext_lazy("audit change", "Annual rate"),
    "start": pgettext_lazy("audit change", "Start"),
    "end": pgettext_lazy("audit change", "End"),
}
_DECIMAL = re.compile(r"^-?\d+\.\d+$")
_INTEGER = re.compile(r"^-?\d+$")
_DIGEST = re.compile(r"^[0-9a-f]{16,}$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ISO_MOMENT = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")
_RATE_KEY = re.compile(r"(^|_)(rate|ratio)$")


def subject_type_name(code: str) -> str:
    """An object type's name; a type recorded by a version that named it differently reads as "other"."""
    if not code:
        return EMPTY
    name = SUBJECT_TYPES.get(code)
    return str(name) if name is not None else str(pgettext_lazy("audit object", "Other object"))


def yes_no_icon(value):
    """Django's yes/no icon, with its answer as the alt text (Django writes ``True``)."""
    if value is None:
        return EMPTY
    icon = static(f"admin/img/icon-{'yes' if value else 'no'}.svg")
    return format_html('<img src="{}" alt="{}">', icon, formatting.yes_no(value))


def literal(value):
    """A digest, nonce or identifier a person copies or compares: as is, marked as such."""
    return format_html("<code>{}</code>", value) if value not in (None, "") else EMPTY


def plain_value(obj: models.Model, name: str):
    """A model field's value as a person reads it."""
    field = obj._meta.get_field(name)
    value = getattr(obj, name)
    if value is None or value == "":
        return EMPTY
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if name == "district":
        return district_label(value)
    if name == "industries":
        return cluster_label([code for code in value.split(";") if code]) or EMPTY
    if isinstance(field, models.BooleanField):
        return yes_no_icon(value)
    if isinstance(field, models.DateTimeField):
        return formatting.datetime_cn(value)
    if isinstance(field, models.DateField):
        return formatting.date_cn(value)
    if isinstance(field, models.DecimalField):
        return formatting.yuan(value)  # the back office's decimal fields are amounts in yuan
    return str(value)


def _named(field) -> bool:
    """Whether the field's name is written out (a translatable name) rather than Django's default, the
    attribute's name with spaces (a plain string): told apart without translating anything, so the
    answer is the same in every language."""
    return isinstance(field.verbose_name, Promise) or field.verbose_name != field.name.replace("_", " ")


def field_label(field):
    """A field's name: its own written-out name, else the platform's name for a common field."""
    if _named(field):
        return field.verbose_name
    return COMMON_FIELDS.get(field.name, field.verbose_name)


def column(name: str, description, *, show: Callable | None = None, ordering: bool = True):
    """A list column or read-only field for the model field ``name``, shown by ``show(value)`` or as
    ``plain_value`` shows it, under ``description``. Assign it to a ModelAdmin attribute whose name
    differs from the field's (Django prefers the model's field to the admin's method of the same name)."""

    def display(self, obj):
        if show is None:
            return plain_value(obj, name)
        value = getattr(obj, name)
        return show(value)

    display.__name__ = name
    return admin.display(description=description, ordering=name if ordering else None)(display)


@functools.cache
def _fields() -> dict[str, models.Field]:
    """Field name -> the platform's first field of that name whose name is written out: what a key of
    a recorded change (the services record fields by their names) is called and how it reads."""
    fields: dict[str, models.Field] = {}
    for model in apps.get_models():
        if not model.__module__.startswith("rainforest."):
            continue
        for field in model._meta.concrete_fields:
            if _named(field):
                fields.setdefault(field.name, field)
    return fields


@functools.cache
def _choice_labels() -> dict[str, dict[str, str]]:
    """Field name -> code -> name, over every field of that name with choices (a ``kind`` is an
    organisation's, a recognition's...; their codes differ)."""
    labels: dict[str, dict[str, str]] = {}
    for model in apps.get_models():
        if model.__module__.startswith("rainforest."):
            for field in model._meta.concrete_fields:
                for code, name in field.flatchoices if field.choices else ():
                    labels.setdefault(field.name, {}).setdefault(str(code), name)
    return labels


@functools.cache
def _money_keys() -> frozenset[str]:
    """Names that are amounts in yuan (decimal fields to the fen) wherever the platform uses them: a
    name some model also uses otherwise (a cockpit figure's ``value``) is not read as money."""
    kinds: dict[str, set[bool]] = {}
    for model in apps.get_models():
        if model.__module__.startswith("rainforest."):
            for field in model._meta.concrete_fields:
                money = isinstance(field, models.DecimalField) and field.decimal_places == 2
                kinds.setdefault(field.name, set()).add(money)
    return frozenset(name for name, kind in kinds.items() if kind == {True})


def change_key_name(key: str) -> str | None:
    name = CHANGE_KEYS.get(key)
    if name is None and key in _fields():
        name = _fields()[key].verbose_name
    return str(name) if name is not None else None


def change_value(value, key: str = ""):
    """One recorded value in plain words: yes or no, dates, rates as percentages, numbers with
    separators and without the database's trailing zeros."""
    if value is None or value == "":
        return EMPTY
    if isinstance(value, bool):
        return formatting.yes_no(value)
    if isinstance(value, list):
        separator = str(pgettext_lazy("list separator", ", "))
        return format_html_join(separator, "{}", ((change_value(v, key),) for v in value)) or EMPTY
    if isinstance(value, dict):
        return format_html_join(
            "；", "{}：{}", ((change_key_name(k) or literal(k), change_value(v, k)) for k, v in value.items())
        )
    if isinstance(value, int) and (key == "year" or key.endswith("_year")):
        return str(value)  # a year, not a count: no thousands separator
    text = str(value)
    if _DIGEST.match(text):
        return literal(text)  # a file's or a token's digest: compared, not read
    named = _choice_labels().get(key, {}).get(text)
    if named is not None:
        return str(named)
    if key == "role":
        return role_name(text)
    if key == "district":
        return district_label(text)
    if _ISO_MOMENT.match(text):
        try:
            return formatting.datetime_cn(dt.datetime.fromisoformat(text))
        except ValueError:
            return text
    if _ISO_DATE.match(text):
        return formatting.date_cn(text)
    money = key in _money_keys()
    if isinstance(value, int | float | Decimal) or _DECIMAL.match(text) or (money and _INTEGER.match(text)):
        try:
            number = Decimal(text).normalize()
        except InvalidOperation:
            return text
        if _RATE_KEY.search(key):
            return formatting.rate(number)
        if money:
            return formatting.yuan(number)
        return formatting.number(number, max(0, -number.as_tuple().exponent))
    return text


def change_lines(value):
    """A recorded state (before or after a change): one line per named item; a key the platform does
    not name is shown as the literal it is."""
    if value in (None, "", {}, []):
        return EMPTY
    if not isinstance(value, dict):
        return change_value(value)
    rows = []
    for key, item in value.items():
        name = change_key_name(key)
        rows.append((name if name is not None else literal(key), change_value(item, key)))
    return format_html_join(mark_safe("<br>"), "{}：{}", rows)


class Named:
    """A model instance under a name a person reads, for the titles and breadcrumbs of Django's
    change and history pages (which print ``str(obj)``); everything else reads the instance."""

    def __init__(self, obj, name: str):
        self._obj, self._name = obj, name

    def __str__(self) -> str:
        return self._name

    def __getattr__(self, attr):
        try:
            obj = self.__dict__["_obj"]
        except KeyError:
            raise AttributeError(attr) from None
        return getattr(obj, attr)


SHOWN = "_shown"


class PlainAdmin(RoleAdmin):
    """A RoleAdmin in plain words. ``<field>_shown`` in list_display, fields or readonly_fields is the
    model field shown as ``plain_value`` shows it, under the field's name, unless the class defines
    that attribute itself (with ``column``); pages title an object by ``object_name``."""

    def __getattr__(self, attr):
        model = self.__dict__.get("model")
        if model is None or not attr.endswith(SHOWN):
            raise AttributeError(attr)
        name = attr[: -len(SHOWN)]
        try:
            field = model._meta.get_field(name)
        except FieldDoesNotExist:
            raise AttributeError(attr) from None
        return types.MethodType(column(name, field_label(field)), self)

    def object_name(self, obj) -> str:
        return str(obj)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            name = self.object_name(obj)
            context["subtitle"] = name
            context["original"] = Named(obj, name)
        return super().render_change_form(request, context, add=add, change=change, form_url=form_url, obj=obj)

    def history_view(self, request, object_id, extra_context=None):
        from django.contrib.admin.utils import unquote

        obj = self.get_object(request, unquote(object_id))
        if obj is not None:
            name = self.object_name(obj)
            extra_context = {
                "title": _("Change history: %s") % name,
                "object": Named(obj, name),
                **(extra_context or {}),
            }
        return super().history_view(request, object_id, extra_context)


def choices_filter(parameter: str, title, field: str, name: Callable[[str], str]) -> type[admin.SimpleListFilter]:
    """A list filter over the values ``field`` holds, each by its name (Django's would list codes)."""

    class Filter(admin.SimpleListFilter):
        parameter_name = parameter

        def lookups(self, request, model_admin):
            codes = model_admin.get_queryset(request).order_by(field).values_list(field, flat=True).distinct()
            return [(code, name(code)) for code in codes]

        def queryset(self, request, queryset):
            return queryset.filter(**{field: self.value()}) if self.value() is not None else queryset

    Filter.title = title
    Filter.__name__ = f"{parameter.title()}Filter"
    return Filter


def actor(label: str):
    """Who did it: a person by the name they sign in with; the platform's own jobs as "the system"."""
    if label.startswith("system:"):
        return format_html("{} {}", _("the system"), literal(label))
    return label or EMPTY


__all__ = [
    "EMPTY", "Named", "PlainAdmin", "action_name", "actor", "change_lines", "choices_filter", "column",
    "literal", "plain_value", "role_name", "subject_type_name", "yes_no_icon",
]  # fmt: skip
