"""The audit trail's models now belong to the audit app (audit/0001): the tables stay."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_must_change_password"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="AuditEvent"),
                migrations.DeleteModel(name="AuditChainHead"),
            ],
            database_operations=[],
        ),
    ]
