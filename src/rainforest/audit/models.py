"""The audit trail's rows: one event per state change or authentication event, chained by the
sealer with keyed MACs, and the head of the chain."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class AuditEvent(models.Model):
    """An append-only record of one state change or authentication event.

    Who and what are copied into plain columns so the record outlives the rows it names. Written
    unsealed (no seq, prev_hash or hash) with a MAC over its content (``content_mac``, under
    ``key_id``); the sealer later gives it its place in the chain. Events from before the keyed
    chain carry ``key_id = "sha256-legacy"`` and a plain SHA-256 ``hash``.
    """

    seq = models.BigIntegerField(unique=True, null=True, editable=False)
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
    key_id = models.CharField(_("key id"), max_length=32, editable=False)
    nonce = models.CharField(max_length=16, blank=True, editable=False)
    content_mac = models.CharField(max_length=64, null=True, editable=False)
    prev_hash = models.CharField(max_length=64, null=True, editable=False)
    hash = models.CharField(max_length=64, null=True, editable=False)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        # Unsealed events (the last few seconds') first, then the chain from its newest link.
        ordering = [F("seq").desc(nulls_first=True), "-id"]
        indexes = [
            models.Index(fields=["subject_type", "subject_id"], name="accounts_au_subject_2d2c8f_idx"),
            # What the sealer reads: a handful of rows, found without scanning the trail.
            models.Index(fields=["id"], condition=Q(seq__isnull=True), name="audit_event_unsealed_idx"),
        ]
        # A copy of an event (same content, key and nonce) is refused; a constraint rather than
        # unique=True, which on PostgreSQL would add a second, pattern-matching index for nothing.
        constraints = [models.UniqueConstraint(fields=["content_mac"], name="audit_event_content_mac_unique")]
        db_table = "accounts_auditevent"  # the table predates this app; its PostgreSQL trigger names it

    def __str__(self) -> str:
        return f"#{self.seq or '-'} {self.action}"


class AuditChainHead(models.Model):
    """The last link of the chain, with a MAC over it; only the sealer locks and moves it."""

    last_seq = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="0" * 64)
    key_id = models.CharField(max_length=32)
    mac = models.CharField(max_length=64, blank=True)

    class Meta:
        db_table = "accounts_auditchainhead"

    def __str__(self) -> str:
        return f"#{self.last_seq} {self.last_hash[:12]}"
