from django import template

from rainforest.exchange.choices import Domain, FocusArea, ScenarioKind

register = template.Library()
LABELS = {**dict(Domain.choices), **{f"focus:{k}": v for k, v in FocusArea.choices},
          **{f"kind:{k}": v for k, v in ScenarioKind.choices}}  # fmt: skip


@register.filter
def domain_label(value):
    if isinstance(value, list):
        return ", ".join(str(LABELS.get(v, v)) for v in value)
    return LABELS.get(value, value)
