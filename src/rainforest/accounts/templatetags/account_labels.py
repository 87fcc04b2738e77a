"""Names for the codes the accounts and audit pages show: audit actions and roles."""

from django import template

from rainforest.accounts.choices import role_name
from rainforest.audit.labels import action_name as _action_name

register = template.Library()


@register.filter
def action_name(code: str) -> str:
    return _action_name(code)


@register.filter(name="role_name")
def role_name_filter(code: str) -> str:
    return role_name(code)
