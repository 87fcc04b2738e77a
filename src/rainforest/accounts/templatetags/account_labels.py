"""Names for the codes the accounts and audit pages show: audit actions, object types, roles, and a
recorded change's before and after (read as the back office reads them: audit/labels.py)."""

from django import template

from rainforest.accounts.choices import role_name
from rainforest.audit import labels

register = template.Library()


@register.filter
def action_name(code: str) -> str:
    return labels.action_name(code)


@register.filter
def subject_type_name(code: str) -> str:
    return labels.subject_type_name(code)


@register.filter
def change_lines(value):
    return labels.change_lines(value)


@register.filter(name="role_name")
def role_name_filter(code: str) -> str:
    return role_name(code)
