"""What each audit action is called, in the reader's language: the one table of names.

The trail keeps its codes (``auth.otp.verified``) because exports, filters and checks read them;
people read these names. Every code a service records has an entry here (tests/audit/test_labels.py
scans the recording calls); a code recorded by an older version that has none reads as its object
and the code's last word, never as a bare code.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

ACTIONS = {
    # Sign-in and sessions
    "auth.login.password_ok": _("Password accepted at sign-in"),
    "auth.login.failed": _("Sign-in failed: wrong password"),
    "auth.login.unknown_user": _("Sign-in tried with an unknown user name"),
    "auth.login.rate_limited": _("Sign-in refused: too many attempts"),
    "auth.login.refused_locked": _("Sign-in refused: account locked"),
    "auth.account.locked": _("Account locked after repeated failed sign-ins"),
    "auth.otp.verified": _("One-time code accepted"),
    "auth.otp.failed": _("One-time code rejected"),
    "auth.otp.throttled": _("One-time code refused: too soon after wrong codes"),
    "auth.password.changed": _("Password changed"),
    "auth.password.reset": _("Temporary password set"),
    "auth.session.expired": _("Session ended for inactivity"),
    "auth.logout": _("Signed out"),
    # Accounts, roles, policy, tokens, the trail itself
    "accounts.organisation.created": _("Organisation created"),
    "accounts.organisation.updated": _("Organisation updated"),
    "accounts.user.created": _("Account created"),
    "accounts.user.activated": _("Account enabled"),
    "accounts.user.deactivated": _("Account disabled"),
    "accounts.role.granted": _("Role granted"),
    "accounts.role.revoked": _("Role revoked"),
    "security.policy.updated": _("Security policy changed"),
    "api.token.created": _("API token created"),
    "api.token.revoked": _("API token revoked"),
    "audit.exported": _("Audit trail exported"),
    # Registry
    "registry.enterprise.created": _("Enterprise added to the registry"),
    "registry.enterprise.updated": _("Enterprise profile updated"),
    "registry.facts.created": _("Yearly facts added"),
    "registry.facts.updated": _("Yearly facts corrected"),
    "registry.import.completed": _("Registry file imported"),
    "registry.recognition.recorded": _("Recognition recorded"),
    "registry.round.recorded": _("Financing round recorded"),
    "registry.exported": _("Registry exported"),
    "registry.export.requested": _("Export requested"),
    "registry.export.failed": _("Export failed"),
    "registry.export.expired": _("Export file expired"),
    "registry.export.downloaded": _("Export downloaded"),
    # Policy
    "policy.screening.requested": _("Bulk screening requested"),
    "policy.screening.run": _("Bulk screening completed"),
    "policy.screening.failed": _("Bulk screening failed"),
    "policy.review.settled": _("Review verdict decided"),
    # Scenario exchange
    "exchange.scenario.created": _("Scenario drafted"),
    "exchange.scenario.updated": _("Scenario edited"),
    "exchange.scenario.submit": _("Scenario submitted for approval"),
    "exchange.scenario.return": _("Scenario returned with reasons"),
    "exchange.scenario.approve": _("Scenario approved"),
    "exchange.scenario.publish": _("Scenario published"),
    "exchange.scenario.open_call": _("Call opened on a scenario"),
    "exchange.scenario.close_call": _("Call on a scenario closed"),
    "exchange.scenario.award": _("Scenario awarded"),
    "exchange.scenario.close": _("Scenario closed"),
    "exchange.scenario.withdraw": _("Scenario withdrawn"),
    "exchange.capability.created": _("Capability drafted"),
    "exchange.capability.submit": _("Capability submitted for review"),
    "exchange.capability.return": _("Capability returned with reasons"),
    "exchange.capability.approve": _("Capability approved"),
    "exchange.capability.withdraw": _("Capability withdrawn"),
    "exchange.list.published": _("List published"),
    "exchange.call.opened": _("Call opened"),
    "exchange.call.review_started": _("Expert review started"),
    "exchange.call.finalised": _("Call results made final"),
    "exchange.application.submitted": _("Application submitted to a call"),
    "exchange.application.updated": _("Application to a call updated"),
    "exchange.application.withdrawn": _("Application to a call withdrawn"),
    "exchange.panel.assigned": _("Expert assigned to a call's panel"),
    "exchange.panel.declared": _("Conflicts of interest declared"),
    "exchange.review.submitted": _("Review scores submitted"),
    "exchange.award.picked": _("Winner picked and put on public notice"),
    "exchange.objection.submitted": _("Objection raised"),
    "exchange.objection.resolved": _("Objection answered"),
    "exchange.subscription.saved": _("Subscription saved"),
    "exchange.project.milestone_added": _("Project milestone added"),
    "exchange.project.milestone_done": _("Project milestone done"),
    "exchange.project.changed": _("Project change recorded"),
    "exchange.project.followup": _("Project follow-up recorded"),
    "exchange.project.start_trial": _("Project trial started"),
    "exchange.project.confirm_landing": _("Project landing confirmed"),
    "exchange.project.accept": _("Project accepted"),
    "exchange.project.scale": _("Project scaled up"),
    "exchange.project.terminate": _("Project terminated"),
    # Matching
    "matching.feedback.recorded": _("Recommendation judged"),
    "matching.shortlist.added": _("Recommendation shortlisted"),
    "matching.shortlist.removed": _("Recommendation taken off the shortlist"),
    "matching.weights.adopted": _("Ranking weights refitted and adopted"),
    "matching.weights.refused": _("Ranking weights refitted, not better: kept the version in use"),
    # Seedling programme
    "seedling.round.opened": _("Good-seedling round opened"),
    "seedling.round.closed": _("Good-seedling round closed for review"),
    "seedling.round.approved": _("Good-seedling results approved"),
    "seedling.round.published": _("Good-seedling results published"),
    "seedling.candidacy.applied": _("Applied to the good-seedling round"),
    "seedling.candidacy.nominated": _("Nominated for the good-seedling round"),
    "seedling.panel.added": _("Expert added to the good-seedling panel"),
    "seedling.panel.declared": _("Conflicts of interest declared (good seedlings)"),
    "seedling.score.submitted": _("Good-seedling scores submitted"),
    "seedling.application.submitted": _("Support measure applied for"),
    "seedling.application.approved": _("Support measure approved"),
    "seedling.application.refused": _("Support measure refused"),
    "seedling.application.paid": _("Support measure paid"),
    "seedling.loan.recorded": _("Loan recorded"),
    "seedling.case_officer.assigned": _("Case officer assigned"),
    "seedling.visit.recorded": _("Visit recorded"),
    "seedling.need.raised": _("Need raised"),
    "seedling.need.resolved": _("Need resolved"),
    "seedling.pyramid.exported": _("Pyramid exported"),
    # Seedling fund
    "fund.deal.created": _("Deal created"),
    "fund.deal.checklist": _("Due-diligence item updated"),
    "fund.deal.screen": _("Deal moved to screening"),
    "fund.deal.diligence": _("Deal moved to due diligence"),
    "fund.deal.committee": _("Deal put to the investment committee"),
    "fund.deal.term_sheet": _("Deal moved to term sheet"),
    "fund.deal.closing": _("Deal moved to closing"),
    "fund.deal.portfolio": _("Deal moved to post-investment"),
    "fund.deal.exit": _("Investment exited"),
    "fund.deal.write_off": _("Investment written off"),
    "fund.deal.decline": _("Deal declined"),
    "fund.table.event": _("Cap table change recorded"),
    "fund.table.imported": _("Cap table imported"),
    "fund.round.proposed": _("Round proposed with its compliance report"),
    "fund.round.recorded": _("Round recorded on the cap table"),
    "fund.committee.seated": _("Committee member seated"),
    "fund.committee.meeting": _("Committee meeting opened"),
    "fund.committee.ballot": _("Committee vote cast"),
    "fund.committee.approved": _("Committee approved the round"),
    "fund.committee.rejected": _("Committee rejected the round"),
    "fund.flow.investment": _("Investment paid"),
    "fund.flow.follow_on": _("Follow-on investment paid"),
    "fund.flow.distribution": _("Distribution received"),
    "fund.mark.write_down": _("Holding written down"),
    # City cockpit
    "cockpit.indicator.defined": _("Cockpit indicator defined"),
    "cockpit.observation.entered": _("Cockpit figure entered"),
    "cockpit.observation.corrected": _("Cockpit figure corrected"),
    "cockpit.brief.made": _("Monthly brief made"),
    # Operations
    "jobs.job.retried": _("Failed job tried again"),
    "ops.backup.created": _("Backup made"),
    "ops.restore.completed": _("Backup restored"),
    "demo.clock.advanced": _("Demo clock moved on"),
    "bench.account.updated": _("Benchmark event"),
}

# What an unnamed code is about, by its first words: the fallback names the object.
AREAS = {
    "auth": pgettext_lazy("audit area", "Sign-in"),
    "accounts": pgettext_lazy("audit area", "Accounts"),
    "security": pgettext_lazy("audit area", "Security policy"),
    "api": pgettext_lazy("audit area", "API tokens"),
    "audit": pgettext_lazy("audit area", "Audit trail"),
    "registry": pgettext_lazy("audit area", "Enterprise registry"),
    "policy": pgettext_lazy("audit area", "Policy screening"),
    "exchange": pgettext_lazy("audit area", "Scenario exchange"),
    "matching": pgettext_lazy("audit area", "Recommendations"),
    "seedling": pgettext_lazy("audit area", "Seedling programme"),
    "fund": pgettext_lazy("audit area", "Seedling fund"),
    "cockpit": pgettext_lazy("audit area", "City cockpit"),
    "jobs": pgettext_lazy("audit area", "Background jobs"),
    "ops": pgettext_lazy("audit area", "Operations"),
    "demo": pgettext_lazy("audit area", "Demo"),
}


def action_name(code: str) -> str:
    """The action's name; for a code without one, its area and its last word (``Seedling fund: foo bar``)."""
    name = ACTIONS.get(code)
    if name is not None:
        return str(name)
    if not code:
        return ""
    head, _dot, rest = code.partition(".")
    area = AREAS.get(head)
    words = (code.rsplit(".", 1)[-1] if rest else code).replace("_", " ")
    if area is None:
        return str(_("Other action: %(code)s")) % {"code": words}
    return str(_("%(area)s: %(words)s")) % {"area": area, "words": words}


def action_choices() -> list[tuple[str, str]]:
    """Every named action, for a filter: (code, name), grouped by area in table order."""
    return [(code, str(name)) for code, name in ACTIONS.items()]
