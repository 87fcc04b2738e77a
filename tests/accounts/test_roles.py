import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from rainforest.accounts import checks, services
from rainforest.accounts.choices import Role
from rainforest.accounts.models import Membership, SecurityPolicy, User
from rainforest.accounts.permissions import Principal
from rainforest.audit.models import AuditEvent
from tests.conftest import SYSTEM


def as_principal(user):
    return Principal(user=user, membership=user.memberships.first())


@pytest.mark.parametrize("admin_role", [Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN])
def test_an_administrator_holds_no_other_role(admin_role, make_user, bureau):
    user = make_user("admin1", admin_role, bureau)
    for role in Role.values:
        if role == admin_role:
            continue
        with pytest.raises(ValidationError):
            services.membership_grant(actor=SYSTEM, user=user, organisation=bureau, role=role)
    assert Membership.objects.filter(user=user).count() == 1


def test_a_business_role_holder_cannot_become_an_administrator(enterprise_user, bureau):
    with pytest.raises(ValidationError):
        services.membership_grant(actor=SYSTEM, user=enterprise_user, organisation=bureau, role=Role.AUDIT_ADMIN)


def test_business_roles_can_be_combined(make_user, bureau):
    user = make_user("both", Role.PROGRAMME_OFFICER, bureau)
    services.membership_grant(actor=SYSTEM, user=user, organisation=bureau, role=Role.SCENARIO_PUBLISHER)
    assert Membership.objects.filter(user=user).count() == 2


def test_security_administrator_grants_but_not_to_self(secadmin, make_user, bureau):
    target = make_user("newbie")
    services.membership_grant(actor=as_principal(secadmin), user=target, organisation=bureau, role=Role.EXPERT)
    assert AuditEvent.objects.filter(action="accounts.role.granted", subject_id=str(target.pk)).exists()
    with pytest.raises(ValidationError):
        services.membership_grant(actor=as_principal(secadmin), user=secadmin, organisation=bureau, role=Role.EXPERT)


def test_only_the_system_administrator_creates_accounts(sysadmin, secadmin, auditor, officer):
    services.user_create(actor=as_principal(sysadmin), username="created", password="Orchid#2027")
    for other in (secadmin, auditor, officer):
        with pytest.raises(PermissionDenied):
            services.user_create(actor=as_principal(other), username=f"x{other.pk}", password="Orchid#2027")


def test_security_policy_cannot_go_below_the_floors(secadmin):
    policy = SecurityPolicy.objects.get_or_create(pk=1)[0]
    with pytest.raises(ValidationError):
        services.security_policy_update(actor=as_principal(secadmin), version=policy.version, min_length=6)
    updated = services.security_policy_update(actor=as_principal(secadmin), version=policy.version, min_length=12)
    assert updated.min_length == 12


def test_stale_policy_edit_is_refused(secadmin):
    policy = SecurityPolicy.objects.get_or_create(pk=1)[0]
    services.security_policy_update(actor=as_principal(secadmin), version=policy.version, lockout_threshold=4)
    with pytest.raises(ValidationError):
        services.security_policy_update(actor=as_principal(secadmin), version=policy.version, lockout_threshold=6)


def test_deploy_check_refuses_an_active_superuser(db):
    assert checks.no_active_superuser(None) == []
    User.objects.create(username="root", is_superuser=True, is_active=True)
    assert [e.id for e in checks.no_active_superuser(None)] == ["rainforest.E001"]


def test_bootstrap_creates_three_separate_administrators_once(db, capsys):
    from django.core.management import CommandError, call_command

    from tests.conftest import new_uscc

    code = new_uscc(authority="1", kind="1")
    call_command("bootstrap", "--org-name", "杭州市科学技术局", "--org-uscc", code)
    roles = set(Membership.objects.values_list("role", flat=True))
    assert roles == {Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN}
    assert "sysadmin" in capsys.readouterr().out
    with pytest.raises(CommandError):
        call_command("bootstrap", "--org-name", "x", "--org-uscc", code)
    assert not User.objects.filter(is_superuser=True).exists()
