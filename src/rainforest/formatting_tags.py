"""The formatting functions as template filters, built into every template (settings.TEMPLATES).

``{{ deal.amount|yuan }}``, ``{{ budget|wan }}``, ``{{ ratio|percent }}``, ``{{ moment|datetime_cn }}``;
filters with a second value take it after the colon: ``{{ amount|yuan_number:0 }}``."""

from django import template

from rainforest import formatting

register = template.Library()

for _name in (
    "number",
    "whole",
    "at_least_whole",
    "yuan",
    "yuan_number",
    "wan",
    "wan_number",
    "wan_entry",
    "yi",
    "percent",
    "percent_points",
    "rate",
    "multiple",
    "date_cn",
    "datetime_cn",
    "yes_no",
    "year_cn",
    "bracketed",
):
    register.filter(_name, getattr(formatting, _name), is_safe=False)


@register.simple_tag
def colon():
    return formatting.colon()


@register.simple_tag
def wan_range(low, high):
    return formatting.wan_range(low, high)


@register.simple_tag
def quarter_cn(year, quarter):
    return formatting.quarter_cn(year, quarter)


@register.simple_tag
def months_cn(year, first, last):
    return formatting.months_cn(year, first, last)
