"""Number the items of every list published before items had numbers: 1..n per version, in the
order the version stored them (their ids), a correction keeping its previous version's order for
the items it kept. Written out here, not imported, so the migration stays as it is if the service
changes."""

from django.db import migrations


def number_lists(apps, schema_editor):
    PublishedList = apps.get_model("exchange", "PublishedList")
    previous_order = {}
    for published in PublishedList.objects.order_by("kind", "year", "number", "version"):
        batch = (published.kind, published.year, published.number)
        if all("no" in item for item in published.items):
            ordered = sorted(published.items, key=lambda item: item["no"])
        else:
            before = previous_order.get(batch, {})
            ordered = sorted(published.items, key=lambda item: (before.get(item["id"], len(before)), item["id"]))
            published.items = [{**item, "no": n} for n, item in enumerate(ordered, start=1)]
            published.save(update_fields=["items"])
        previous_order[batch] = {item["id"]: position for position, item in enumerate(ordered)}


def unnumber_lists(apps, schema_editor):
    PublishedList = apps.get_model("exchange", "PublishedList")
    for published in PublishedList.objects.all():
        published.items = [{k: v for k, v in item.items() if k != "no"} for item in published.items]
        published.save(update_fields=["items"])


class Migration(migrations.Migration):
    dependencies = [("exchange", "0003_rubric_bounds")]

    operations = [migrations.RunPython(number_lists, unnumber_lists)]
