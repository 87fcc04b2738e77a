"""The audit trail moves from the accounts app to its own: the tables stay as they are (with
their PostgreSQL append-only trigger, accounts/0002); only Django's record of which app owns
them changes."""

from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("accounts", "0004_audit_moves_to_its_own_app"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='AuditChainHead',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('last_seq', models.BigIntegerField(default=0)),
                        ('last_hash', models.CharField(default='0000000000000000000000000000000000000000000000000000000000000000', max_length=64)),
                    ],
                    options={'db_table': 'accounts_auditchainhead'},
                ),
                migrations.CreateModel(
                    name='AuditEvent',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('seq', models.BigIntegerField(editable=False, unique=True)),
                        ('at', models.DateTimeField(db_index=True, verbose_name='time')),
                        ('actor_id', models.BigIntegerField(blank=True, db_index=True, null=True)),
                        ('actor_label', models.CharField(max_length=150, verbose_name='actor')),
                        ('role', models.CharField(blank=True, max_length=32, verbose_name='role')),
                        ('organisation_id', models.BigIntegerField(blank=True, null=True)),
                        ('organisation_label', models.CharField(blank=True, max_length=200, verbose_name='organisation')),
                        ('action', models.CharField(db_index=True, max_length=64, verbose_name='action')),
                        ('subject_type', models.CharField(blank=True, max_length=64, verbose_name='object type')),
                        ('subject_id', models.CharField(blank=True, max_length=64, verbose_name='object id')),
                        ('subject_label', models.CharField(blank=True, max_length=200, verbose_name='object')),
                        ('before', models.JSONField(blank=True, null=True, verbose_name='before')),
                        ('after', models.JSONField(blank=True, null=True, verbose_name='after')),
                        ('ip', models.GenericIPAddressField(blank=True, null=True, verbose_name='IP address')),
                        ('request_id', models.CharField(blank=True, max_length=64, verbose_name='request id')),
                        ('prev_hash', models.CharField(max_length=64)),
                        ('hash', models.CharField(max_length=64)),
                    ],
                    options={
                        'verbose_name': 'audit event',
                        'verbose_name_plural': 'audit events',
                        'ordering': ['-seq'],
                        'db_table': 'accounts_auditevent',
                        'indexes': [models.Index(fields=['subject_type', 'subject_id'], name='accounts_au_subject_2d2c8f_idx')],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
