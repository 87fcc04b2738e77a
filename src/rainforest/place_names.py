"""Hangzhou's districts and the 296X industry clusters in the reader's language, for pages and forms.

Records keep a district by its Simplified Chinese name and a cluster by its code; the names in three
languages are data in ``rainforest.core`` (districts.NAMES, facts.industries.NAMES). Built into every
template (settings.TEMPLATES): ``{{ scenario.district|district }}``, ``{{ code|cluster }}``, and a list
of either joined the way the language writes a list.
"""

from django import template
from django.utils import translation
from django.utils.functional import lazy

from rainforest.core.districts import district_name, language_key
from rainforest.core.facts.industries import cluster_name

register = template.Library()


def _joined(names: list[str]) -> str:
    return (", " if language_key(translation.get_language()) == "en" else "、").join(names)


@register.filter(name="district")
def district_label(value) -> str:
    """A district (or a list of districts) as the reader's language writes it."""
    language = translation.get_language()
    if isinstance(value, (list, tuple)):
        return _joined([district_name(str(v), language) for v in value])
    return district_name(value, language) if value else ""


@register.filter(name="cluster")
def cluster_label(value) -> str:
    """An industry cluster code (or a list of codes) by its name in the reader's language."""
    language = translation.get_language()
    if isinstance(value, (list, tuple)):
        return _joined([cluster_name(str(v), language) for v in value])
    return cluster_name(value, language) if value else ""


# For form choices, built once at import and shown in whichever language the request is in.
district_label_lazy = lazy(district_label, str)
cluster_label_lazy = lazy(cluster_label, str)
