from django.conf import settings
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from rainforest.accounts.models import Organisation
from rainforest.exchange.choices import ProjectStatus
from rainforest.exchange.models.calls import Application
from rainforest.exchange.models.scenarios import Scenario


class Project(models.Model):
    """A cooperation project between a publisher and an enterprise, followed until it lands and after."""

    scenario = models.ForeignKey(Scenario, on_delete=models.PROTECT, related_name="projects")
    application = models.OneToOneField(Application, on_delete=models.PROTECT, null=True, blank=True)
    publisher = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="projects_published")
    enterprise = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="projects_delivered")
    contract_value = models.DecimalField(_("contract value (yuan)"), max_digits=14, decimal_places=0)
    status = models.CharField(_("status"), max_length=16, choices=ProjectStatus.choices, default=ProjectStatus.AGREED)
    agreed_on = models.DateField(_("agreed on"))
    landed_on = models.DateField(_("landing confirmed on"), null=True, blank=True)
    acceptance_grade = models.CharField(_("acceptance evaluation"), max_length=32, blank=True)
    in_use = models.BooleanField(_("the publisher really uses the solution"), null=True, blank=True)
    in_use_since = models.DateField(_("in use since"), null=True, blank=True)
    further_contracts = models.PositiveSmallIntegerField(_("further contracts"), default=0)
    further_value = models.DecimalField(
        _("value of further contracts (yuan)"), max_digits=14, decimal_places=0, default=0
    )
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("cooperation project")
        verbose_name_plural = _("cooperation projects")
        ordering = ["-agreed_on", "-id"]

    def __str__(self) -> str:
        return f"{self.scenario} × {self.enterprise}"


class Milestone(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(_("milestone"), max_length=200)
    due_on = models.DateField(_("due on"))
    done_on = models.DateField(_("done on"), null=True, blank=True)
    evidence = models.TextField(_("evidence"), blank=True)

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ["project_id", "due_on", "id"]

    def __str__(self) -> str:
        return self.title


EVENT_KINDS = {
    "milestone_added": _("Milestone added"),
    "milestone_done": _("Milestone done"),
    "changed": _("Change to the agreement"),
    "start_trial": _("Trial started"),
    "confirm_landing": _("Landing confirmed"),
    "accept": _("Acceptance recorded"),
    "scale": _("Scaled up"),
    "terminate": _("Terminated"),
    "followup": _("Use after the landing"),
}


class ProjectEvent(models.Model):
    """A change, landing, acceptance or later-use report, as the project's own history.

    ``text`` is what a person wrote (a note, the evidence, a change); ``data`` holds the facts the
    platform recorded (a date, a status, yes or no), put into words in the reader's language when
    shown (``describe``), never stored as a sentence in one language."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("kind"), max_length=32)
    text = models.TextField(_("description"), blank=True)
    data = models.JSONField(_("facts recorded"), default=dict, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True)
    by_label = models.CharField(max_length=150)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["project_id", "at", "id"]

    def __str__(self) -> str:
        return f"{self.kind}: {self.text[:40]}"

    def who(self) -> str:
        """Who recorded it, as the parties know each other: their organisation's name (a user name
        means nothing to the other side), or the platform for what the system recorded."""
        if self.by_id is None or self.by_label.startswith("system:"):
            return gettext("The platform")
        membership = self.by.memberships.select_related("organisation").first()
        if membership is not None and membership.organisation is not None:
            return membership.organisation.name
        return self.by.get_full_name() or self.by_label

    def kind_label(self) -> str:
        return str(EVENT_KINDS.get(self.kind, self.kind))

    def describe(self) -> str:
        """The event in words: its facts in the reader's language, then what the person wrote."""
        from rainforest import formatting

        d = self.data or {}
        facts = ""
        if self.kind == "milestone_added" and d.get("due_on"):
            facts = gettext("“%(milestone)s”, due on %(date)s") % {
                "milestone": d.get("milestone", ""),
                "date": formatting.date_cn(d["due_on"]),
            }
        elif self.kind == "milestone_done" and d.get("milestone"):
            facts = gettext("“%(milestone)s” done on %(date)s") % {
                "milestone": d["milestone"],
                "date": formatting.date_cn(d.get("done_on")),
            }
        elif self.kind == "followup" and "in_use" in d:
            if d["in_use"]:
                facts = gettext("the publisher uses the solution, since %(date)s") % {
                    "date": formatting.date_cn(d.get("in_use_since"))
                }
            else:
                facts = gettext("the publisher does not use the solution")
            facts += gettext("; %(n)s further contracts worth %(value)s") % {
                "n": formatting.whole(d.get("further_contracts", 0)),
                "value": formatting.wan(d.get("further_value", 0)),
            }
        elif d.get("grade"):
            facts = gettext("evaluated “%(grade)s”") % {"grade": d["grade"]}
        if facts and self.text:
            return gettext("%(facts)s. %(note)s") % {"facts": facts, "note": self.text}
        return facts or self.text
