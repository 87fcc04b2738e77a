from django.conf import settings
from django.db import models
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


class ProjectEvent(models.Model):
    """A change, landing, acceptance or later-use report, as the project's own history."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("kind"), max_length=32)
    text = models.TextField(_("description"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True)
    by_label = models.CharField(max_length=150)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["project_id", "at", "id"]

    def __str__(self) -> str:
        return f"{self.kind}: {self.text[:40]}"
