from django.db import models
from django.utils.translation import gettext_lazy as _


class OrganisationKind(models.TextChoices):
    ENTERPRISE = "enterprise", _("Enterprise")
    GOVERNMENT = "government", _("Government department")
    STATE_ENTERPRISE = "state_enterprise", _("State enterprise")
    UNIVERSITY = "university", _("University or research institute")
    POC_CENTRE = "poc_centre", _("Proof-of-concept centre")
    PILOT_BASE = "pilot_base", _("Pilot base")
    LABORATORY = "laboratory", _("Laboratory")
    INCUBATOR = "incubator", _("Incubator")
    FUND = "fund", _("Fund")


class Role(models.TextChoices):
    ENTERPRISE_USER = "enterprise_user", _("Enterprise user")
    SCENARIO_PUBLISHER = "scenario_publisher", _("Scenario publisher")
    PROGRAMME_OFFICER = "programme_officer", _("Programme officer")
    EXPERT = "expert", _("Expert")
    FUND_MANAGER = "fund_manager", _("Fund manager")
    SYSTEM_ADMIN = "system_admin", _("System administrator")
    SECURITY_ADMIN = "security_admin", _("Security administrator")
    AUDIT_ADMIN = "audit_admin", _("Audit administrator")


# 三权分立: a holder of one of these holds no other role at all.
ADMIN_ROLES = frozenset({Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN})
# Roles that must use a second factor and change their password periodically.
PRIVILEGED_ROLES = ADMIN_ROLES | {Role.PROGRAMME_OFFICER, Role.FUND_MANAGER, Role.EXPERT}


def role_name(code: str) -> str:
    """A role's name in the reader's language; an empty code (the system, a visitor) reads as a dash,
    and a code no longer defined as the code itself with spaces, never raw underscores."""
    if not code:
        return "—"
    try:
        return str(Role(code).label)
    except ValueError:
        return code.replace("_", " ")
