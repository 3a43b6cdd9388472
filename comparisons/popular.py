"""Popular comparisons: view counts buffered in the cache, written to the database in batches."""

from dataclasses import dataclass

from .models import ComparisonCount, Device


@dataclass
class PopularComparison:
    key: str
    devices: list
    views: int

    @property
    def title(self):
        return " vs ".join(device.name for device in self.devices)

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("comparisons:compare-shared", args=[self.key])


def popular_comparisons(limit=6):
    """The most viewed comparisons whose devices all still exist; two queries."""
    counts = list(ComparisonCount.objects.order_by("-views")[: limit * 2])
    slugs = {slug for count in counts for slug in count.slugs}
    devices = {d.slug: d for d in Device.objects.select_related("brand").filter(slug__in=slugs)}
    popular = []
    for count in counts:
        if all(slug in devices for slug in count.slugs):
            popular.append(
                PopularComparison(count.key, [devices[s] for s in count.slugs], count.views)
            )
    return popular[:limit]
