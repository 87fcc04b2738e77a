"""Project history: the facts the platform records (dates, a status, yes or no) are kept as data
and put into words in the reader's language, no longer stored as an English sentence. Lines
written the old way are read back into data: follow-ups ("in use: True; since 2026-03-01; further
contracts 2 (300000 yuan)"), milestones added ("试点部署 (2026-08-07)") and done ("试点部署: 报告")."""

import re

from django.db import migrations, models

OLD_FOLLOWUP = re.compile(
    r"in use: (?P<in_use>True|False); since (?P<since>[0-9-]+|None); "
    r"further contracts (?P<n>\d+) \((?P<value>[0-9.]+) yuan\)"
)

OLD_MILESTONE_ADDED = re.compile(r"(?P<title>.+) \((?P<due>\d{4}-\d{2}-\d{2})\)")


def milestones_to_data(ProjectEvent):
    for event in ProjectEvent.objects.filter(kind="milestone_added"):
        match = OLD_MILESTONE_ADDED.fullmatch(event.text.strip())
        if match is not None:
            event.data, event.text = {"milestone": match["title"], "due_on": match["due"]}, ""
            event.save(update_fields=["data", "text"])
    for event in ProjectEvent.objects.filter(kind="milestone_done").select_related("project"):
        titles = event.project.milestones.values_list("title", flat=True)
        title = next((t for t in titles if event.text.startswith(f"{t}: ")), None)
        if title is not None:
            milestone = event.project.milestones.filter(title=title).first()
            event.data = {"milestone": title, "done_on": milestone.done_on.isoformat() if milestone.done_on else None}
            event.text = event.text[len(title) + 2 :]
            event.save(update_fields=["data", "text"])


def old_lines_to_data(apps, schema_editor):
    ProjectEvent = apps.get_model("exchange", "ProjectEvent")
    milestones_to_data(ProjectEvent)
    for event in ProjectEvent.objects.filter(kind="followup"):
        match = OLD_FOLLOWUP.fullmatch(event.text.strip())
        if match is None:
            continue
        in_use = match["in_use"] == "True"
        event.data = {
            "in_use": in_use,
            "in_use_since": match["since"] if in_use and match["since"] != "None" else None,
            "further_contracts": int(match["n"]),
            "further_value": match["value"],
        }
        event.text = ""
        event.save(update_fields=["data", "text"])


class Migration(migrations.Migration):
    dependencies = [("exchange", "0004_published_list_item_numbers")]

    operations = [
        migrations.AddField(
            model_name="projectevent",
            name="data",
            field=models.JSONField(blank=True, default=dict, verbose_name="facts recorded"),
        ),
        migrations.AlterField(
            model_name="projectevent",
            name="text",
            field=models.TextField(blank=True, verbose_name="description"),
        ),
        migrations.RunPython(old_lines_to_data, migrations.RunPython.noop),
    ]
