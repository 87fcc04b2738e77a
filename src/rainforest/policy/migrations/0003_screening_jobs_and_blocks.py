# Screening runs become background jobs (status, progress, who asked in which membership); results
# become narrow rows (a letter per tier) with their explanations in compressed blocks. The old
# per-result JSON stays, nullable, until 0004 has converted it.

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0004_audit_moves_to_its_own_app'),
        ('policy', '0002_run_readings'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='ScreeningBlock',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('seq', models.PositiveIntegerField()),
                ('enterprises', models.PositiveIntegerField()),
                ('data', models.BinaryField()),
                ('run', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='blocks', to='policy.screeningrun')),
            ],
            options={
                'verbose_name': 'screening block',
                'verbose_name_plural': 'screening blocks',
                'constraints': [models.UniqueConstraint(fields=('run', 'seq'), name='unique_block_per_run')],
            },
        ),
        migrations.AlterField(
            model_name='screeningresult',
            name='record',
            field=models.JSONField(null=True, verbose_name='record'),
        ),
        migrations.AlterField(
            model_name='screeningresult',
            name='verdicts',
            field=models.JSONField(null=True, verbose_name='verdicts'),
        ),
        migrations.AddField(
            model_name='screeningresult',
            name='block',
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.AddField(
            model_name='screeningresult',
            name='codes',
            field=models.CharField(default='', max_length=32, verbose_name='verdicts'),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name='screeningrun',
            name='active_at',
            field=models.DateTimeField(default=django.utils.timezone.now, editable=False),
        ),
        migrations.AddField(
            model_name='screeningrun',
            name='attempts',
            field=models.PositiveSmallIntegerField(default=0, editable=False),
        ),
        migrations.AddField(
            model_name='screeningrun',
            name='combinations',
            field=models.JSONField(default=dict, editable=False),
        ),
        migrations.AddField(
            model_name='screeningrun',
            name='failure',
            field=models.CharField(blank=True, choices=[('permission', 'You no longer hold the role a screening needs, so it was not run. Ask your system administrator.'), ('rules', 'The rule set changed after the screening was requested and no longer has the tiers or readings it asked for. Start it again to screen under the current rules.'), ('error', 'The screening stopped because of an error and none of its results were kept. Start it again; if it fails again, tell your system administrator.'), ('file', 'The uploaded file has problems, listed below; nothing was screened. Correct the file and upload it again.'), ('lost', 'The screening did not finish (no background worker ran it to the end) and none of its results were kept. Start it again.')], max_length=16, verbose_name='reason'),
        ),
        migrations.AddField(
            model_name='screeningrun',
            name='finished_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='finished at'),
        ),
        migrations.AddField(
            model_name='screeningrun',
            name='layout',
            field=models.JSONField(default=dict, editable=False),
        ),
        migrations.AddField(
            model_name='screeningrun',
            name='membership',
            field=models.ForeignKey(editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='accounts.membership'),
        ),
        migrations.AddField(
            model_name='screeningrun',
            name='problems',
            field=models.JSONField(default=dict, editable=False),
        ),
        migrations.AddField(
            model_name='screeningrun',
            name='screened',
            field=models.PositiveIntegerField(default=0, verbose_name='enterprises screened'),
        ),
        migrations.AddField(
            model_name='screeningrun',
            name='started_at',
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name='screeningrun',
            name='status',
            field=models.CharField(choices=[('queued', 'Waiting to start'), ('running', 'Being screened'), ('done', 'Finished'), ('failed', 'Failed')], default='queued', max_length=16, verbose_name='status'),
        ),
        migrations.AddField(
            model_name='screeningrun',
            name='task_id',
            field=models.CharField(blank=True, editable=False, max_length=64),
        ),
        migrations.AlterField(
            model_name='screeningrun',
            name='counts',
            field=models.JSONField(default=dict, verbose_name='counts per tier and verdict'),
        ),
        migrations.AlterField(
            model_name='screeningrun',
            name='enterprises',
            field=models.PositiveIntegerField(default=0, verbose_name='enterprises'),
        ),
        migrations.AlterField(
            model_name='screeningrun',
            name='seconds',
            field=models.FloatField(default=0, verbose_name='seconds'),
        ),
        migrations.AddIndex(
            model_name='screeningrun',
            index=models.Index(fields=['status', 'active_at'], name='screening_run_pending'),
        ),
        migrations.CreateModel(
            name='ScreeningUpload',
            fields=[
                ('run', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='upload', serialize=False, to='policy.screeningrun')),
                ('data', models.BinaryField()),
            ],
            options={
                'verbose_name': 'uploaded facts file',
                'verbose_name_plural': 'uploaded facts files',
            },
        ),
    ]
