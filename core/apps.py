from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.db.models.signals import post_migrate


class CoreConfig(AppConfig):
    """Site-wide machinery: content version, page cache, SEO, health, sitemap, editors."""

    name = "core"
    verbose_name = "Site"

    def ready(self):
        from .db import after_migrate
        from .search import register_sqlite_function

        # Listed after both content apps in INSTALLED_APPS, so their permissions exist.
        post_migrate.connect(after_migrate, sender=self, dispatch_uid="specwise-after-migrate")
        connection_created.connect(
            register_sqlite_function, dispatch_uid="specwise-sqlite-search-function"
        )
