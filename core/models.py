from django.db import models


class ContentVersion(models.Model):
    """One row (pk=1): the content version when the site runs without a shared cache.

    See core.content. Kept in the database so that every process reads the same number.
    """

    version = models.BigIntegerField(default=0)

    def __str__(self):
        return f"Content version {self.version}"


class Editorial(models.Model):
    """No table, no rows: it holds the newsroom's permissions that belong to no one model
    (the roles in core.editors grant them)."""

    class Meta:
        managed = False
        default_permissions = ()
        permissions = [
            ("restore_from_trash", "Can restore deleted stories and devices from the trash"),
            ("delete_for_good", "Can delete stories and devices from the trash for good"),
            ("import_catalog", "Can import and export the catalog in the admin"),
        ]
