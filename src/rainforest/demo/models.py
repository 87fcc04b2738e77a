"""The mark a demo installation carries: written by `rainforest demo` into an empty database, and
asked for by every demo command, so none of them ever runs against real data."""

from django.db import models


class DemoInstallation(models.Model):
    created_at = models.DateTimeField(auto_now_add=True)
    seed = models.IntegerField()

    def __str__(self) -> str:
        return f"demo city (seed {self.seed}), {self.created_at:%Y-%m-%d}"
