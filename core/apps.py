from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CoreConfig(AppConfig):
    """Site-wide machinery: content version, page cache, SEO, health, sitemap, editors."""

    name = "core"
    verbose_name = "Site"

    def ready(self):
        from .db import after_migrate

        # Listed after both content apps in INSTALLED_APPS, so their permissions exist.
        post_migrate.connect(after_migrate, sender=self, dispatch_uid="specwise-after-migrate")
