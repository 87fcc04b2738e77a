"""The keyed chain (issue 12): events are written unsealed and sealed later, with MACs.

- New columns: ``key_id``, ``nonce`` and ``content_mac`` on events; ``key_id`` and ``mac`` on the head.
  ``seq``, ``prev_hash`` and ``hash`` may now be empty (an event not sealed yet).
- Events already chained keep their plain SHA-256 hashes and are marked ``key_id = "sha256-legacy"``
  (the column's default fills them without an UPDATE, which the trigger would refuse); the head is
  marked the same way, unsigned. The first seal after this migration signs the head and writes a
  checkpoint, which anchors the old chain: from then on rewriting an old event breaks the
  checkpoint and the first keyed event's link (see rainforest/audit/sealer.py).
- On PostgreSQL the append-only trigger (accounts/0002) now lets one UPDATE through: sealing, which
  sets seq, prev_hash and hash on an unsealed row and changes nothing else. DELETE stays refused.

Going back is possible only while every event is sealed (seq becomes required again), and events
sealed with a key then fail the old, plain verification.
"""

from django.db import migrations, models

SEALING_ALLOWED = """
CREATE OR REPLACE FUNCTION rainforest_audit_append_only() RETURNS trigger AS $$
BEGIN
  -- Sealing is the one change allowed: an unsealed event receives its seq, previous link and link
  -- hash, and nothing else about it changes.
  IF TG_OP = 'UPDATE' AND OLD.seq IS NULL AND OLD.prev_hash IS NULL AND OLD.hash IS NULL
     AND NEW.seq IS NOT NULL AND NEW.prev_hash IS NOT NULL AND NEW.hash IS NOT NULL
     AND (to_jsonb(NEW) - 'seq' - 'prev_hash' - 'hash') = (to_jsonb(OLD) - 'seq' - 'prev_hash' - 'hash') THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'audit events are append-only (% refused)', TG_OP
    USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""
NOTHING_ALLOWED = """
CREATE OR REPLACE FUNCTION rainforest_audit_append_only() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'audit events are append-only (% refused)', TG_OP
    USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""


def allow_sealing(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(SEALING_ALLOWED, params=None)


def refuse_every_update(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(NOTHING_ALLOWED, params=None)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="auditevent",
            name="key_id",
            field=models.CharField(default="sha256-legacy", editable=False, max_length=32, verbose_name="key id"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="auditevent",
            name="nonce",
            field=models.CharField(blank=True, editable=False, max_length=16),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="content_mac",
            field=models.CharField(editable=False, max_length=64, null=True),
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="seq",
            field=models.BigIntegerField(editable=False, null=True, unique=True),
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="prev_hash",
            field=models.CharField(editable=False, max_length=64, null=True),
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="hash",
            field=models.CharField(editable=False, max_length=64, null=True),
        ),
        migrations.AlterModelOptions(
            name="auditevent",
            options={
                "ordering": [models.OrderBy(models.F("seq"), descending=True, nulls_first=True), "-id"],
                "verbose_name": "audit event",
                "verbose_name_plural": "audit events",
            },
        ),
        migrations.AddIndex(
            model_name="auditevent",
            index=models.Index(condition=models.Q(("seq__isnull", True)), fields=["id"], name="audit_event_unsealed_idx"),
        ),
        migrations.AddConstraint(
            model_name="auditevent",
            constraint=models.UniqueConstraint(fields=("content_mac",), name="audit_event_content_mac_unique"),
        ),
        migrations.AddField(
            model_name="auditchainhead",
            name="key_id",
            field=models.CharField(default="sha256-legacy", max_length=32),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="auditchainhead",
            name="mac",
            field=models.CharField(blank=True, max_length=64),
        ),
        migrations.RunPython(allow_sealing, refuse_every_update),
    ]
