from django.apps import AppConfig
from django.db.models.signals import post_migrate


class ComparisonsConfig(AppConfig):
    name = "comparisons"
    verbose_name = "Catalog and comparisons"

    def ready(self):
        from . import signals  # noqa: F401
        from .db import _after_migrate

        post_migrate.connect(_after_migrate, sender=self, dispatch_uid="specwise-analyze")
