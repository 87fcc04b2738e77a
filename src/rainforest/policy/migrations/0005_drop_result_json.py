# The per-result JSON is gone (0004 moved it into blocks); the filters by verdict get their index,
# and the run's own index goes (the two others start with the run).

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('policy', '0004_results_to_blocks'),
    ]

    operations = [
        migrations.RemoveField(
            model_name='screeningresult',
            name='record',
        ),
        migrations.RemoveField(
            model_name='screeningresult',
            name='verdicts',
        ),
        migrations.AddIndex(
            model_name='screeningresult',
            index=models.Index(fields=['run', 'codes'], name='result_run_codes'),
        ),
        migrations.AlterField(
            model_name='screeningresult',
            name='run',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='results', to='policy.screeningrun'),
        ),
    ]
