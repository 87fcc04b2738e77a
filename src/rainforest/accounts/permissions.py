"""What each role may do: one table, read by pages, the API, the admin and the services."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied

from rainforest.accounts.choices import Role

# Permission names.
REGISTRY_VIEW_OWN = "registry.view_own"
REGISTRY_EDIT_OWN = "registry.edit_own"
REGISTRY_VIEW_ALL = "registry.view_all"
REGISTRY_IMPORT = "registry.import"
REGISTRY_EXPORT = "registry.export"
ORGANISATIONS_VIEW_ALL = "organisations.view_all"
ACCOUNTS_MANAGE = "accounts.manage"  # create, edit, deactivate users and organisations
ROLES_GRANT = "roles.grant"
SECURITY_POLICY = "security.policy"
AUDIT_VIEW = "audit.view"
AUDIT_EXPORT = "audit.export"
API_TOKENS_OWN = "api.tokens_own"
POLICY_SCREEN = "policy.screen"  # run bulk screenings, read runs, drill down, download
POLICY_SETTLE = "policy.settle"  # decide a `review` verdict with a reason
EXCHANGE_PUBLISH = "exchange.publish"  # draft and run one's own organisation's scenarios and calls
EXCHANGE_MANAGE = "exchange.manage"  # approve, publish lists, form panels, finalise notices
EXCHANGE_SUPPLY = "exchange.supply"  # publish capabilities, apply to calls, subscribe
EXCHANGE_REVIEW = "exchange.review"  # score what one is assigned
FUND_MANAGE = "fund.manage"  # deals, cap tables, committee papers, portfolio and reports of the Seedling fund
FUND_VOTE = "fund.vote"  # sit on the investment committee: declare, vote
SEEDLING_MANAGE = "seedling.manage"  # rounds, nominations, panels, decisions, payments, case work, pyramid
SEEDLING_APPLY = "seedling.apply"  # one's own enterprise: apply to the round and to measures, see its ladder
SEEDLING_REVIEW = "seedling.review"  # score the candidates of a round one sits on
JOBS_VIEW = "jobs.view"  # see the background job queue, its workers and its failed jobs
JOBS_RETRY = "jobs.retry"  # try a failed background job once more
COCKPIT_VIEW = "cockpit.view"  # the city cockpit: every indicator, its drill-down and the monthly brief
COCKPIT_ENTER = "cockpit.enter"  # import and correct entered observations, define indicators, make a brief

ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.ENTERPRISE_USER: frozenset(
        {REGISTRY_VIEW_OWN, REGISTRY_EDIT_OWN, API_TOKENS_OWN, EXCHANGE_SUPPLY, SEEDLING_APPLY}
    ),
    Role.SCENARIO_PUBLISHER: frozenset({API_TOKENS_OWN, EXCHANGE_PUBLISH}),
    Role.PROGRAMME_OFFICER: frozenset(
        {
            REGISTRY_VIEW_ALL,
            REGISTRY_IMPORT,
            REGISTRY_EXPORT,
            ORGANISATIONS_VIEW_ALL,
            API_TOKENS_OWN,
            POLICY_SCREEN,
            POLICY_SETTLE,
            EXCHANGE_MANAGE,
            SEEDLING_MANAGE,
            COCKPIT_VIEW,
            COCKPIT_ENTER,
        }
    ),  # fmt: skip
    # Experts see only what is assigned to them.
    Role.EXPERT: frozenset({EXCHANGE_REVIEW, SEEDLING_REVIEW, FUND_VOTE}),
    Role.FUND_MANAGER: frozenset(
        {REGISTRY_VIEW_ALL, ORGANISATIONS_VIEW_ALL, API_TOKENS_OWN, FUND_MANAGE, COCKPIT_VIEW}
    ),
    # The system administrator runs accounts and settings, not the audit trail or security.
    Role.SYSTEM_ADMIN: frozenset({ACCOUNTS_MANAGE, ORGANISATIONS_VIEW_ALL, JOBS_VIEW, JOBS_RETRY}),
    # The security administrator sets policy and grants roles, and touches no business data.
    Role.SECURITY_ADMIN: frozenset({SECURITY_POLICY, ROLES_GRANT}),
    # The audit administrator reads and exports the trail, and nothing else.
    Role.AUDIT_ADMIN: frozenset({AUDIT_VIEW, AUDIT_EXPORT}),
}

# Permissions that open the Django admin back office.
BACK_OFFICE = frozenset({ACCOUNTS_MANAGE, ROLES_GRANT, SECURITY_POLICY, AUDIT_VIEW, REGISTRY_VIEW_ALL})


@dataclass(frozen=True)
class Principal:
    """Who is acting: a user in one membership, or the system itself (CLI, demo loader)."""

    user: object | None
    membership: object | None
    system_label: str = ""

    @classmethod
    def system(cls, label: str) -> Principal:
        return cls(user=None, membership=None, system_label=label)

    @classmethod
    def system_for(cls, organisation, label: str) -> Principal:
        """The system acting on an organisation's behalf (loading records it made elsewhere)."""
        from types import SimpleNamespace

        membership = SimpleNamespace(organisation=organisation, organisation_id=organisation.pk, role="")
        return cls(user=None, membership=membership, system_label=label)

    @property
    def is_system(self) -> bool:
        return self.user is None

    @property
    def role(self) -> str:
        return self.membership.role if self.membership else ""

    @property
    def organisation(self):
        return self.membership.organisation if self.membership else None

    @property
    def organisation_id(self) -> int | None:
        return self.membership.organisation_id if self.membership else None

    @property
    def label(self) -> str:
        return self.system_label if self.is_system else self.user.username

    @property
    def permissions(self) -> frozenset[str]:
        if self.is_system:
            # Command-line operators act with shell access to the server; their runs are
            # audited under a system label instead of a person.
            return frozenset().union(*ROLE_PERMISSIONS.values())
        if self.membership is None or not self.user.is_active:
            return frozenset()
        return ROLE_PERMISSIONS.get(self.membership.role, frozenset())

    def can(self, permission: str) -> bool:
        return permission in self.permissions

    def require(self, permission: str) -> None:
        if not self.can(permission):
            raise PermissionDenied(permission)
