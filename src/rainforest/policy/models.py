from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from rainforest.accounts.models import Membership

# One letter per verdict in ScreeningResult.codes (a run's tiers in the run's order).
VERDICT_CODES = {"eligible": "E", "ineligible": "I", "review": "R", "unknown": "U", "not_in_force": "N"}
CODE_VERDICTS = {code: verdict for verdict, code in VERDICT_CODES.items()}


class ScreeningRun(models.Model):
    """One bulk screening: which rules, which date, what came out.

    A screening of the registry is asked for on the page and run by the worker as the person who
    asked (``policy/screening_jobs.py``): queued, running (``screened`` of ``enterprises`` written so
    far), then done with its counts, or failed with a reason. Its results are shown only once it is
    done, so a run never shows part of its results as if they were all.
    """

    class Source(models.TextChoices):
        REGISTRY = "registry", _("Registry")
        UPLOAD = "upload", _("Uploaded file")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting to start")
        RUNNING = "running", _("Being screened")
        DONE = "done", _("Finished")
        FAILED = "failed", _("Failed")

    class Failure(models.TextChoices):
        """Why a run failed, as the officer who asked reads it."""

        PERMISSION = (
            "permission",
            _("You no longer hold the role a screening needs, so it was not run. Ask your system administrator."),
        )
        RULES = (
            "rules",
            _(
                "The rule set changed after the screening was requested and no longer has the tiers or readings "
                "it asked for. Start it again to screen under the current rules."
            ),
        )
        ERROR = (
            "error",
            _(
                "The screening stopped because of an error and none of its results were kept. Start it again; "
                "if it fails again, tell your system administrator."
            ),
        )
        FILE = (
            "file",
            _(
                "The uploaded file has problems, listed below; nothing was screened. Correct the file and "
                "upload it again."
            ),
        )
        LOST = (
            "lost",
            _(
                "The screening did not finish (no background worker ran it to the end) and none of its results "
                "were kept. Start it again."
            ),
        )

    created_at = models.DateTimeField(_("run at"), auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, editable=False)
    created_by_label = models.CharField(_("run by"), max_length=150)
    # The membership it was asked in: the worker screens with the rights it grants when it runs.
    membership = models.ForeignKey(Membership, on_delete=models.SET_NULL, null=True, editable=False, related_name="+")
    ruleset = models.CharField(_("rule set"), max_length=64)
    ruleset_version = models.CharField(_("rule set version"), max_length=32)
    as_of = models.DateField(_("as of"))
    source = models.CharField(_("source"), max_length=16, choices=Source.choices)
    filename = models.CharField(_("file"), max_length=200, blank=True)
    tiers = models.JSONField(_("tiers"))
    readings = models.JSONField(_("readings chosen where sources disagree"), default=dict, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.QUEUED)
    failure = models.CharField(_("reason"), max_length=16, choices=Failure.choices, blank=True)
    counts = models.JSONField(_("counts per tier and verdict"), default=dict)
    # {codes: how many results have them}: the few combinations of verdicts a run holds, so that
    # "tier k has verdict v" is a lookup of the combinations that say so on the (run, codes) index.
    combinations = models.JSONField(default=dict, editable=False)
    enterprises = models.PositiveIntegerField(_("enterprises"), default=0)  # known once the registry is read
    screened = models.PositiveIntegerField(_("enterprises screened"), default=0)  # written so far
    seconds = models.FloatField(_("seconds"), default=0)
    # An uploaded file refused by the worker: {"count": n, "items": [the first problems, as Problem fields]}.
    problems = models.JSONField(default=dict, editable=False)
    # How each result's explanation is rebuilt from its block (policy/explain.py): fixed per run.
    layout = models.JSONField(default=dict, editable=False)
    attempts = models.PositiveSmallIntegerField(default=0, editable=False)
    task_id = models.CharField(max_length=64, blank=True, editable=False)
    started_at = models.DateTimeField(null=True, blank=True, editable=False)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    # The last sign of life (asked, started, a chunk written): a run silent for long was lost.
    active_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("screening run")
        verbose_name_plural = _("screening runs")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "active_at"], name="screening_run_pending")]

    def __str__(self) -> str:
        return f"#{self.pk} {self.as_of} {self.ruleset_version}"

    @property
    def pending(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)

    @property
    def done(self) -> bool:
        return self.status == self.Status.DONE

    def tier_position(self, tier: str) -> int | None:
        """The 1-based position of ``tier`` in the results' verdict codes (None: not in this run)."""
        return self.tiers.index(tier) + 1 if tier in self.tiers else None


class ScreeningResult(models.Model):
    """One enterprise in a run, narrow: what the lists and filters read.

    ``codes`` holds one letter per tier of the run (``VERDICT_CODES``), in the run's tier order. The
    full explanation (every criterion's result, value and threshold) lives in the run's blocks and is
    rebuilt exactly as ``rainforest screen`` wrote it (``policy.explain``).
    """

    # No index of its own: (run, uscc) and (run, codes) both start with it. A lone one misleads the
    # planner on a run just written (no statistics yet) into sorting the whole run for each page.
    run = models.ForeignKey(ScreeningRun, on_delete=models.CASCADE, related_name="results", db_index=False)
    uscc = models.CharField(_("unified social credit code"), max_length=18)
    name = models.CharField(_("name"), max_length=200)
    fiscal_year = models.PositiveSmallIntegerField(_("fiscal year"), null=True)
    codes = models.CharField(_("verdicts"), max_length=32)
    block = models.PositiveIntegerField(default=0)  # ScreeningBlock.seq holding its explanation

    class Meta:
        verbose_name = _("screening result")
        verbose_name_plural = _("screening results")
        ordering = ["run_id", "uscc"]
        constraints = [models.UniqueConstraint(fields=["run", "uscc"], name="unique_result_per_run")]
        # The filters by tier and verdict (policy.selectors.result_list). A run holds few distinct
        # codes, so PostgreSQL keeps each once with the list of its rows: a few bytes a result.
        indexes = [models.Index(fields=["run", "codes"], name="result_run_codes")]

    def __str__(self) -> str:
        return f"{self.name} ({self.run_id})"

    @property
    def verdicts(self) -> dict[str, str]:
        """{tier: verdict} in the run's tier order (the run is the one the result was read through)."""
        return {t: CODE_VERDICTS[c] for t, c in zip(self.run.tiers, self.codes, strict=True)}

    def verdict(self, tier: str) -> str | None:
        return self.verdicts.get(tier)


class ScreeningUpload(models.Model):
    """The file an officer uploaded, kept only until its run is done or failed (the worker reads it)."""

    run = models.OneToOneField(ScreeningRun, on_delete=models.CASCADE, primary_key=True, related_name="upload")
    data = models.BinaryField()

    class Meta:
        verbose_name = _("uploaded facts file")
        verbose_name_plural = _("uploaded facts files")

    def __str__(self) -> str:
        return str(self.run_id)


class ScreeningBlock(models.Model):
    """The explanations of a run's results, a few thousand enterprises at a time, as one compressed
    columnar table (Parquet, zstd): every criterion's result, value and threshold and each score."""

    run = models.ForeignKey(ScreeningRun, on_delete=models.CASCADE, related_name="blocks")
    seq = models.PositiveIntegerField()
    enterprises = models.PositiveIntegerField()
    data = models.BinaryField()

    class Meta:
        verbose_name = _("screening block")
        verbose_name_plural = _("screening blocks")
        constraints = [models.UniqueConstraint(fields=["run", "seq"], name="unique_block_per_run")]

    def __str__(self) -> str:
        return f"{self.run_id}/{self.seq}"


class ReviewDecision(models.Model):
    """An officer's decision on a `review` verdict, with the reason."""

    class Decision(models.TextChoices):
        ELIGIBLE = "eligible", _("Eligible")
        INELIGIBLE = "ineligible", _("Ineligible")

    result = models.ForeignKey(ScreeningResult, on_delete=models.CASCADE, related_name="decisions")
    tier = models.CharField(_("tier"), max_length=32)
    decision = models.CharField(_("decision"), max_length=16, choices=Decision.choices)
    reason = models.TextField(_("reason"))
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, editable=False)
    decided_by_label = models.CharField(_("decided by"), max_length=150)
    decided_at = models.DateTimeField(_("decided at"), auto_now_add=True)

    class Meta:
        verbose_name = _("review decision")
        verbose_name_plural = _("review decisions")
        constraints = [models.UniqueConstraint(fields=["result", "tier"], name="one_decision_per_tier")]

    def __str__(self) -> str:
        return f"{self.result} {self.tier}: {self.decision}"
