"""What comparisons keep of their own: visitors' lists and how often each comparison is seen.

The devices they compare are the catalog's (catalog.models).
"""

from django.db import models
from django.urls import reverse

from catalog.models import COMPARISON_SEPARATOR, Device


class CompareList(models.Model):
    """A visitor's compare list, found by the token in their compare cookie.

    Items are rows, not a session value, so concurrent requests change the list
    one at a time instead of overwriting each other's copy of the session.
    """

    token = models.CharField(max_length=64, unique=True)
    # False for a list made by a request without a compare cookie until a request brings the
    # cookie back: a client that drops cookies leaves lists nobody can reach, pruned in a day.
    confirmed = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [
            # prune_compare_lists: lists untouched since a date.
            models.Index(fields=["updated_at"], name="comparelist_updated"),
            # prune_compare_lists: lists whose cookie never came back, made before a date.
            models.Index(
                fields=["created_at"],
                condition=models.Q(confirmed=False),
                name="comparelist_unconfirmed",
            ),
        ]

    def __str__(self):
        return f"Compare list {self.token[:8]}…"


class CompareItem(models.Model):
    compare_list = models.ForeignKey(CompareList, on_delete=models.CASCADE, related_name="items")
    # SET_NULL, not CASCADE: the row outlives a deleted device so the visitor can be
    # told once that it is gone; its name is kept for that message.
    device = models.ForeignKey(Device, on_delete=models.SET_NULL, null=True, related_name="+")
    device_name = models.CharField(max_length=200)
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["added_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["compare_list", "device"], name="device_once_per_list"),
        ]

    def __str__(self):
        return self.device_name


class ComparisonCount(models.Model):
    """How often a comparison (canonical slug set) was viewed; feeds "Popular comparisons"."""

    key = models.CharField(max_length=255, unique=True, help_text="Canonical slugs joined by -vs-")
    views = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-views"]
        indexes = [
            # Home page: the most viewed comparisons.
            models.Index(fields=["-views"], name="comparison_popular"),
        ]

    def __str__(self):
        return f"{self.key} ({self.views})"

    @property
    def slugs(self):
        return self.key.split(COMPARISON_SEPARATOR)

    def get_absolute_url(self):
        return reverse("comparisons:compare-shared", args=[self.key])


class ComparisonView(models.Model):
    """One visitor's view of one comparison on one day: a view counts once a day.

    ``visitor`` is a digest of the address and the day, never the address itself. Rows
    older than yesterday are pruned.
    """

    key = models.CharField(max_length=255)
    visitor = models.CharField(max_length=64)
    day = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["key", "visitor", "day"], name="one_view_a_day"),
        ]
        indexes = [
            # Pruning: rows of past days.
            models.Index(fields=["day"], name="comparison_view_day"),
        ]

    def __str__(self):
        return f"{self.key} on {self.day}"
