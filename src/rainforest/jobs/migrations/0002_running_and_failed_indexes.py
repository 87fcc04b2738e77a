"""Partial indexes on the queue table for what the worker and the jobs page ask every few seconds:
the RUNNING jobs (orphan recovery) and the FAILED ones (the administrators' page). The queue keeps
finished results for weeks, so without them both questions would scan the whole table."""

from django.db import migrations

TABLE = "django_tasks_database_dbtaskresult"


class Migration(migrations.Migration):
    dependencies = [
        ("jobs", "0001_heartbeats_schedules_retries"),
        ("django_tasks_database", "0021_conditional_partial_index_ordering"),
    ]

    operations = [
        migrations.RunSQL(
            f"CREATE INDEX jobs_result_running ON {TABLE} (started_at) WHERE status = 'RUNNING'",
            "DROP INDEX jobs_result_running",
        ),
        migrations.RunSQL(
            f"CREATE INDEX jobs_result_failed ON {TABLE} (finished_at) WHERE status = 'FAILED'",
            "DROP INDEX jobs_result_failed",
        ),
    ]
