from django.core.checks import Error, Tags, register
from django.db import DatabaseError


@register(Tags.security, deploy=True)
def no_active_superuser(app_configs, **kwargs):
    """Rights come from roles; an all-powerful account would break the separation of duties."""
    from rainforest.accounts.models import User

    try:
        count = User.objects.filter(is_superuser=True, is_active=True).count()
    except DatabaseError:
        return []  # not migrated yet: nothing to check
    if count:
        return [
            Error(
                f"{count} active superuser account(s) exist.",
                hint="Deactivate them; administer through the three administrator roles.",
                id="rainforest.E001",
            )
        ]
    return []
