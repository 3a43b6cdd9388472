from django.db import models


class ContentVersion(models.Model):
    """One row (pk=1): the content version when the site runs without a shared cache.

    See core.content. Kept in the database so that every process reads the same number.
    """

    version = models.BigIntegerField(default=0)

    def __str__(self):
        return f"Content version {self.version}"
