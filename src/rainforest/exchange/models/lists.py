from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from rainforest.exchange.choices import ListKind


def numbered_order(items: list[dict]) -> list[dict]:
    """A stored version's items by their printed number ``no`` (1..n, given at publication)."""
    return sorted(items, key=lambda item: item.get("no", 0))


class PublishedList(models.Model):
    """A numbered batch (e.g. 2026 batch 3) of approved scenarios or capabilities.

    Once published it never changes: ``items`` is the snapshot the public saw. A correction is a
    new version of the same year and number, with ``changes`` saying what differs.
    """

    kind = models.CharField(_("kind"), max_length=16, choices=ListKind.choices)
    year = models.PositiveSmallIntegerField(_("year"))
    number = models.PositiveSmallIntegerField(_("batch number"))
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    title = models.CharField(_("title"), max_length=200)
    items = models.JSONField(_("items"))
    changes = models.JSONField(_("changes from the previous version"), default=dict, blank=True)
    correction_note = models.TextField(_("why this correction"), blank=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True)
    published_by_label = models.CharField(max_length=150)
    published_at = models.DateTimeField(_("published at"))

    class Meta:
        verbose_name = _("published list")
        verbose_name_plural = _("published lists")
        ordering = ["-year", "-number", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "year", "number", "version"], name="unique_list_version")
        ]

    def __str__(self) -> str:
        return f"{self.year}-{self.number} v{self.version} {self.title}"

    def heading(self) -> str:
        """The document's formal name as a bureau prints it, 2026年第4批场景机会清单（第2版）, in
        Traditional characters alike; in English "Scenario opportunity list, 2026 batch 4 (version 2)"."""
        kind = self.get_kind_display()
        if (get_language() or "").startswith("en"):
            return f"{kind}, {self.year} batch {self.number} (version {self.version})"
        return f"{self.year}年第{self.number}批{kind}（第{self.version}版）"
