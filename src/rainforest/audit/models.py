"""The audit trail's rows: one hash-chained event per state change or authentication event, and
the head of the chain."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEvent(models.Model):
    """An append-only, hash-chained record of one state change or authentication event.

    Who and what are copied into plain columns so the record outlives the rows it names.
    """

    seq = models.BigIntegerField(unique=True, editable=False)
    at = models.DateTimeField(_("time"), db_index=True)
    actor_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    actor_label = models.CharField(_("actor"), max_length=150)
    role = models.CharField(_("role"), max_length=32, blank=True)
    organisation_id = models.BigIntegerField(null=True, blank=True)
    organisation_label = models.CharField(_("organisation"), max_length=200, blank=True)
    action = models.CharField(_("action"), max_length=64, db_index=True)
    subject_type = models.CharField(_("object type"), max_length=64, blank=True)
    subject_id = models.CharField(_("object id"), max_length=64, blank=True)
    subject_label = models.CharField(_("object"), max_length=200, blank=True)
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    request_id = models.CharField(_("request id"), max_length=64, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-seq"]
        indexes = [models.Index(fields=["subject_type", "subject_id"], name="accounts_au_subject_2d2c8f_idx")]
        db_table = "accounts_auditevent"  # the table predates this app; its PostgreSQL trigger names it

    def __str__(self) -> str:
        return f"#{self.seq} {self.action}"


class AuditChainHead(models.Model):
    """The last link of the chain; locked while appending so links never fork."""

    last_seq = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="0" * 64)

    class Meta:
        db_table = "accounts_auditchainhead"

    def __str__(self) -> str:
        return f"#{self.last_seq} {self.last_hash[:12]}"
