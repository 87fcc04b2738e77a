"""The head of the chain guarded like the events (issue 12, item 6): on PostgreSQL a trigger refuses
to delete the head row or move it back. Only the sealer writes it, and only forward (or in place, when
it first signs a legacy head). Its MAC shows any edit made around the trigger; the checkpoint file
shows a head put back to an earlier, genuinely signed state."""

from django.db import migrations

GUARD = """
CREATE OR REPLACE FUNCTION rainforest_audit_head_guard() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'the audit chain head is never deleted';
    END IF;
    IF NEW.last_seq < OLD.last_seq THEN
        RAISE EXCEPTION 'the audit chain head never moves back';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER accounts_auditchainhead_guard BEFORE UPDATE OR DELETE ON accounts_auditchainhead
    FOR EACH ROW EXECUTE FUNCTION rainforest_audit_head_guard();
"""
UNGUARD = """
DROP TRIGGER IF EXISTS accounts_auditchainhead_guard ON accounts_auditchainhead;
DROP FUNCTION IF EXISTS rainforest_audit_head_guard();
"""


def guard(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(GUARD)


def unguard(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(UNGUARD)


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_keyed_chain")]

    operations = [migrations.RunPython(guard, unguard)]
