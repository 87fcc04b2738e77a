"""The back office in plain words: how its list columns and read-only fields show a value.

Django's admin shows a field as the database holds it: a code, ``True`` (an icon whose alt text is
``True``), an ISO date, a JSON document. The back office is read by the same people as the rest of
the platform (issue 14), so its columns and read-only fields go through the platform's formatting:
codes by their names, money in 元, dates in Beijing time, yes and no as words, and the digests a
person compares as literals (``<code>``), as the other pages mark them.
"""

from __future__ import annotations

import types
from collections.abc import Callable

from django.contrib import admin
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.templatetags.static import static
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from rainforest import formatting
from rainforest.accounts.choices import role_name
from rainforest.admin_site import RoleAdmin
from rainforest.audit.labels import (
    EMPTY,
    action_name,
    change_lines,
    change_value,
    is_named_field,
    literal,
    subject_type_name,
)
from rainforest.place_names import cluster_label, district_label

# Fields many models have without a written-out name (Django would call them "version", "updated at").
COMMON_FIELDS = {
    "version": _("version"),
    "created_at": _("Created"),
    "updated_at": _("Updated"),
}


def yes_no_icon(value):
    """Django's yes/no icon, with its answer as the alt text (Django writes ``True``)."""
    if value is None:
        return EMPTY
    icon = static(f"admin/img/icon-{'yes' if value else 'no'}.svg")
    return format_html('<img src="{}" alt="{}">', icon, formatting.yes_no(value))


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


def field_label(field):
    """A field's name: its own written-out name, else the platform's name for a common field."""
    if is_named_field(field):
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
    "EMPTY", "Named", "PlainAdmin", "action_name", "actor", "change_lines", "change_value", "choices_filter", "column",
    "literal", "plain_value", "role_name", "subject_type_name", "yes_no_icon",
]  # fmt: skip
