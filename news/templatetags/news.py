"""News shown on other apps' pages: the catalog's device and brand pages and comparisons ask
for it here, so that they need not import news (the layers point one way)."""

from django import template

from news.models import Article

register = template.Library()


@register.simple_tag
def news_about(devices, limit=5):
    """The newest ``limit`` stories mentioning any of ``devices`` (instances or pks), as a
    list: ``{% news_about device_list 5 as news %}``. One query, none without devices."""
    return Article.objects.newest_about(devices, limit)


@register.simple_tag
def news_about_device(device, limit=5):
    """The newest ``limit`` stories mentioning ``device``."""
    return Article.objects.newest_about([device], limit)


@register.simple_tag
def news_for_brand(brand, limit=10):
    """The newest ``limit`` stories mentioning any of ``brand``'s devices."""
    return list(Article.objects.for_brand(brand)[:limit])
