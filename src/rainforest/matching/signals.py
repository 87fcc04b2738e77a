"""Record every save or deletion of a scenario or capability for the index, in the same transaction:
whatever service changed it, the index hears of it, and a rolled-back change leaves no record."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from rainforest.exchange.models import Capability, Scenario
from rainforest.matching.models import Collection, IndexChange


@receiver(post_save, sender=Capability)
@receiver(post_delete, sender=Capability)
def capability_changed(sender, instance, **kwargs):
    IndexChange.objects.create(collection=Collection.CAPABILITY, object_id=instance.pk)


@receiver(post_save, sender=Scenario)
@receiver(post_delete, sender=Scenario)
def scenario_changed(sender, instance, **kwargs):
    IndexChange.objects.create(collection=Collection.SCENARIO, object_id=instance.pk)
